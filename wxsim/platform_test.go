package wxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAppID  = "wx1234567890abcdef"
	testSecret = "s3cr3t"
)

// fixture is a platform served over HTTP with an injected clock.
type fixture struct {
	t     *testing.T
	p     *Platform
	clock *fakeClock
	url   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p := NewPlatform(testAppID, testSecret)
	clock := newClock()
	p.Now = clock.Now
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &fixture{t: t, p: p, clock: clock, url: srv.URL}
}

// do calls the platform and decodes its JSON answer.
func (f *fixture) do(method, path string, body any) map[string]any {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		f.t.Fatalf("%s %s: not JSON: %v", method, path, err)
	}
	return out
}

func errcode(m map[string]any) int {
	c, _ := m["errcode"].(float64)
	return int(c)
}

func (f *fixture) classic() string {
	f.t.Helper()
	m := f.do("GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, nil)
	tok, _ := m["access_token"].(string)
	if tok == "" || m["expires_in"].(float64) != 7200 {
		f.t.Fatalf("classic token: %v", m)
	}
	return tok
}

func (f *fixture) stable(force bool) (string, int) {
	f.t.Helper()
	m := f.do("POST", "/cgi-bin/stable_token", map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": testSecret, "force_refresh": force})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		f.t.Fatalf("stable token: %v", m)
	}
	return tok, int(m["expires_in"].(float64))
}

func (f *fixture) sendText(tok, openID, text string) int {
	f.t.Helper()
	return errcode(f.do("POST", "/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok),
		map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}}))
}

func TestTokenCredentials(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		q    string
		want int
	}{
		{"grant_type=client_credential&appid=wrong&secret=" + testSecret, 40013},
		{"grant_type=client_credential&appid=" + testAppID + "&secret=wrong", 40125},
		{"grant_type=password&appid=" + testAppID + "&secret=" + testSecret, 40002},
		{"grant_type=client_credential&secret=" + testSecret, 41002},
	}
	for _, c := range cases {
		if got := errcode(f.do("GET", "/cgi-bin/token?"+c.q, nil)); got != c.want {
			t.Errorf("%s: errcode %d, want %d", c.q, got, c.want)
		}
	}
	m := f.do("POST", "/cgi-bin/stable_token", map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": "nope"})
	if errcode(m) != 40125 || !strings.HasPrefix(m["errmsg"].(string), "invalid appsecret rid: ") {
		t.Errorf("stable bad secret: %v", m)
	}
	if f.p.TokenFetches() != 0 {
		t.Errorf("failed fetches counted: %d", f.p.TokenFetches())
	}
}

func TestClassicTokenInvalidatesPrevious(t *testing.T) {
	f := newFixture(t)
	f.p.AddUser("o1")
	f.p.Opened("o1", "text")
	first := f.classic()
	if got := f.sendText(first, "o1", "hi"); got != 0 {
		t.Fatalf("send with fresh token: %d", got)
	}
	second := f.classic()
	if first == second {
		t.Fatal("classic endpoint returned the same token twice")
	}
	if got := f.sendText(first, "o1", "hi"); got != 40001 {
		t.Errorf("previous classic token: errcode %d, want 40001", got)
	}
	if got := f.sendText(second, "o1", "hi"); got != 0 {
		t.Errorf("new classic token: errcode %d", got)
	}
	if got := f.sendText("", "o1", "hi"); got != 41001 {
		t.Errorf("missing token: errcode %d, want 41001", got)
	}
	if f.p.TokenFetches() != 2 {
		t.Errorf("TokenFetches = %d, want 2", f.p.TokenFetches())
	}
}

