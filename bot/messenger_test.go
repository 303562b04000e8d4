package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
	"jiefen/store/sqlite"
	"jiefen/workflow"
	"jiefen/wxsim"
)

// clock is a settable time source shared by the messenger and the platform.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: testdate.At("w-1 Fri 17:00").UTC()} } // a Friday of the base year, 09:00 UTC
func quiet() *slog.Logger            { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type outEnv struct {
	st       store.Store
	platform *wxsim.Platform
	m        *Messenger
	clk      *clock
}

func newOutEnv(t *testing.T, templateID string) *outEnv {
	t.Helper()
	clk := newClock()
	p := wxsim.NewPlatform("wxout", "secret-out")
	p.Now = clk.Now
	if templateID != "" {
		p.AddTemplate(templateID)
	}
	api := httptest.NewServer(p)
	t.Cleanup(api.Close)
	st, err := sqlite.Open(t.TempDir())
	must(t, err)
	t.Cleanup(func() { st.Close() })
	acc := NewAccount(AccountConfig{AppID: "wxout", Secret: "secret-out", Token: "tok", API: api.URL, Timeout: time.Second})
	m := &Messenger{Store: st, API: acc, TemplateID: templateID, Now: clk.Now, Log: quiet(),
		CaseLink: func(id string) string { return "https://jiefen.example/c/" + id }}
	return &outEnv{st: st, platform: p, m: m, clk: clk}
}

// citizenWrote opens the citizen's window on both sides, as a message does.
func (o *outEnv) citizenWrote(t *testing.T, openID string) {
	t.Helper()
	c := dispute.Citizen{OpenID: openID}
	c.OpenWindow(o.clk.Now(), dispute.MessageWindow, dispute.MessageQuota)
	must(t, o.st.Commit(context.Background(), store.Change{Citizen: &c, ReleaseHeld: openID}))
	o.platform.Opened(openID, wxsim.KindMessage)
}

func (o *outEnv) queue(t *testing.T, openID, caseID string, texts ...string) {
	t.Helper()
	var ch store.Change
	for _, s := range texts {
		ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: openID, CaseID: caseID, Kind: store.OutText, Text: s, NotBefore: o.clk.Now()})
	}
	must(t, o.st.Commit(context.Background(), ch))
}

// drain runs the messenger until nothing is due.
func (o *outEnv) drain(t *testing.T) {
	t.Helper()
	for i := 0; i < 20; i++ {
		n, err := o.m.RunOnce(context.Background())
		must(t, err)
		if n == 0 {
			return
		}
	}
}

func (o *outEnv) texts(openID string) []string {
	var out []string
	for _, d := range o.platform.Deliveries(openID) {
		if d.Kind == "text" {
			out = append(out, d.Text)
		} else {
			out = append(out, d.Kind+":"+d.Data["keyword1"]+":"+d.URL)
		}
	}
	return out
}

func (o *outEnv) states(t *testing.T, openID string) string {
	t.Helper()
	items, err := o.st.Outbounds(context.Background(), openID)
	must(t, err)
	var s []string
	for _, it := range items {
		s = append(s, it.State)
	}
	return strings.Join(s, ",")
}

func TestMessengerDeliversInOrderWithinWindow(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oA")
	o.queue(t, "oA", "JF20261127-0001", "一", "二", "三")
	o.drain(t)
	if got := strings.Join(o.texts("oA"), ""); got != "一二三" {
		t.Fatalf("delivered %q, want 一二三 in order", got)
	}
	if s := o.states(t, "oA"); s != "sent,sent,sent" {
		t.Fatalf("states %s", s)
	}
}

