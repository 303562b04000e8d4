package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/wxsim"
)

// courtStub is a court's system: it checks each delivery's signature,
// answers 503 while down, and keeps what it accepted.
type courtStub struct {
	secret string
	mu     sync.Mutex
	down   bool
	tries  int
	got    []map[string]any
	srv    *httptest.Server
}

func newCourtStub(t *testing.T, secret string) *courtStub {
	c := &courtStub{secret: secret}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(r.Header.Get("X-Jiefen-Timestamp") + "." + string(body)))
		if r.Header.Get("X-Jiefen-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) || r.Header.Get("X-Jiefen-Delivery") == "" {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tries++
		if c.down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		var p map[string]any
		_ = json.Unmarshal(body, &p)
		c.got = append(c.got, p)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *courtStub) state() (tries int, got []map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tries, append([]map[string]any(nil), c.got...)
}

// courtRoutes is the built-in table with 柳河县's court listening at url.
func courtRoutes(t *testing.T, url string) string {
	table := strings.Replace(string(routing.BuiltinYAML()), "  - id: lh-court\n",
		"  - id: lh-court\n    webhook: {url: \""+url+"/judicial\", secret_env: LH_COURT_WEBHOOK_SECRET}\n", 1)
	routes := filepath.Join(t.TempDir(), "routes.yaml")
	if err := os.WriteFile(routes, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	return routes
}

// apiCall sends a JSON API request with a token and decodes the answer.
func (e *env) apiCall(method, path, token, body string, out any) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	if b, ok := out.(*[]byte); ok {
		*b = data
	}
	return resp.StatusCode
}

type agreementJSON struct {
	Version       int    `json:"version"`
	SHA256        string `json:"sha256"`
	Status        string `json:"status"`
	Confirmations []struct {
		Role string    `json:"role"`
		At   time.Time `json:"at"`
	} `json:"confirmations"`
}

type judicialJSON struct {
	Status      string    `json:"status"`
	Court       string    `json:"court"`
	RequestedAt time.Time `json:"requested_at"`
	Due         time.Time `json:"due"`
	Number      string    `json:"number"`
}