func TestStableToken(t *testing.T) {
	f := newFixture(t)
	f.p.Opened("o1", "text")
	a, exp := f.stable(false)
	if exp != 7200 {
		t.Errorf("expires_in = %d", exp)
	}
	f.clock.Advance(time.Hour)
	b, exp := f.stable(false)
	if a != b || exp != 3600 {
		t.Errorf("stable token changed or wrong expires_in: %v %d", a == b, exp)
	}
	// The classic endpoint is isolated from the stable one.
	f.classic()
	if got := f.sendText(a, "o1", "x"); got != 0 {
		t.Errorf("stable token after classic fetch: %d", got)
	}
	// Near expiry a new token overlaps the old one.
	f.clock.Advance(time.Hour - 200*time.Second)
	c, exp := f.stable(false)
	if c == a || exp != 7200 {
		t.Errorf("no pre-refresh near expiry: same=%v expires_in=%d", c == a, exp)
	}
	if got := f.sendText(a, "o1", "x"); got != 0 {
		t.Errorf("old stable token during overlap: %d", got)
	}
	f.clock.Advance(300 * time.Second)
	if got := f.sendText(a, "o1", "x"); got != 42001 {
		t.Errorf("old stable token after expiry: %d, want 42001", got)
	}
	// force_refresh kills the current token.
	d, _ := f.stable(true)
	if d == c {
		t.Fatal("force_refresh returned the same token")
	}
	if got := f.sendText(c, "o1", "x"); got != 40001 {
		t.Errorf("token replaced by force_refresh: %d, want 40001", got)
	}
	if got := f.p.TokenFetches(); got != 5 {
		t.Errorf("TokenFetches = %d, want 5", got)
	}
}

func TestExpireAndInvalidateTokens(t *testing.T) {
	f := newFixture(t)
	f.p.Opened("o1", "text")
	tok, _ := f.stable(false)
	f.p.ExpireTokens()
	if got := f.sendText(tok, "o1", "x"); got != 42001 {
		t.Errorf("after ExpireTokens: %d, want 42001", got)
	}
	tok2, _ := f.stable(false)
	if tok2 == tok {
		t.Fatal("stable endpoint handed out an expired token")
	}
	if got := f.sendText(tok2, "o1", "x"); got != 0 {
		t.Errorf("fresh token: %d", got)
	}
	f.p.InvalidateTokens()
	if got := f.sendText(tok2, "o1", "x"); got != 40001 {
		t.Errorf("after InvalidateTokens: %d, want 40001", got)
	}
	if got := f.sendText("garbage", "o1", "x"); got != 40001 {
		t.Errorf("unknown token: %d, want 40001", got)
	}
	tok3, _ := f.stable(false)
	if got := f.sendText(tok3, "o1", "x"); got != 0 {
		t.Errorf("token after invalidation: %d", got)
	}
}

func TestMessageWindow(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	if got := f.sendText(tok, "nobody", "x"); got != 40003 {
		t.Errorf("unknown openid: %d, want 40003", got)
	}
	f.p.AddUser("o1")
	if got := f.sendText(tok, "o1", "x"); got != 45015 {
		t.Errorf("follower without window: %d, want 45015", got)
	}
	f.p.Opened("o1", "text")
	if got := f.sendText(tok, "o1", strings.Repeat("a", MaxTextBytes+1)); got != 45002 {
		t.Errorf("long text: %d, want 45002", got)
	}
	if got := f.sendText(tok, "o1", ""); got != 44004 {
		t.Errorf("empty text: %d, want 44004", got)
	}
	if got := f.sendText(tok, "o1", strings.Repeat("解", MaxTextBytes/3)); got != 0 {
		t.Errorf("text at the limit: %d", got)
	}
	for i := 2; i <= MessageQuota; i++ {
		f.clock.Advance(time.Hour)
		tok = f.classic()
		if got := f.sendText(tok, "o1", "update"); got != 0 {
			t.Fatalf("send %d: %d", i, got)
		}
	}
	if left, _ := f.p.WindowLeft("o1"); left != 0 {
		t.Errorf("WindowLeft = %d", left)
	}
	if got := f.sendText(tok, "o1", "one more"); got != 45047 {
		t.Errorf("sixth send: %d, want 45047", got)
	}
	// A new citizen message grants a fresh quota; it runs out after 48 h.
	f.p.Opened("o1", "voice")
	f.clock.Advance(MessageWindow - time.Second)
	tok = f.classic()
	if got := f.sendText(tok, "o1", "late"); got != 0 {
		t.Errorf("just inside 48 h: %d", got)
	}
	f.clock.Advance(time.Second)
	if got := f.sendText(tok, "o1", "too late"); got != 45015 {
		t.Errorf("after 48 h: %d, want 45015", got)
	}
	if n := len(f.p.Deliveries("o1")); n != 6 {
		t.Errorf("deliveries = %d, want 6", n)
	}
}