// The window allows 5 messages after a citizen's message; the 6th waits
// for the citizen's next message when no template is configured.
func TestMessengerHoldsBeyondQuotaUntilCitizenWrites(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oB")
	o.queue(t, "oB", "", "1", "2", "3", "4", "5", "6")
	o.drain(t)
	if n := len(o.texts("oB")); n != 5 {
		t.Fatalf("%d delivered, want 5", n)
	}
	if s := o.states(t, "oB"); s != "sent,sent,sent,sent,sent,held" {
		t.Fatalf("states %s", s)
	}
	o.clk.Add(50 * time.Hour)
	o.citizenWrote(t, "oB")
	o.drain(t)
	if got := strings.Join(o.texts("oB"), ""); got != "123456" {
		t.Fatalf("after the citizen wrote: %q", got)
	}
}

// The platform refuses with 45015 (e.g. our count was wrong): with a
// template configured the message goes as a template carrying the case link.
func TestMessengerFallsBackToTemplate(t *testing.T) {
	o := newOutEnv(t, "tpl-case")
	o.citizenWrote(t, "oC")
	o.platform.FailNext(1, CodeOutOfWindow)
	o.queue(t, "oC", "JF20261127-0007", "调解员：明天上午九点电话联系您")
	o.drain(t)
	got := o.texts("oC")
	if len(got) != 1 || got[0] != "template:JF20261127-0007:https://jiefen.example/c/JF20261127-0007" {
		t.Fatalf("delivered %q", got)
	}
	// The window is now known closed: the next message goes by template
	// without trying the customer-service API first.
	o.queue(t, "oC", "JF20261127-0007", "第二条")
	o.drain(t)
	if got := o.texts("oC"); len(got) != 2 || !strings.HasPrefix(got[1], "template:") {
		t.Fatalf("delivered %q", got)
	}
}

// System busy: retried later with backoff, delivered once.
func TestMessengerRetriesBusyPlatform(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oD")
	o.platform.FailNext(1, CodeBusy)
	o.queue(t, "oD", "", "您好")
	o.drain(t)
	if n := len(o.texts("oD")); n != 0 {
		t.Fatalf("delivered during the failure: %d", n)
	}
	if s := o.states(t, "oD"); s != "pending" {
		t.Fatalf("state %s", s)
	}
	o.clk.Add(5 * time.Second)
	o.drain(t)
	if got := o.texts("oD"); len(got) != 1 || got[0] != "您好" {
		t.Fatalf("delivered %q", got)
	}
}

// An invalidated token (40001) is refreshed and the send retried at once.
func TestMessengerRefreshesInvalidToken(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oE")
	o.queue(t, "oE", "", "第一条")
	o.drain(t)
	before := o.platform.TokenFetches()
	o.platform.InvalidateTokens()
	o.queue(t, "oE", "", "第二条")
	o.drain(t)
	if got := o.texts("oE"); len(got) != 2 {
		t.Fatalf("delivered %q", got)
	}
	if o.platform.TokenFetches() != before+1 {
		t.Fatalf("token fetched %d times after invalidation, want 1", o.platform.TokenFetches()-before)
	}
}

// An unreachable platform delays messages but loses none.
func TestMessengerSurvivesPlatformOutage(t *testing.T) {
	o := newOutEnv(t, "")
	for _, c := range []string{"oF1", "oF2", "oF3"} {
		o.citizenWrote(t, c)
		o.queue(t, c, "", c+"-甲", c+"-乙")
	}
	o.platform.SetDown(true)
	o.drain(t)
	o.clk.Add(time.Minute)
	o.drain(t)
	o.platform.SetDown(false)
	for i := 0; i < 10 && o.pending(t) > 0; i++ {
		o.clk.Add(time.Hour)
		o.drain(t)
	}
	for _, c := range []string{"oF1", "oF2", "oF3"} {
		if got := strings.Join(o.texts(c), ","); got != c+"-甲,"+c+"-乙" {
			t.Fatalf("%s got %q", c, got)
		}
	}
}

func (o *outEnv) pending(t *testing.T) int {
	items, err := o.st.Outbounds(context.Background(), "")
	must(t, err)
	n := 0
	for _, it := range items {
		if it.State == store.OutPending {
			n++
		}
	}
	return n
}