// The whole walk through the API and the chat: a mediator drafts an
// agreement and mends it (the first version's confirmation is void and a
// confirmation of it refused), the party confirms the current one, the
// PDF holds it, the party applies for judicial confirmation, the court's
// system is down and then receives the signed referral
// (kind judicial_confirmation, the agreement and its PDF, the parties
// with their service addresses), and the court's answers reach the party.
func TestAgreementToCourtWalk(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		court := newCourtStub(t, "court-secret-lh")
		court.down = true
		t.Setenv("LH_COURT_WEBHOOK_SECRET", court.secret)
		clock := newTestClock("w0 Tue 09:00")
		o.now, o.routes, o.publicURL = clock.Now, courtRoutes(t, court.srv.URL), "https://jiefen.example.cn"
		e := newEnv(t, o)
		ctx := context.Background()
		const who = "oCitizenAgreement"
		id := e.fileCase(who, "我在柳河县砖厂干了半年，老板欠我工资八千元不给，电话13912345678")
		k, _ := e.app.store.Case(ctx, id)
		if k.Body != "lh-labor" || k.Phone != "13912345678" {
			t.Fatalf("case %+v", k)
		}
		e.addUser("med", store.RoleMediator, "lh-labor")
		e.addUser("judge", store.RoleMediator, "lh-court")
		med, judge := e.apiToken("med"), e.apiToken("judge")

		var ag agreementJSON
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/status", med, `{"status":"accepted"}`, nil); code != http.StatusOK {
			t.Fatalf("accept: %d", code)
		}
		// The respondent: invited by the mediator, joins by scanning the
		// case's code, agrees to mediation.
		const resp = "oRespondentAgreement"
		var invited struct {
			ID    string `json:"id"`
			Scene string `json:"scene"`
		}
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/parties", med, `{"role":"respondent","name":"刘某","phone":"13812345678"}`, &invited); code != http.StatusCreated || invited.Scene == "" {
			t.Fatalf("invite: %d %+v", code, invited)
		}
		mustContain(t, e.deliver(&wxsim.Message{FromUserName: resp, CreateTime: clock.Now().Unix(), MsgType: "event", Event: "subscribe",
			EventKey: "qrscene_" + invited.Scene}), id, "同意调解")
		mustContain(t, e.say(resp, "同意调解"), "同意")
		v1 := "一、当事人基本情况\n申请人：王某，男，45岁，住柳河县柳河镇\n被申请人：刘某（柳河县某砖厂负责人）\n二、纠纷事实：砖厂欠王某工资八千元。\n三、协议内容：砖厂支付王某工资七千元。\n四、履行：2026年12月31日前银行转账。"
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/agreement", med, mustJSON(map[string]string{"terms": v1}), &ag); code != http.StatusCreated ||
			ag.Version != 1 || ag.Status != "draft" || len(ag.SHA256) != 64 || ag.Confirmations == nil {
			t.Fatalf("draft v1: %d %+v", code, ag)
		}
		eventually(t, "the terms in the party's chat", e.delivered(who, "砖厂支付王某工资七千元"))
		eventually(t, "the terms in the respondent's chat", e.delivered(resp, "砖厂支付王某工资七千元"))
		v2 := strings.Replace(v1, "七千元", "八千元", 1)
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/agreement", med, mustJSON(map[string]string{"terms": v2}), &ag); code != http.StatusCreated || ag.Version != 2 {
			t.Fatalf("draft v2: %d %+v", code, ag)
		}
		eventually(t, "the new version in the party's chat", e.delivered(who, "第2版"))
		mustContain(t, e.say(who, "确认协议 1"), "第1版协议已被第2版代替")
		mustContain(t, e.say(who, "确认协议"), "等对方也确认")
		if code := e.apiCall("GET", "/api/v1/cases/"+id+"/agreement", med, "", &ag); code != http.StatusOK || ag.Status != "draft" ||
			ag.Version != 2 || len(ag.Confirmations) != 1 || ag.Confirmations[0].Role != "citizen" {
			t.Fatalf("agreement after one confirmation: %d %+v", code, ag)
		}
		clock.advance(time.Minute)
		reply := e.say(resp, "确认协议")
		mustContain(t, reply, "已生效", "司法确认", "不收费", "30日内", "申请司法确认")
		eventually(t, "the claimant told it took effect", e.delivered(who, "已生效"))
		if code := e.apiCall("GET", "/api/v1/cases/"+id+"/agreement", med, "", &ag); code != http.StatusOK || ag.Status != "signed" ||
			len(ag.Confirmations) != 2 || ag.Confirmations[1].Role != "respondent" {
			t.Fatalf("agreement after confirmation: %d %+v", code, ag)
		}
		mustContain(t, e.say(who, "确认协议"), "已确认过")

		// The PDF, as pdftotext reads it.
		var pdf []byte
		if code := e.apiCall("GET", "/api/v1/cases/"+id+"/agreement.pdf", med, "", &pdf); code != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("pdf: %d %.20q", code, pdf)
		}
		if text, ok := pdfText(t, pdf); ok {
			// The claimant's name, never asked in the chat, comes from
			// the terms' 申请人 line to the confirmations.
			mustContain(t, text, id, "砖厂支付王某工资八千元", "申请人", "13912345678", "被申请人：刘某", ag.SHA256, "第2版",
				"申请人王某于", "被申请人刘某于")
		}
		// The console's case page: the agreement's panel and its PDF.
		b := e.browser()
		if code := b.login("med", "password-med"); code != http.StatusSeeOther {
			t.Fatalf("login: %d", code)
		}
		_, page := b.get("/console/cases/" + id)
		mustContain(t, page, "调解协议", "第2版", "已生效", "申请人：已确认", "被申请人：已确认", "/console/cases/"+id+"/agreement.pdf",
			"司法确认", "可申请", "修改调解协议")
		if code, body := b.get("/console/cases/" + id + "/agreement.pdf"); code != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("the console's PDF: %d", code)
		}
		if code := e.apiCall("GET", "/api/v1/cases/"+id+"/agreement.pdf", judge, "", nil); code != http.StatusNotFound {
			t.Fatalf("a court not applied to reads the agreement: %d", code)
		}

		var got struct {
			Judicial *judicialJSON `json:"judicial_confirmation"`
		}
		e.apiCall("GET", "/api/v1/cases/"+id, med, "", &got)
		signedAt := clock.Now()
		if got.Judicial == nil || got.Judicial.Status != "available" || got.Judicial.Court != "lh-court" ||
			!got.Judicial.Due.Equal(signedAt.Add(30*24*time.Hour)) || !got.Judicial.RequestedAt.IsZero() {
			t.Fatalf("judicial confirmation after signing: %+v", got.Judicial)
		}

		// Apply, with a service address; the court is down.
		mustContain(t, e.say(who, "申请司法确认 柳河县柳河镇示例路1号"), "还需要对方", "柳河县柳河镇示例路1号")
		mustContain(t, e.say(resp, "申请司法确认"), "柳河县人民法院")
		eventually(t, "the claimant told it went to the court", e.delivered(who, "已提交"))
		eventually(t, "an attempt at the court", func() bool { n, _ := court.state(); return n >= 1 })
		if _, got := court.state(); len(got) != 0 {
			t.Fatal("delivered while down")
		}
		e.apiCall("GET", "/api/v1/cases/"+id, med, "", &got)
		if got.Judicial.Status != "requested" || got.Judicial.RequestedAt.IsZero() {
			t.Fatalf("after applying: %+v", got.Judicial)
		}
		court.mu.Lock()
		court.down = false
		court.mu.Unlock()
		clock.advance(time.Minute) // past the first backoff
		e.app.referrals.Kick()
		eventually(t, "the referral at the court after the outage", func() bool { _, got := court.state(); return len(got) == 1 })
		_, deliveries := court.state()
		p := deliveries[0]
		agr, _ := p["agreement"].(map[string]any)
		pdfB64, _ := agr["pdf_base64"].(string)
		pdfBytes, err := base64.StdEncoding.DecodeString(pdfB64)
		parties, _ := p["parties"].([]any)
		if p["kind"] != "judicial_confirmation" || agr["sha256"] != ag.SHA256 || agr["terms"] != v2 || err != nil ||
			!strings.HasPrefix(string(pdfBytes), "%PDF-") || len(parties) != 2 {
			t.Fatalf("court payload: %v", p)
		}
		party, _ := parties[0].(map[string]any)
		service, _ := party["service_address"].(map[string]any)
		if party["role"] != "citizen" || service["phone"] != "13912345678" || service["address"] != "柳河县柳河镇示例路1号" || service["wechat"] == "" {
			t.Fatalf("party: %v", party)
		}
		party, _ = parties[1].(map[string]any)
		service, _ = party["service_address"].(map[string]any)
		if party["role"] != "respondent" || party["name"] != "刘某" || service["phone"] != "13812345678" {
			t.Fatalf("respondent: %v", party)
		}
		if c, _ := p["case"].(map[string]any); c["id"] != id || !strings.HasSuffix(p["answer_url"].(string), "/api/v1/cases/"+id+"/judicial_confirmation") {
			t.Fatalf("case in payload: %v", p)
		}

		// The court answers; others may not.
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/judicial_confirmation", med, `{"status":"confirmed"}`, nil); code != http.StatusForbidden {
			t.Fatalf("the mediation body answered for the court: %d", code)
		}
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/judicial_confirmation", judge, `{"status":"accepted"}`, nil); code != http.StatusBadRequest {
			t.Fatalf("accepted without a number: %d", code)
		}
		var j judicialJSON
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/judicial_confirmation", judge, `{"status":"accepted","number":"(2026)吉0524民特123号"}`, &j); code != http.StatusOK ||
			j.Status != "accepted" || j.Number != "(2026)吉0524民特123号" {
			t.Fatalf("accepted: %d %+v", code, j)
		}
		eventually(t, "the acceptance told", e.delivered(who, "(2026)吉0524民特123号"))
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/judicial_confirmation", judge, `{"status":"confirmed"}`, &j); code != http.StatusOK || j.Status != "confirmed" {
			t.Fatalf("confirmed: %d %+v", code, j)
		}
		eventually(t, "the confirmation told", e.delivered(who, "强制执行"))
		eventually(t, "the confirmation told the respondent", e.delivered(resp, "强制执行"))
		if code := e.apiCall("POST", "/api/v1/cases/"+id+"/judicial_confirmation", judge, `{"status":"rejected","reason":"x"}`, nil); code != http.StatusConflict {
			t.Fatalf("a second ruling: %d", code)
		}
		e.apiCall("GET", "/api/v1/cases/"+id, med, "", &got)
		if got.Judicial.Status != "confirmed" || got.Judicial.Number != "(2026)吉0524民特123号" {
			t.Fatalf("after the ruling: %+v", got.Judicial)
		}
		events, _ := e.app.store.Events(ctx, id)
		k, _ = e.app.store.Case(ctx, id)
		mustContain(t, e.app.server.Web.Cases.NonPerformance(k, events), "申请强制执行", "柳河县人民法院", "2年")
	})
}