func TestEventWindow(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.Opened("o2", "subscribe")
	for i := 0; i < EventQuota; i++ {
		if got := f.sendText(tok, "o2", "welcome"); got != 0 {
			t.Fatalf("send %d after follow: %d", i+1, got)
		}
	}
	if got := f.sendText(tok, "o2", "x"); got != 45047 {
		t.Errorf("fourth send after follow: %d, want 45047", got)
	}
	f.p.Opened("o2", "CLICK")
	f.clock.Advance(59 * time.Second)
	if got := f.sendText(tok, "o2", "x"); got != 0 {
		t.Errorf("inside the minute: %d", got)
	}
	f.clock.Advance(time.Second)
	if got := f.sendText(tok, "o2", "x"); got != 45015 {
		t.Errorf("after the minute: %d, want 45015", got)
	}
	// A click does not take away the 48 h grant of an earlier message.
	f.p.Opened("o2", "text")
	f.p.Opened("o2", "CLICK")
	for i := 0; i < EventQuota+MessageQuota; i++ {
		if got := f.sendText(tok, "o2", "x"); got != 0 {
			t.Fatalf("send %d with both windows: %d", i+1, got)
		}
	}
	if got := f.sendText(tok, "o2", "x"); got != 45047 {
		t.Errorf("both windows used: %d, want 45047", got)
	}
	// Leaving closes everything.
	f.p.Opened("o2", "text")
	f.p.Opened("o2", "unsubscribe")
	if got := f.sendText(tok, "o2", "x"); got != 45015 {
		t.Errorf("after unsubscribe: %d, want 45015", got)
	}
}

func TestTemplateMessages(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.AddUser("o1")
	f.p.AddTemplate("TPL")
	send := func(tpl, clientID string) map[string]any {
		return f.do("POST", "/cgi-bin/message/template/send?access_token="+tok, map[string]any{
			"touser": "o1", "template_id": tpl, "url": "https://case.example/c/1",
			"data":          map[string]any{"thing1": map[string]string{"value": "调解已受理"}},
			"client_msg_id": clientID,
		})
	}
	if got := errcode(send("NOPE", "")); got != 40037 {
		t.Errorf("unknown template: %d, want 40037", got)
	}
	a := send("TPL", "case-1-accepted")
	b := send("TPL", "case-1-accepted")
	if errcode(a) != 0 || a["msgid"] == nil || a["msgid"] != b["msgid"] {
		t.Errorf("dedup: %v vs %v", a, b)
	}
	d := f.p.Deliveries("o1")
	if len(d) != 1 || d[0].Kind != "template" || d[0].TemplateID != "TPL" || d[0].URL != "https://case.example/c/1" || d[0].Data["thing1"] != "调解已受理" {
		t.Errorf("deliveries = %+v", d)
	}
	f.clock.Advance(ClientMsgIDWindow)
	c := send("TPL", "case-1-accepted")
	if c["msgid"] == a["msgid"] || len(f.p.Deliveries("o1")) != 2 {
		t.Errorf("client_msg_id remembered past 10 minutes: %v", c)
	}
	e := send("TPL", "")
	g := send("TPL", "")
	if e["msgid"] == g["msgid"] {
		t.Error("sends without client_msg_id were merged")
	}
	f.p.Opened("o1", "unsubscribe")
	if got := errcode(send("TPL", "x")); got != 43004 {
		t.Errorf("template to a leaver: %d, want 43004", got)
	}
}

