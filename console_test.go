package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// addUser creates a console user with a known password.
func (e *env) addUser(name, role, body string) {
	e.t.Helper()
	hash, err := handlers.HashPassword("password-" + name)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.store.PutUser(context.Background(), store.User{Name: name, Role: role, Body: body, PasswordHash: hash}); err != nil {
		e.t.Fatal(err)
	}
}

// browser is a cookie-keeping client for the console.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) int {
	b.t.Helper()
	code, _ := b.postPage(path, form)
	return code
}

// postPage posts a form and returns the status and the page answered.
func (b *browser) postPage(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) login(name, password string) int {
	b.t.Helper()
	b.get("/console/login")
	return b.post("/console/login", url.Values{"csrf": {b.csrf}, "name": {name}, "password": {password}})
}

// A mediator sees their body's case with the whole thread and contact
// details; a mediator of another body gets 404 everywhere; an admin sees
// it with the contact details masked.
func TestConsoleAccess(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	e.addUser("admin", store.RoleAdmin, "")
	const who = "oConsoleCitizen1"
	e.say(who, "我在柳河县工地干了三个月，老板拖欠工资<script>alert(1)</script>")
	e.say(who, "同意")
	e.say(who, "13912345678")
	id := caseIDRe.FindString(e.say(who, "1"))

	lh := e.browser()
	if code := lh.login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	_, queue := lh.get("/console/")
	mustContain(t, queue, id, "劳动争议")
	code, page := lh.get("/console/cases/" + id)
	if code != 200 {
		t.Fatalf("case page %d", code)
	}
	mustContain(t, page, "13912345678", "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(page, who) {
		t.Fatal("the case page shows the citizen's openid, which means nothing to a mediator")
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("the complaint's HTML is rendered as HTML")
	}

	dc := e.browser()
	dc.login("dongchang", "password-dongchang")
	for _, p := range []string{"/console/cases/" + id, "/console/cases/" + id + "/thread", "/console/cases/" + id + "/row"} {
		if code, _ := dc.get(p); code != http.StatusNotFound {
			t.Fatalf("another body's mediator got %d for %s", code, p)
		}
	}
	if _, q := dc.get("/console/"); strings.Contains(q, id) {
		t.Fatal("another body's queue lists the case")
	}

	ad := e.browser()
	ad.login("admin", "password-admin")
	_, page = ad.get("/console/cases/" + id)
	mustContain(t, page, "139****5678")
	if strings.Contains(page, "13912345678") || strings.Contains(page, who) {
		t.Fatal("the admin sees the contact details in clear")
	}
}

// Forms without the session's CSRF token are refused; with it, a reply
// reaches the citizen's WeChat.
func TestConsoleCSRFAndReply(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oConsoleCitizen2"
	id := e.fileCase(who, "在柳河县的饭店打工，老板两个月没给开工资")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/reply", url.Values{"text": {"您好"}}); code != http.StatusForbidden {
		t.Fatalf("reply without CSRF token: %d", code)
	}
	if code := b.post("/console/cases/"+id+"/reply", url.Values{"text": {"您好"}, "csrf": {"forged"}}); code != http.StatusForbidden {
		t.Fatalf("reply with a forged token: %d", code)
	}
	if code := b.post("/console/cases/"+id+"/reply", url.Values{"text": {"您好，我是调解员小王，明天上午给您打电话。"}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	eventually(t, "the reply to reach WeChat", func() bool {
		for _, d := range e.platform.Deliveries(who) {
			if !d.Passive && strings.Contains(d.Text, "明天上午给您打电话") && strings.Contains(d.Text, id) {
				return true
			}
		}
		return false
	})
	_, page := b.get("/console/cases/" + id)
	mustContain(t, page, "明天上午给您打电话", "还可发送")
	if code := b.post("/console/cases/"+id+"/status", url.Values{"status": {"accepted"}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("status: %d", code)
	}
	eventually(t, "the status notice", func() bool {
		for _, d := range e.platform.Deliveries(who) {
			if strings.Contains(d.Text, "已受理") {
				return true
			}
		}
		return false
	})
}

// Five wrong passwords, then even the right one is refused for a while.
func TestLoginThrottled(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	b := e.browser()
	for i := 0; i < 5; i++ {
		if code := b.login("liuhe", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code := b.login("liuhe", "password-liuhe"); code != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d", code)
	}
	if code := b.post("/console/login", url.Values{"name": {"liuhe"}, "password": {"password-liuhe"}}); code != http.StatusForbidden {
		t.Fatalf("login without its form token: %d", code)
	}
}

// Parallel guesses for one name: each attempt is counted before its
// password is checked, so no more than the limit are checked, and the
// right password among them is refused once the limit is reached.
func TestLoginThrottleHoldsUnderParallelGuesses(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Plain}, testParallelGuesses)
}

func testParallelGuesses(t *testing.T, o envOptions) {
	e := newEnv(t, o)
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	codes := make([]int, 40)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			pw := "wrong"
			if i == len(codes)-1 {
				pw = "password-liuhe"
			}
			codes[i] = e.browser().login("liuhe", pw)
		})
	}
	wg.Wait()
	checked := 0
	for _, c := range codes {
		if c != http.StatusTooManyRequests {
			checked++
		}
	}
	if checked > 5 {
		t.Fatalf("%d of %d parallel guesses had their password checked (limit 5): %v", checked, len(codes), codes)
	}
}