// pdfText is the text of a PDF as pdftotext extracts it, spaces and line
// ends removed; false (and the test skipped) without poppler.
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext (poppler-utils) missing: PDF text not checked")
		return "", false
	}
	f := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), ""), true
}

// Both parties reply 确认协议 at the same moment, version after version:
// each time the agreement takes effect once, at once — the second word
// runs again on a thread holding the first (store.ThreadMark) — where the
// two used to cross, each seeing the other's missing, and neither sign.
// Then both apply for judicial confirmation at once, and it is requested.
func TestSimultaneousConfirmationsSign(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Plain}, func(t *testing.T, o envOptions) {
		clock := newTestClock("w0 Tue 09:00")
		o.now = clock.Now
		e := newEnv(t, o)
		ctx := context.Background()
		const who, resp = "oCitizenRace", "oRespondentRace"
		id, med := e.acceptedWageCase(who)
		var invited struct {
			Scene string `json:"scene"`
		}
		e.apiCall("POST", "/api/v1/cases/"+id+"/parties", med, `{"role":"respondent","name":"刘某"}`, &invited)
		e.deliver(&wxsim.Message{FromUserName: resp, CreateTime: clock.Now().Unix(), MsgType: "event", Event: "subscribe", EventKey: "qrscene_" + invited.Scene})
		e.say(resp, "同意调解")
		e.platform.AddUser(resp)
		// atOnce has both parties say text at the same moment.
		atOnce := func(text string) []string {
			msgs := []*wxsim.Message{e.client.Text(who, text), e.client.Text(resp, text)}
			replies := make([]string, len(msgs))
			errs := make([]error, len(msgs))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, m := range msgs {
				wg.Go(func() {
					<-start
					rep, err := e.client.Deliver(context.Background(), m)
					if err == nil {
						replies[i] = rep.Content
					}
					errs[i] = err
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			return replies
		}
		for v := 1; v <= 5; v++ {
			var ag agreementJSON
			terms := fmt.Sprintf(`{"terms":"砖厂于12月31日前支付工资八千元，第%d稿。"}`, v)
			if code := e.apiCall("POST", "/api/v1/cases/"+id+"/agreement", med, terms, &ag); code != http.StatusCreated || ag.Version != v {
				t.Fatalf("draft %d: %d %+v", v, code, ag)
			}
			clock.advance(time.Minute)
			replies := atOnce("确认协议")
			e.apiCall("GET", "/api/v1/cases/"+id+"/agreement", med, "", &ag)
			if ag.Status != "signed" || ag.Version != v || len(ag.Confirmations) != 2 {
				t.Fatalf("version %d after both confirmed at once: %+v (replies %q)", v, ag, replies)
			}
			events, err := e.app.store.Events(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			signed := 0
			for _, ev := range events {
				if ev.Kind == dispute.AgreementSigned && strings.HasPrefix(ev.Text, strconv.Itoa(v)+" ") {
					signed++
				}
			}
			if signed != 1 || !strings.Contains(replies[0]+replies[1], "已生效") {
				t.Fatalf("version %d: signed %d times; replies %q", v, signed, replies)
			}
		}
		// Both apply for judicial confirmation at the same moment: the
		// application goes to the court.
		atOnce("申请司法确认")
		var got struct {
			Judicial struct {
				Status string `json:"status"`
				Court  string `json:"court"`
			} `json:"judicial_confirmation"`
		}
		e.apiCall("GET", "/api/v1/cases/"+id, med, "", &got)
		if got.Judicial.Status != "requested" || got.Judicial.Court == "" {
			t.Fatalf("after both applied at once: %+v", got.Judicial)
		}
	})
}

// A respondent who never uses WeChat takes every step on the invitation
// page: agrees to mediate, reads the agreement, confirms the version the
// page showed (an older one is refused), and applies for judicial
// confirmation with a service address (in a real browser, at phone size)
// — where before the page only said to reply 确认协议 in a chat they were
// not in.
func TestAgreementOnTheInvitationPage(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenPageAgreement"
	id, med := e.acceptedWageCase(who)
	var invited struct {
		InviteURL string `json:"invite_url"`
	}
	if code := e.apiCall("POST", "/api/v1/cases/"+id+"/parties", med, `{"role":"respondent","name":"刘某"}`, &invited); code != http.StatusCreated {
		t.Fatalf("invite: %d", code)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(form url.Values) string {
		t.Helper()
		resp, err := client.PostForm(invited.InviteURL, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v: %d", form, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	page := func() string {
		t.Helper()
		resp, err := http.Get(invited.InviteURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post(url.Values{"answer": {"consent"}})
	e.apiCall("POST", "/api/v1/cases/"+id+"/agreement", med, `{"terms":"砖厂于12月31日前支付工资七千元。"}`, nil)
	e.apiCall("POST", "/api/v1/cases/"+id+"/agreement", med, `{"terms":"砖厂于12月31日前支付工资八千元。"}`, nil)
	mustContain(t, page(), "调解协议（第2版）", "支付工资八千元", "等待您确认", `name="act" value="confirm"`)

	if loc := post(url.Values{"act": {"confirm"}, "version": {"1"}}); !strings.Contains(loc, "problem=") {
		t.Fatalf("confirming the version replaced: %s", loc)
	}
	post(url.Values{"act": {"confirm"}, "version": {"2"}})
	mustContain(t, e.say(who, "确认协议"), "已生效")
	var ag agreementJSON
	e.apiCall("GET", "/api/v1/cases/"+id+"/agreement", med, "", &ag)
	if ag.Status != "signed" || ag.Version != 2 || len(ag.Confirmations) != 2 {
		t.Fatalf("after the page's confirmation and the chat's: %+v", ag)
	}
	mustContain(t, page(), "已生效", "申请司法确认", `name="address"`)

	e.say(who, "申请司法确认")
	// The application, as the respondent makes it: in a browser, on a
	// phone-sized page that must not scroll sideways.
	ctx := newBrowser(t)
	err := chromedp.Do(ctx, chromedp.Navigate(invited.InviteURL), chromedp.WaitVisible(`#agreement form.apply`))
	if err != nil {
		t.Fatal(err)
	}
	shotBoth(t, ctx, "invitation-page-agreement")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form.answer").length`)); err != nil || n != 0 {
		t.Errorf("the page still offers 同意调解/不同意 once the agreement took effect: %d forms (%v)", n, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`#agreement input[name=address]`, "柳河县示例路8号"),
		chromedp.Click(`#agreement form.apply button`),
		chromedp.WaitVisible(`.sent`),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Judicial struct {
			Status string `json:"status"`
		} `json:"judicial_confirmation"`
	}
	e.apiCall("GET", "/api/v1/cases/"+id, med, "", &got)
	if got.Judicial.Status != "requested" {
		t.Fatalf("after both applied (one on the page): %+v", got.Judicial)
	}
	mustContain(t, page(), "已提交法院")
}

// acceptedWageCase files a wage case for who through the chat and has a
// mediator of its body ("med") accept it; it returns the case and the
// mediator's API token.
func (e *env) acceptedWageCase(who string) (id, med string) {
	e.t.Helper()
	id = e.fileCase(who, "我在柳河县砖厂干了半年，老板欠我工资八千元不给，电话13912345678")
	e.addUser("med", store.RoleMediator, "lh-labor")
	med = e.apiToken("med")
	if code := e.apiCall("POST", "/api/v1/cases/"+id+"/status", med, `{"status":"accepted"}`, nil); code != http.StatusOK {
		e.t.Fatalf("accept: %d", code)
	}
	return id, med
}