func TestSubscriptionNotification(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.AddTemplate("SUB")
	f.p.AddUser("o1")
	send := func() int {
		return errcode(f.do("POST", "/cgi-bin/message/subscribe/bizsend?access_token="+tok, map[string]any{
			"touser": "o1", "template_id": "SUB", "page": "https://case.example/c/1",
			"data": map[string]any{"thing1": map[string]string{"value": "有新回复"}},
		}))
	}
	if got := send(); got != 43101 {
		t.Errorf("without consent: %d, want 43101", got)
	}
	f.p.AllowSubscription("o1", "SUB")
	if got := send(); got != 0 {
		t.Errorf("with consent: %d", got)
	}
	if got := send(); got != 43101 {
		t.Errorf("consent reused: %d, want 43101", got)
	}
	if d := f.p.Deliveries("o1"); len(d) != 1 || d[0].Kind != "subscribe" || d[0].URL != "https://case.example/c/1" {
		t.Errorf("deliveries = %+v", d)
	}
}

func TestMedia(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	amr := []byte("#!AMR\n\x00\x01\x02")
	f.p.AddMedia("VOICE1", "audio/amr", amr)

	resp, err := http.Get(f.url + "/cgi-bin/media/get?access_token=" + tok + "&media_id=VOICE1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "audio/amr" || !bytes.Equal(body, amr) {
		t.Errorf("media/get: %s %q", resp.Header.Get("Content-Type"), body)
	}
	resp, err = http.Get(f.url + "/cgi-bin/media/get?access_token=" + tok + "&media_id=NOPE")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), `"errcode":40007`) {
		t.Errorf("unknown media: %s %s", resp.Header.Get("Content-Type"), body)
	}
	if got := errcode(f.do("GET", "/cgi-bin/media/get?access_token=bad&media_id=VOICE1", nil)); got != 40001 {
		t.Errorf("bad token: %d", got)
	}
	f.clock.Advance(MediaLifetime)
	tok = f.classic()
	if got := errcode(f.do("GET", "/cgi-bin/media/get?access_token="+tok+"&media_id=VOICE1", nil)); got != 40007 {
		t.Errorf("media after 3 days: %d, want 40007", got)
	}
}

