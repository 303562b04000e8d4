package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiefen/dispute"
	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// The other party through the API: the case's body invites (201 with the
// contract's fields), nobody else may; bad input is a clear 400; the
// case lists its parties with the phone masked outside the body; the QR
// code endpoint leads to the platform's image; the invitation link opens
// the respondent's page, where they consent and write, and the thread
// has their words as the respondent's.
func TestPartiesAPI(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	e.addUser("boss", store.RoleAdmin, "")
	const who, claimantPhone = "oPartiesCitizen", "13904351234"
	id := e.fileCase(who, "在柳河县物流公司干了一年，辞职后最后一个月工资不给，我电话"+claimantPhone)
	token := func(user string) string {
		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: user}); err != nil {
			t.Fatal(err)
		}
		return value
	}
	call := func(tok, method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	lh, dc, admin := token("liuhe"), token("dongchang"), token("boss")

	for _, bad := range []string{`{"role":"respondent","name":""}`, `{"role":"claimant","name":"刘某"}`,
		`{"role":"respondent","name":"刘某","phone":"12345"}`, `{"role":"respondent","name":"刘某","extra":1}`} {
		if code, b := call(lh, "POST", "/api/v1/cases/"+id+"/parties", bad); code != http.StatusBadRequest || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s: %d %s", bad, code, b)
		}
	}
	if code, _ := call(dc, "POST", "/api/v1/cases/"+id+"/parties", `{"role":"respondent","name":"刘某"}`); code != http.StatusNotFound {
		t.Fatalf("another body invites: %d", code)
	}
	code, b := call(lh, "POST", "/api/v1/cases/"+id+"/parties", `{"role":"respondent","name":"刘某","phone":"138 1234 5678"}`)
	var p struct {
		ID, Role, Name, Status, Phone, Scene string
		InviteURL                            string `json:"invite_url"`
		QRCodeURL                            string `json:"qrcode_url"`
	}
	if err := json.Unmarshal(b, &p); code != http.StatusCreated || err != nil {
		t.Fatalf("invite: %d %s", code, b)
	}
	if p.ID != id+"-R1" || p.Role != "respondent" || p.Name != "刘某" || p.Status != "invited" || p.Phone != "13812345678" ||
		!strings.HasPrefix(p.Scene, "jfp_") || !strings.Contains(p.InviteURL, "/c/"+p.ID+"/") || !strings.HasSuffix(p.QRCodeURL, "/parties/"+p.ID+"/qrcode") {
		t.Fatalf("invite answered %s", b)
	}

	// The case lists its party; other bodies' eyes (an admin's) get the phone masked.
	for _, c := range []struct{ tok, phone string }{{lh, "13812345678"}, {admin, "138****5678"}} {
		code, b = call(c.tok, "GET", "/api/v1/cases/"+id, "")
		var k struct {
			Parties []map[string]string `json:"parties"`
		}
		if err := json.Unmarshal(b, &k); code != 200 || err != nil || len(k.Parties) != 1 {
			t.Fatalf("case: %d %s", code, b)
		}
		if got := k.Parties[0]; got["id"] != p.ID || got["role"] != "respondent" || got["name"] != "刘某" || got["status"] != "invited" || got["phone"] != c.phone {
			t.Errorf("parties: %v, want phone %s", got, c.phone)
		}
	}

	// The code: the platform's image, a PNG.
	req, _ := http.NewRequest("GET", p.QRCodeURL, nil)
	req.Header.Set("Authorization", "Bearer "+lh)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(img, []byte("\x89PNG")) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code: %d %s %.20q", resp.StatusCode, resp.Header.Get("Content-Type"), img)
	}

	// The invitation page, outside WeChat: the case as the respondent may
	// see it, never the claimant's phone or words.
	page := func() string {
		resp, err := http.Get(p.InviteURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("invitation page: %d", resp.StatusCode)
		}
		return string(b)
	}
	got := page()
	mustContain(t, got, id, "劳动争议", "柳河县", "第十七条", "个人信息告知", "同意调解", "不同意", "已邀请")
	for _, secret := range []string{claimantPhone, who} {
		if strings.Contains(got, secret) {
			t.Errorf("the invitation page shows %q", secret)
		}
	}
	if code, _ := (&http.Client{}).Get(strings.Replace(p.InviteURL, p.ID+"/", p.ID+"/x", 1)); code.StatusCode != http.StatusNotFound {
		t.Errorf("a tampered invitation link: %d", code.StatusCode)
	}
	post := func(form url.Values) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(p.InviteURL, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "problem") {
			t.Fatalf("invitation page post %v: %d %s", form, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	post(url.Values{"answer": {"consent"}})
	post(url.Values{"text": {"我是刘某，工资我月底前给他"}})
	mustContain(t, page(), "同意调解", "我是刘某，工资我月底前给他")
	eventually(t, "the claimant to be told", func() bool { return e.sent(who, "对方已同意调解") > 0 })

	// The mediator writes to the respondent (who reads it on the page) and to all.
	if code, b := call(lh, "POST", "/api/v1/cases/"+id+"/messages", `{"text":"刘先生请带上工资表","to":"respondent"}`); code != http.StatusAccepted {
		t.Fatalf("message to the respondent: %d %s", code, b)
	}
	if code, _ := call(lh, "POST", "/api/v1/cases/"+id+"/messages", `{"text":"x","to":"everyone"}`); code != http.StatusBadRequest {
		t.Fatalf("an unknown recipient: %d", code)
	}
	mustContain(t, page(), "刘先生请带上工资表")
	code, b = call(lh, "GET", "/api/v1/cases/"+id, "")
	var k struct {
		Parties []map[string]string `json:"parties"`
		Events  []dispute.Event     `json:"events"`
	}
	if err := json.Unmarshal(b, &k); code != 200 || err != nil || k.Parties[0]["status"] != "consented" {
		t.Fatalf("case after consent: %d %s", code, b)
	}
	var wrote bool
	for _, ev := range k.Events {
		if ev.Kind == dispute.MessageIn && ev.Actor == "respondent" && ev.Party == p.ID && strings.Contains(ev.Text, "月底前给他") {
			wrote = true
		}
	}
	if !wrote {
		t.Fatalf("the respondent's words are not on the thread as theirs: %s", b)
	}
	// The claimant's own page shows none of it.
	claimantPage := e.app.server.Web.Links.URL(e.srv.URL, id)
	resp, err = http.Get(claimantPage)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(cb), "月底前给他") || strings.Contains(string(cb), "刘先生请带上工资表") {
		t.Errorf("the claimant's page shows what went between the mediator and the respondent")
	}
}

