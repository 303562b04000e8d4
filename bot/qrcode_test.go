package bot

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"jiefen/wxsim"
)

// A parametric QR code through silenceper against the stand-in platform:
// qrcode/create with a string scene answers a ticket and the address the
// code encodes; the image is a PNG; a scan before following is a
// subscribe with "qrscene_<scene>", after following a SCAN with the scene;
// a platform error comes back as its code.
func TestQRCodeThroughPlatform(t *testing.T) {
	p := wxsim.NewPlatform("wxqr", "secret-qr")
	api := httptest.NewServer(p)
	t.Cleanup(api.Close)
	acc := NewAccount(AccountConfig{AppID: "wxqr", Secret: "secret-qr", Token: "tok", API: api.URL, Timeout: time.Second})
	ctx := context.Background()
	const scene = "jfp_00112233445566778899"
	ticket, url, err := acc.QRCode(ctx, scene, 30*24*time.Hour)
	if err != nil || ticket == "" || url == "" {
		t.Fatalf("QRCode: %q %q %v", ticket, url, err)
	}
	codes := p.QRCodes()
	if len(codes) != 1 || codes[0].Scene != scene || codes[0].Expires.Sub(codes[0].Made) != 30*24*time.Hour {
		t.Fatalf("the platform made %+v", codes)
	}
	img, err := acc.QRImage(ctx, ticket)
	if err != nil || !bytes.HasPrefix(img, []byte("\x89PNG")) {
		t.Fatalf("QRImage: %.8q %v", img, err)
	}
	if _, err := acc.QRImage(ctx, "no-such-ticket"); err == nil {
		t.Fatal("an unknown ticket gave an image")
	}
	if ev, key, ok := p.Scan("oNew", url); !ok || ev != "subscribe" || key != "qrscene_"+scene {
		t.Fatalf("scan before following: %s %s %v", ev, key, ok)
	}
	p.AddUser("oFollower")
	if ev, key, ok := p.Scan("oFollower", ticket); !ok || ev != "SCAN" || key != scene {
		t.Fatalf("scan after following: %s %s %v", ev, key, ok)
	}
	p.FailNext(1, CodeBusy)
	if _, _, err := acc.QRCode(ctx, scene, time.Hour); Code(err) != CodeBusy {
		t.Fatalf("a busy platform: %v", err)
	}
}