func TestMediaUploadAndImageSend(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.Opened("o1", "text")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("media", "qr.png")
	png := []byte("\x89PNG\r\n\x1a\nfake")
	part.Write(png)
	mw.Close()
	resp, err := http.Post(f.url+"/cgi-bin/media/upload?access_token="+tok+"&type=image", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	mediaID, _ := raw["media_id"].(string)
	if mediaID == "" || raw["type"] != "image" {
		t.Fatalf("upload: %v", raw)
	}
	img := func(id string) int {
		return errcode(f.do("POST", "/cgi-bin/message/custom/send?access_token="+tok,
			map[string]any{"touser": "o1", "msgtype": "image", "image": map[string]string{"media_id": id}}))
	}
	if got := img("NOPE"); got != 40007 {
		t.Errorf("image with unknown media: %d, want 40007", got)
	}
	if got := img(mediaID); got != 0 {
		t.Errorf("image send: %d", got)
	}
	if d := f.p.Deliveries("o1"); len(d) != 1 || d[0].Kind != "image" || d[0].MediaID != mediaID {
		t.Errorf("deliveries = %+v", d)
	}
}

func TestMenu(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	menu := map[string]any{"button": []any{map[string]string{"type": "click", "name": "我要投诉", "key": "COMPLAIN"}}}
	if got := errcode(f.do("POST", "/cgi-bin/menu/create?access_token="+tok, menu)); got != 0 {
		t.Fatalf("menu create: %d", got)
	}
	var back map[string]any
	if err := json.Unmarshal(f.p.Menu(), &back); err != nil || !strings.Contains(string(f.p.Menu()), "COMPLAIN") {
		t.Errorf("Menu() = %s, %v", f.p.Menu(), err)
	}
	if got := errcode(f.do("POST", "/cgi-bin/menu/create?access_token="+tok, map[string]any{"button": []any{}})); got != 40016 {
		t.Errorf("empty menu: %d, want 40016", got)
	}
	if got := errcode(f.do("GET", "/cgi-bin/menu/create?access_token="+tok, nil)); got != 43002 {
		t.Errorf("GET on a POST endpoint: %d, want 43002", got)
	}
	if m := f.do("GET", "/cgi-bin/menu/get?access_token="+tok, nil); m["menu"] == nil {
		t.Errorf("menu/get: %v", m)
	}
}

func TestFailureInjection(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.Opened("o1", "text")
	f.p.FailNext(2, 45009)
	if a, b := f.sendText(tok, "o1", "x"), f.sendText(tok, "o1", "x"); a != 45009 || b != 45009 {
		t.Errorf("injected: %d %d", a, b)
	}
	if got := f.sendText(tok, "o1", "x"); got != 0 {
		t.Errorf("after injected failures: %d", got)
	}
	f.p.FailNextToken(1, -1)
	if got := errcode(f.do("GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, nil)); got != -1 {
		t.Errorf("injected token failure: %d", got)
	}
	f.classic()

	f.p.SetDown(true)
	if _, err := http.Get(f.url + "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret); err == nil {
		t.Error("down platform answered")
	}
	f.p.SetDown(false)
	f.classic()
}

func TestSubscribeFanOut(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.AddTemplate("T")
	f.p.AddUser("o1")
	slow, cancelSlow := f.p.Subscribe() // never read: must not block
	live, cancelLive := f.p.Subscribe()
	var got []Delivery
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for d := range live {
			got = append(got, d)
		}
	}()
	n := subscriberBuffer + 20
	for i := 0; i < n; i++ {
		m := f.do("POST", "/cgi-bin/message/template/send?access_token="+tok, map[string]any{"touser": "o1", "template_id": "T", "data": map[string]any{}})
		if errcode(m) != 0 {
			t.Fatalf("send %d: %v", i, m)
		}
	}
	cancelLive()
	cancelLive()
	wg.Wait()
	if len(got) != n || got[n-1].Seq != int64(n) {
		t.Errorf("live subscriber got %d deliveries", len(got))
	}
	if len(slow) != subscriberBuffer {
		t.Errorf("slow subscriber buffered %d", len(slow))
	}
	cancelSlow()
	if len(f.p.Deliveries("")) != n {
		t.Errorf("Deliveries(\"\") = %d", len(f.p.Deliveries("")))
	}
}

func TestUserInfo(t *testing.T) {
	f := newFixture(t)
	tok := f.classic()
	f.p.Opened("o1", "subscribe")
	m := f.do("GET", "/cgi-bin/user/info?access_token="+tok+"&openid=o1&lang=zh_CN", nil)
	if m["subscribe"].(float64) != 1 || m["openid"] != "o1" || m["nickname"] != nil {
		t.Errorf("user/info = %v", m)
	}
	if got := errcode(f.do("GET", "/cgi-bin/user/info?access_token="+tok+"&openid=zz", nil)); got != 40003 {
		t.Errorf("unknown openid: %d", got)
	}
}

func TestRewriteURI(t *testing.T) {
	rw := RewriteURI("http://127.0.0.1:9/")
	if got := rw("https://api.weixin.qq.com/cgi-bin/token?x=1"); got != "http://127.0.0.1:9/cgi-bin/token?x=1" {
		t.Errorf("rewrite = %s", got)
	}
	if got := rw("https://other.example/x"); got != "https://other.example/x" {
		t.Errorf("foreign URI rewritten: %s", got)
	}
}