// The live stream: a citizen's message reaches the mediator's websocket
// at once; another body's mediator hears nothing of it; a page of another
// site may not open the stream with the mediator's cookies.
func TestConsoleStream(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	lh, dc := e.browser(), e.browser()
	lh.login("liuhe", "password-liuhe")
	dc.login("dongchang", "password-dongchang")
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/console/ws"
	dial := func(b *browser, origin string) (*websocket.Conn, int) {
		h := http.Header{"Origin": {origin}}
		u, _ := url.Parse(e.srv.URL)
		for _, c := range b.c.Jar.Cookies(u) {
			h.Add("Cookie", c.Name+"="+c.Value)
		}
		conn, resp, err := websocket.DefaultDialer.Dial(wsURL, h)
		if err != nil {
			if resp == nil {
				t.Fatal(err)
			}
			return nil, resp.StatusCode
		}
		return conn, resp.StatusCode
	}
	if _, code := dial(lh, "https://evil.example"); code != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", code)
	}
	conn, code := dial(lh, e.srv.URL)
	if conn == nil {
		t.Fatalf("same-origin websocket refused: %d", code)
	}
	defer conn.Close()
	other, _ := dial(dc, e.srv.URL)
	defer other.Close()

	const who = "oConsoleCitizen3"
	id := e.fileCase(who, "在柳河县的砖厂干活，工资拖了半年不给")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev struct {
		Case string `json:"case"`
		New  bool   `json:"new"`
	}
	for ev.Case != id {
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("no event for the new case: %v", err)
		}
	}
	e.say(who, "补充：老板姓张")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	ev.Case, ev.New = "", false
	if err := conn.ReadJSON(&ev); err != nil || ev.Case != id || ev.New {
		t.Fatalf("citizen's addition: %+v %v", ev, err)
	}
	_ = other.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, msg, err := other.ReadMessage(); err == nil {
		t.Fatalf("another body's mediator received %s", msg)
	}

	// Logging out ends the session's stream.
	lh.get("/console/")
	if code := lh.post("/console/logout", url.Values{"csrf": {lh.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("the stream did not close after logout: %v", err)
			}
			break
		}
		t.Logf("after logout: %s", msg)
	}
}

// The API acts as the token's user, with the same access rule.
func TestAPI(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	const who = "oConsoleCitizen4"
	id := e.fileCase(who, "在柳河县物流公司干了一年，辞职后最后一个月工资不给")
	token := func(user string) string {
		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: user}); err != nil {
			t.Fatal(err)
		}
		return value
	}
	call := func(tok, method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	lh, dc := token("liuhe"), token("dongchang")
	if code, _ := call("", "GET", "/api/v1/cases", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	code, out := call(lh, "GET", "/api/v1/cases", "")
	if code != 200 || !strings.Contains(mustJSON(out), id) {
		t.Fatalf("cases: %d %v", code, out)
	}
	code, out = call(lh, "GET", "/api/v1/cases/"+id, "")
	if code != 200 || out["status"] != "referred" || out["openid"] != who {
		t.Fatalf("case (its own body sees the openid): %d %v", code, out)
	}
	if ev, _ := out["events"].([]any); len(ev) == 0 {
		t.Fatalf("case without events: %v", out)
	}
	if code, _ := call(dc, "GET", "/api/v1/cases/"+id, ""); code != http.StatusNotFound {
		t.Fatalf("another body's token: %d", code)
	}
	if code, _ := call(dc, "POST", "/api/v1/cases/"+id+"/messages", `{"text":"hi"}`); code != http.StatusNotFound {
		t.Fatalf("another body's token posting: %d", code)
	}
	if code, out := call(lh, "POST", "/api/v1/cases/"+id+"/status", `{"status":"accepted","note":"已受理"}`); code != 200 || out["status"] != "accepted" {
		t.Fatalf("status: %d %v", code, out)
	}
	if code, _ := call(lh, "POST", "/api/v1/cases/"+id+"/status", `{"status":"withdrawn"`); code != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %d", code)
	}
	if code, _ := call(lh, "POST", "/api/v1/cases/"+id+"/messages", `{"text":"请带上劳动合同"}`); code != http.StatusAccepted {
		t.Fatalf("message: %d", code)
	}
	eventually(t, "the API message to reach WeChat", func() bool {
		for _, d := range e.platform.Deliveries(who) {
			if strings.Contains(d.Text, "请带上劳动合同") {
				return true
			}
		}
		return false
	})
	if code, out := call(lh, "GET", "/api/v1/bodies", ""); code != 200 || !strings.Contains(mustJSON(out), "lh-labor") {
		t.Fatalf("bodies: %d", code)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
