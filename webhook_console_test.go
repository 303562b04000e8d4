package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"jiefen/store"
	"jiefen/wxsim"
)

// syncBuffer collects the app's log, written from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hookAgency stands in for an agency's system: it takes a referral only
// when signed with the secret it was given (401 otherwise, or 503 while
// down for maintenance), and keeps every request to check signatures later.
type hookAgency struct {
	srv *httptest.Server

	mu      sync.Mutex
	secret  string
	down    bool
	arrived []hookArrival
}

type hookArrival struct {
	caseID, ts, sig string
	body            []byte
	taken           bool
}

func newHookAgency(t *testing.T) *hookAgency {
	a := &hookAgency{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p struct {
			Case struct {
				ID string `json:"id"`
			} `json:"case"`
		}
		_ = json.Unmarshal(body, &p)
		in := hookArrival{caseID: p.Case.ID, ts: r.Header.Get("X-Jiefen-Timestamp"), sig: r.Header.Get("X-Jiefen-Signature"), body: body}
		a.mu.Lock()
		defer a.mu.Unlock()
		in.taken = !a.down && in.verifies(a.secret)
		a.arrived = append(a.arrived, in)
		switch {
		case a.down:
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case !in.taken:
			http.Error(w, "bad signature", http.StatusUnauthorized)
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// verifies checks the signature as an agency would, with its own HMAC.
func (in hookArrival) verifies(secret string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(in.ts + "." + string(in.body)))
	return secret != "" && hmac.Equal([]byte(in.sig), []byte("sha256="+hex.EncodeToString(m.Sum(nil))))
}

func (a *hookAgency) set(secret string, down bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secret, a.down = secret, down
}

// taken returns the referral of a case the agency accepted.
func (a *hookAgency) taken(caseID string) (hookArrival, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, in := range a.arrived {
		if in.caseID == caseID && in.taken {
			return in, true
		}
	}
	return hookArrival{}, false
}

// submit posts a console form and returns the status and the page.
func (b *browser) submit(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var (
	secretRe  = regexp.MustCompile(`<code id="secret">([^<]+)</code>`)
	lhLaborRe = regexp.MustCompile(`(?s)<tr id="body-lh-labor">.*?</tr>`)
)

// An administrator points a body without a webhook in the table at its
// agency's system and generates a secret in the console; the citizen's
// case arrives there signed with it; a rotated secret signs the next
// one, which the old secret no longer verifies. Secrets are shown once
// and never logged; bad addresses are refused with a reason; only
// administrators may do any of it.
func TestAdminManagesBodyWebhook(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Plain}, func(t *testing.T, o envOptions) {
		var logs syncBuffer
		o.log = &logs
		e := newEnv(t, o)
		e.addUser("admin", store.RoleAdmin, "")
		e.addUser("lead", store.RoleSupervisor, "lh-labor")
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		ag := newHookAgency(t)
		hookURL := ag.srv.URL + "/referrals"
		setForm := func(b *browser, secret string) url.Values {
			return url.Values{"csrf": {b.csrf}, "url": {hookURL}, "secret": {secret}}
		}

		for _, name := range []string{"liuhe", "lead"} {
			b := e.browser()
			b.login(name, "password-"+name)
			if _, q := b.get("/console/"); strings.Contains(q, "/console/bodies") {
				t.Errorf("%s is shown the bodies page in the nav", name)
			}
			if code, _ := b.get("/console/bodies"); code != http.StatusForbidden {
				t.Errorf("%s opening the bodies page: %d", name, code)
			}
			for _, p := range []string{"/console/bodies/lh-labor/webhook", "/console/bodies/lh-labor/webhook/remove"} {
				if code := b.post(p, setForm(b, "new")); code != http.StatusForbidden {
					t.Errorf("%s posting %s: %d", name, p, code)
				}
			}
		}

		a := e.browser()
		a.login("admin", "password-admin")
		_, q := a.get("/console/")
		mustContain(t, q, `href="/console/bodies"`)
		code, page := a.get("/console/bodies")
		if code != http.StatusOK {
			t.Fatalf("bodies page: %d", code)
		}
		mustContain(t, page, "柳河县劳动人事争议仲裁院", "未设置", "尚未送达的转介也会改按新的地址和密钥推送")

		for addr, why := range map[string]string{
			"http://agency.example/referrals": "必须以 https:// 开头",
			"ftp://127.0.0.1/x":               "必须以 https:// 开头",
			"agency.example/referrals":        "格式不对",
			"":                                "请填写推送地址",
		} {
			form := setForm(a, "new")
			form.Set("url", addr)
			if code, msg := a.submit("/console/bodies/lh-labor/webhook", form); code != http.StatusBadRequest || !strings.Contains(msg, why) {
				t.Errorf("address %q: %d %q, want 400 saying %q", addr, code, msg, why)
			}
		}
		const short = "short-key-9"
		form := setForm(a, "paste")
		form.Set("pasted", short)
		if code, msg := a.submit("/console/bodies/lh-labor/webhook", form); code != http.StatusBadRequest ||
			!strings.Contains(msg, "16 到 256 个字符") || strings.Contains(msg, short) {
			t.Errorf("a short pasted secret: %d %q", code, msg)
		}
		if code, msg := a.submit("/console/bodies/lh-labor/webhook", setForm(a, "keep")); code != http.StatusBadRequest || !strings.Contains(msg, "生成新密钥") {
			t.Errorf("keeping a secret the console never had: %d %q", code, msg)
		}
		if _, err := e.app.store.BodyWebhook(context.Background(), "lh-labor"); err == nil {
			t.Fatal("a refused form changed the setting")
		}

		// Set, with a new secret shown once.
		code, shown := a.submit("/console/bodies/lh-labor/webhook", setForm(a, "new"))
		m := secretRe.FindStringSubmatch(shown)
		if code != http.StatusOK || m == nil {
			t.Fatalf("setting the webhook: %d\n%s", code, shown)
		}
		first := m[1]
		mustContain(t, shown, "只显示这一次", "交给该单位")
		ag.set(first, false)
		_, page = a.get("/console/bodies")
		mustContain(t, lhLaborRe.FindString(page), hookURL, "管理员设置", "已设置", "admin")
		noSecret(t, "the bodies page after the secret was shown", page, first)

		one := e.fileCase("oHookCitizen1", "在柳河县砖厂干活的工资拖了四个月")
		eventually(t, "the first referral at the agency", func() bool { _, ok := ag.taken(one); return ok })

		// Rotate: the next referral verifies only with the new secret.
		code, shown = a.submit("/console/bodies/lh-labor/webhook", setForm(a, "new"))
		m = secretRe.FindStringSubmatch(shown)
		if code != http.StatusOK || m == nil || m[1] == first {
			t.Fatalf("rotating the secret: %d, same secret again: %v", code, m != nil && m[1] == first)
		}
		second := m[1]
		ag.set(second, false)
		two := e.fileCase("oHookCitizen2", "在柳河县饭店打工，老板拖欠两个月工资不给")
		eventually(t, "the second referral at the agency", func() bool { _, ok := ag.taken(two); return ok })
		if in, _ := ag.taken(two); in.verifies(first) || !in.verifies(second) {
			t.Error("the referral after rotation is not signed with the new secret only")
		}

		// The agency is down: the body's row counts the referral waiting.
		ag.set(second, true)
		three := e.fileCase("oHookCitizen3", "在柳河县工地干活，包工头欠我一万块工钱")
		eventually(t, "a pending referral after a 503", func() bool {
			refs, _ := e.app.store.ListReferrals(context.Background(), store.ReferralFilter{CaseID: three})
			return len(refs) == 1 && refs[0].State == store.RefPending && refs[0].LastError == "http 503"
		})
		_, page = a.get("/console/bodies")
		mustContain(t, lhLaborRe.FindString(page), `class="pending">1<`, `class="failed">0<`)
		noSecret(t, "the bodies page after rotation", page, first, second)

		// Keep the secret, change nothing else: still the second one.
		if code := a.post("/console/bodies/lh-labor/webhook", setForm(a, "keep")); code != http.StatusSeeOther {
			t.Errorf("saving with the secret kept: %d", code)
		}
		if w, _ := e.app.store.BodyWebhook(context.Background(), "lh-labor"); w.Secret != second {
			t.Error("keeping the secret changed it")
		}

		// Removed: no referral is queued for the next case.
		if code := a.post("/console/bodies/lh-labor/webhook/remove", url.Values{"csrf": {a.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("remove: %d", code)
		}
		_, page = a.get("/console/bodies")
		mustContain(t, lhLaborRe.FindString(page), "已移除")
		four := e.fileCase("oHookCitizen4", "在柳河县砖厂上班，工资拖了半年没发")
		if refs, _ := e.app.store.ListReferrals(context.Background(), store.ReferralFilter{CaseID: four}); len(refs) != 0 {
			t.Errorf("a referral was queued after removal: %d", len(refs))
		}

		// Each change is in the audit log, by the admin, without the secret.
		entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{Action: store.AuditChange})
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, en := range entries {
			if strings.HasPrefix(en.Detail, "webhook") {
				details = append(details, en.User+": "+en.Detail)
			}
		}
		mustContain(t, strings.Join(details, "\n"), "webhook set lh-labor secret new", "webhook removed lh-labor")
		noSecret(t, "the audit log", strings.Join(details, "\n"), first, second, short, ag.srv.URL)

		out := logs.String()
		mustContain(t, out, "body webhook set", "body=lh-labor", "referral delivered")
		noSecret(t, "the log", out, first, second, short, ag.srv.URL)
	})
}

func noSecret(t *testing.T, where, got string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("%s holds %q", where, s)
		}
	}
}
