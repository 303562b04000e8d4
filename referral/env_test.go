package referral

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/sqlite"
)

const (
	agencySecret = "agency-secret-3f9c"
	phone        = "13912345678"
	story        = "我在柳河县的工厂干活，老板拖欠工资三个月"
)

// t0 is where the fake clock starts: a Friday, 09:00 UTC, of the tests'
// base year (testdate).
var t0 = testdate.At("w-1 Fri 17:00").UTC()

// clock is a fake clock the tests move by hand: no sleeping for backoffs.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// lockedBuffer collects the sender's log, written from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is a store, a routing table whose "agency" body posts to the
// stand-in agency, and a sender on a fake clock. "nosecret" has a webhook
// whose secret is not set; "plain" has no webhook.
type env struct {
	t     *testing.T
	st    store.Store
	table *routing.Table
	clock *clock
	ag    *agency
	log   *lockedBuffer
	s     *Sender
	n     int
}

func newEnv(t *testing.T) *env {
	st, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvWith(t, st)
}

// newEnvWith is newEnv on a store of the caller's (backends.Each).
func newEnvWith(t *testing.T, st store.Store) *env {
	ag := newAgency(t, agencySecret)
	var types []string
	for _, ty := range dispute.Types {
		types = append(types, string(ty))
	}
	yaml := fmt.Sprintf(`bodies:
  - id: agency
    name: 测试仲裁院
    types: [%s]
    webhook: {url: "%s", secret_env: AGENCY_SECRET}
  - id: nosecret
    name: 无密钥单位
    types: [labor]
    webhook: {url: "%s", secret_env: NOSECRET_SECRET}
  - id: plain
    name: 无回调单位
    types: [labor]
`, strings.Join(types, ", "), ag.url(), ag.url())
	table, err := routing.LoadTable([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, table: table, clock: &clock{now: t0}, ag: ag, log: &lockedBuffer{}}
	e.s = &Sender{
		Store: st, Now: e.clock.Now,
		Hooks: &Hooks{Store: st, Table: table, Secret: func(env string) string {
			if env == "AGENCY_SECRET" {
				return agencySecret
			}
			return ""
		}},
		Log: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Well under Timeout, so a hanging agency costs the test little.
		HTTP: &http.Client{Timeout: 300 * time.Millisecond},
	}
	return e
}

// refer files a case with two citizen messages and a bot reply, and
// queues its referral to body, created at the clock's now.
func (e *env) refer(body string) store.Referral {
	e.t.Helper()
	e.n++
	now := e.clock.Now()
	k := dispute.Case{ID: fmt.Sprintf("JF20261127-%04d", e.n), Status: dispute.Referred, Type: dispute.Labor,
		Urgent: false, Region: "柳河县", Body: "agency", Rule: "body:agency", Summary: "拖欠工资三个月",
		Story: story, OpenID: "oCitizen", Phone: phone, CreatedAt: now, UpdatedAt: now}
	events := []dispute.Event{
		{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: story},
		{CaseID: k.ID, At: now, Kind: dispute.MessageOut, Actor: "bot", Text: "已收到"},
		{CaseID: k.ID, At: now.Add(time.Minute), Kind: dispute.MessageIn, Actor: "citizen", MediaID: "img-1"},
	}
	r := Build(k, events, e.hook(body), "https://jiefen.example/console/cases/"+k.ID, now)
	if err := e.st.Commit(e.t.Context(), store.Change{NewCases: []dispute.Case{k}, Events: events, Referrals: []store.Referral{r}}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// hook is the body's webhook as the sender sees it.
func (e *env) hook(body string) Hook {
	e.t.Helper()
	h, err := e.s.Hooks.Of(e.t.Context(), body)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func (e *env) runOnce() int {
	e.t.Helper()
	n, err := e.s.RunOnce(e.t.Context())
	if err != nil {
		e.t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func (e *env) list(f store.ReferralFilter) []store.Referral {
	e.t.Helper()
	rs, err := e.st.ListReferrals(e.t.Context(), f)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

func (e *env) get(delivery string) store.Referral {
	e.t.Helper()
	for _, r := range e.list(store.ReferralFilter{}) {
		if r.Delivery == delivery {
			return r
		}
	}
	e.t.Fatalf("no referral %s", delivery)
	return store.Referral{}
}

// nextDue is the earliest NotBefore of the pending referrals, false when
// none is pending.
func (e *env) nextDue() (time.Time, bool) {
	var next time.Time
	found := false
	for _, r := range e.list(store.ReferralFilter{State: store.RefPending}) {
		if !found || r.NotBefore.Before(next) {
			next, found = r.NotBefore, true
		}
	}
	return next, found
}

// noPersonalData checks that the log holds no secret, phone, story or URL.
func (e *env) noPersonalData() {
	e.t.Helper()
	out := e.log.String()
	for _, s := range []string{agencySecret, phone, story, "拖欠", e.ag.addr, "oCitizen"} {
		if strings.Contains(out, s) {
			e.t.Errorf("the log holds %q:\n%s", s, out)
		}
	}
}