// scan has who scan a party's code: the platform sends subscribe with
// qrscene_ or SCAN, as they follow the account or not. It returns the
// passive reply.
func (e *env) scan(who, partyID string) string {
	e.t.Helper()
	p, err := e.app.store.Party(context.Background(), partyID)
	if err != nil || p.QRTicket == "" {
		e.t.Fatalf("party %s has no code: %v", partyID, err)
	}
	event, key, ok := e.platform.Scan(who, p.QRTicket)
	if !ok {
		e.t.Fatal("the platform does not know the code")
	}
	return e.deliver(e.client.Event(who, event, key))
}

// From the printable invitation the mediator sends the claimant the link
// to forward; the page itself is audited like the case page.
func TestPartyForwardedByClaimant(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oForwardCitizen"
	id := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/parties", url.Values{"csrf": {b.csrf}, "name": {"王老板"}, "phone": {"bad"}}); code != http.StatusBadRequest {
		t.Fatalf("a bad phone: %d", code)
	}
	if code := b.post("/console/cases/"+id+"/parties", url.Values{"csrf": {b.csrf}, "name": {"王老板"}}); code != http.StatusSeeOther {
		t.Fatalf("invite: %d", code)
	}
	code, page := b.get("/console/cases/" + id + "/parties/" + id + "-R1")
	if code != 200 {
		t.Fatalf("invitation page: %d", code)
	}
	mustContain(t, page, "人民调解邀请函", "王老板", "/c/"+id+"-R1/", "打印邀请函", `src="/console/cases/`+id+`/parties/`+id+`-R1/qr"`)
	if code := b.post("/console/cases/"+id+"/parties/"+id+"-R1/forward", url.Values{"csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("forward: %d", code)
	}
	eventually(t, "the claimant to get the invitation to forward", func() bool { return e.sent(who, "/c/"+id+"-R1/") > 0 })
	entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{CaseID: id})
	if err != nil {
		t.Fatal(err)
	}
	var saw []string
	for _, a := range entries {
		saw = append(saw, a.Action+" "+a.Detail)
	}
	mustContain(t, strings.Join(saw, "\n"), "change party invite "+id+"-R1", "view party "+id+"-R1", "send party forward "+id+"-R1")
}