func TestSplitText(t *testing.T) {
	long := strings.Repeat("这是一句话。", 250) // 1500 characters
	parts := workflow.SplitText(long, 600)
	if len(parts) != 3 || strings.Join(parts, "") != long {
		t.Fatalf("split into %d parts, rejoined equal: %v", len(parts), strings.Join(parts, "") == long)
	}
	for _, p := range parts {
		if n := len([]rune(p)); n > 600 || !strings.HasSuffix(p, "。") {
			t.Fatalf("part of %d characters ending %q", n, string([]rune(p)[n-1:]))
		}
	}
	if got := workflow.SplitText("短", 600); len(got) != 1 || got[0] != "短" {
		t.Fatalf("short text: %q", got)
	}
}

func TestFindPhone(t *testing.T) {
	cases := map[string]string{
		"我电话是 139 1234 5678":    "13912345678",
		"+86 13812345678":       "13812345678",
		"座机0435-3216549":        "0435-3216549",
		"１３９１２３４５６７８":           "13912345678",
		"身份证220502199001011234": "",
		"123":                   "",
	}
	for in, want := range cases {
		if got := findPhone(in); got != want {
			t.Errorf("findPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// Failed attempts cost no quota; an account-wide refusal (40164, the
// server's IP not whitelisted) is retried, not given up.
func TestMessengerFailuresCostNoQuota(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oG")
	o.platform.FailNext(5, CodeBusy)
	o.queue(t, "oG", "", "您好")
	for i := 0; i < 5; i++ {
		o.drain(t)
		o.clk.Add(time.Hour)
	}
	o.drain(t)
	if got := o.texts("oG"); len(got) != 1 {
		t.Fatalf("delivered %q after 5 busy answers", got)
	}
	c, err := o.st.Citizen(context.Background(), "oG")
	if err != nil || c.Sent != 1 {
		t.Fatalf("sent counted %d (%v), want 1", c.Sent, err)
	}
	o.platform.FailNext(1, 40164)
	o.queue(t, "oG", "", "第二条")
	o.drain(t)
	if s := o.states(t, "oG"); s != "sent,pending" {
		t.Fatalf("after 40164: %s", s)
	}
	o.clk.Add(time.Hour)
	o.drain(t)
	if got := o.texts("oG"); len(got) != 2 {
		t.Fatalf("delivered %q", got)
	}
}

// A video reminder goes out only while the case's meeting is still the
// one it was made for, and before it starts.
func TestVideoReminderObsolete(t *testing.T) {
	o := newOutEnv(t, "")
	o.citizenWrote(t, "oV")
	ctx := context.Background()
	start := o.clk.Now().Add(2 * time.Hour)
	k := dispute.Case{ID: "JF20261127-0500", Status: dispute.Mediating, Type: dispute.Labor, OpenID: "oV",
		CreatedAt: o.clk.Now(), UpdatedAt: o.clk.Now(), VideoAt: start, VideoURL: "https://m.example/1"}
	must(t, o.st.Commit(ctx, store.Change{NewCases: []dispute.Case{k}}))
	remind := func(text string, at time.Time) {
		must(t, o.st.Commit(ctx, store.Change{Outbound: []store.Outbound{{OpenID: "oV", CaseID: k.ID,
			Kind: store.OutVideoReminder, Text: text, MediaID: at.UTC().Format(time.RFC3339), NotBefore: o.clk.Now()}}}))
	}
	remind("旧时间的提醒", start.Add(-time.Hour))
	remind("当前时间的提醒", start)
	o.drain(t)
	if got := o.texts("oV"); len(got) != 1 || got[0] != "当前时间的提醒" {
		t.Fatalf("delivered %q", got)
	}
	o.clk.Add(3 * time.Hour)
	remind("开始以后才到的提醒", start)
	o.drain(t)
	if got := o.texts("oV"); len(got) != 1 {
		t.Fatalf("a reminder after the start went out: %q", got)
	}
}
