package wxsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sort"
	"time"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
)

// Parametric QR codes: /cgi-bin/qrcode/create makes a code for a scene
// (temporary: QR_SCENE, QR_STR_SCENE; permanent: QR_LIMIT_SCENE,
// QR_LIMIT_STR_SCENE), answering a ticket, its expiry and the address
// the code encodes; /cgi-bin/showqrcode?ticket= serves the code as a
// PNG (mp.weixin.qq.com on the real platform). Scan tells what event a
// citizen scanning a code sends: subscribe with EventKey
// "qrscene_<scene>" before following, SCAN with "<scene>" after.

// QRCode is a code the platform made.
type QRCode struct {
	Ticket  string
	Scene   string
	URL     string // what the code encodes
	Expires time.Time
	Made    time.Time
}

// maxQRLife is the platform's longest temporary code: 30 days.
const maxQRLife = 2592000

func (p *Platform) handleQRCreate(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	var in struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneStr string `json:"scene_str"`
				SceneID  int64  `json:"scene_id"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	scene := in.ActionInfo.Scene.SceneStr
	switch in.ActionName {
	case "QR_STR_SCENE", "QR_LIMIT_STR_SCENE":
		if n := utf8.RuneCountInString(scene); n < 1 || n > 64 {
			writeErr(w, 47001)
			return
		}
	case "QR_SCENE", "QR_LIMIT_SCENE":
		if in.ActionInfo.Scene.SceneID <= 0 {
			writeErr(w, 47001)
			return
		}
		scene = ""
	default:
		writeErr(w, 47001)
		return
	}
	life := in.ExpireSeconds
	switch {
	case in.ActionName == "QR_LIMIT_SCENE" || in.ActionName == "QR_LIMIT_STR_SCENE":
		life = 0
	case life <= 0:
		life = 60 // the platform's default
	case life > maxQRLife:
		life = maxQRLife
	}
	now := p.now()
	c := QRCode{Ticket: "gQ" + randToken(24), Scene: scene, URL: "http://weixin.qq.com/q/" + randToken(16), Made: now}
	if life > 0 {
		c.Expires = now.Add(time.Duration(life) * time.Second)
	}
	if p.qrcodes == nil {
		p.qrcodes = map[string]QRCode{}
	}
	p.qrcodes[c.Ticket] = c
	out := map[string]any{"ticket": c.Ticket, "url": c.URL}
	if life > 0 {
		out["expire_seconds"] = life
	}
	writeJSON(w, out)
}

func randToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// handleShowQR serves a code's image: no token, only the ticket, as on
// the real platform; an unknown or expired ticket is a 404.
func (p *Platform) handleShowQR(w http.ResponseWriter, r *http.Request) {
	c, ok := p.qrcodes[r.URL.Query().Get("ticket")]
	if !ok || (!c.Expires.IsZero() && !p.now().Before(c.Expires)) {
		http.NotFound(w, r)
		return
	}
	png, err := qrcode.Encode(c.URL, qrcode.Medium, 256)
	if err != nil {
		http.Error(w, "qrcode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/jpg") // sic: the platform's own header for a PNG body
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(png)
}

// QRCodes lists the codes made so far, newest first.
func (p *Platform) QRCodes() []QRCode {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]QRCode, 0, len(p.qrcodes))
	for _, c := range p.qrcodes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Made.Equal(out[j].Made) {
			return out[i].Made.After(out[j].Made)
		}
		return out[i].Ticket < out[j].Ticket
	})
	return out
}

// Scan is a citizen scanning the code of ticket (or its encoded URL): the
// event the platform then sends, subscribe with "qrscene_<scene>" when
// they do not follow the account yet, SCAN with "<scene>" when they do;
// ok is false for an unknown or expired code, which sends nothing.
func (p *Platform) Scan(openID, ticketOrURL string) (event, key string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for _, c := range p.qrcodes {
		if c.Ticket != ticketOrURL && c.URL != ticketOrURL {
			continue
		}
		if c.Scene == "" || (!c.Expires.IsZero() && !now.Before(c.Expires)) {
			return "", "", false
		}
		if u := p.users[openID]; u != nil && u.following {
			return "SCAN", c.Scene, true
		}
		return "subscribe", "qrscene_" + c.Scene, true
	}
	return "", "", false
}
