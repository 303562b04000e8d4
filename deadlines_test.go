package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/handlers"
	"jiefen/internal/testdate"
	"jiefen/store"
	"jiefen/wxsim"
)

var china = testdate.China

// testClock is jiefen's, the platform's and the client's clock at once,
// moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }
func (c *testClock) set(t time.Time)         { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// newTestClock starts a clock at a moment of the tests' base year, written
// as weeks and weekdays from its base week: "w0 Tue 09:00" (testdate.At).
func newTestClock(at string) *testClock { return &testClock{now: testdate.At(at)} }

// moving waits on cond while the clock creeps on (a tenth of a second per
// look): a send the platform refused for a moment is retried after a
// backoff of about a second, which a clock standing still never reaches.
func (c *testClock) moving(cond func() bool) func() bool {
	return func() bool {
		if cond() {
			return true
		}
		c.advance(100 * time.Millisecond)
		return false
	}
}

// settle has a mediator accept the case, then resolve it, in the console.
func (e *env) settle(mediator, id string) {
	e.t.Helper()
	b := e.browser()
	b.login(mediator, "password-"+mediator)
	b.get("/console/cases/" + id)
	for _, to := range []string{"accepted", "resolved"} {
		if code := b.post("/console/cases/"+id+"/status", url.Values{"csrf": {b.csrf}, "status": {to}}); code != http.StatusSeeOther {
			e.t.Fatalf("status %s: %d", to, code)
		}
	}
}

// tick runs one look of the deadline watcher at the clock's now.
func (e *env) tick() int {
	e.t.Helper()
	n, err := e.app.deadlines.Tick(context.Background())
	if err != nil {
		e.t.Fatalf("deadline tick: %v", err)
	}
	return n
}

// apiToken gives a console user an API token.
func (e *env) apiToken(user string) string {
	e.t.Helper()
	value, hash := handlers.NewToken()
	if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: user}); err != nil {
		e.t.Fatal(err)
	}
	return value
}

// sent counts the customer-service messages the citizen got containing want.
func (e *env) sent(who, want string) int {
	n := 0
	for _, d := range e.platform.Deliveries(who) {
		if !d.Passive && strings.Contains(d.Text, want) {
			n++
		}
	}
	return n
}

// A resolved case: the citizen is asked for a rating, and a day later
// (JIEFEN_FOLLOWUP_AFTER) whether the problem is solved, through the
// platform. "没有" reopens it for its body; resolved again (through the API)
// the citizen is asked to rate again, and asked the follow-up again, to
// which "解决了" is thanked. On both stores.
func TestFollowUpReopensCase(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe, followUp: 24 * time.Hour}, func(t *testing.T, o envOptions) {
		clock := newTestClock("w0 Tue 09:00") // a Tuesday morning
		o.now = clock.Now
		e := newEnv(t, o)
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		const who = "oFollowUpCitizen"
		id := e.fileCase(who, "我在柳河县工地干了三个月，老板拖欠工资一直不给")

		e.settle("liuhe", id)
		eventually(t, "the rating request after resolved", clock.moving(e.delivered(who, "打分")))

		clock.advance(23 * time.Hour)
		if n := e.tick(); n != 0 || e.sent(who, "问题解决了吗") != 0 {
			t.Fatalf("follow-up before its time: %d", n)
		}
		clock.advance(time.Hour)
		if n := e.tick(); n != 1 {
			t.Fatalf("follow-up: %d firings", n)
		}
		eventually(t, "the follow-up question", clock.moving(e.delivered(who, "问题解决了吗")))
		if e.tick() != 0 {
			t.Fatal("the follow-up fired twice")
		}

		mustContain(t, e.say(who, "没有"), id, "继续调解")
		if cs := e.cases(who); cs[0].Status != dispute.Mediating {
			t.Fatalf("after 没有 the case is %s", cs[0].Status)
		}
		// The body sees it back, with the answer, in a fresh session.
		b := e.browser()
		b.login("liuhe", "password-liuhe")
		_, page := b.get("/console/cases/" + id)
		mustContain(t, page, "调解中", "没有", "调解期限")
		if _, queue := b.get("/console/?status=mediating"); !strings.Contains(queue, id) {
			t.Fatal("the reopened case is not in the body's queue")
		}
		// A second "没有" is ordinary chat on the open case, not a
		// second reopening.
		mustContain(t, e.say(who, "没有"), "已补充到案件")

		// Resolved again through the API: asked to rate again, and the
		// rating counts.
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+id+"/status", strings.NewReader(`{"status":"resolved","note":"已补发工资"}`))
		req.Header.Set("Authorization", "Bearer "+e.apiToken("liuhe"))
		if code := e.post(req); code != http.StatusOK {
			t.Fatalf("API status: %d", code)
		}
		eventually(t, "a second rating request", clock.moving(func() bool { return e.sent(who, "打分") == 2 }))
		mustContain(t, e.say(who, "4"), "谢谢您的评价")

		clock.advance(24 * time.Hour)
		if n := e.tick(); n != 1 {
			t.Fatalf("second follow-up: %d firings", n)
		}
		eventually(t, "the second follow-up", clock.moving(func() bool { return e.sent(who, "问题解决了吗") == 2 }))
		mustContain(t, e.say(who, "解决了"), "谢谢")
		if cs := e.cases(who); cs[0].Status != dispute.Resolved {
			t.Fatalf("after 解决了 the case is %s", cs[0].Status)
		}
	})
}

// A case not accepted in time: the body's supervisor and the admin find it
// on the 督办 page, the case page shows the deadline passed, the citizen is
// told once; after acceptance the mediator extends the mediation deadline
// with a reason.
func TestDeadlinesInConsole(t *testing.T) {
	clock := newTestClock("w-1 Fri 15:00") // a Friday afternoon
	e := newEnv(t, envOptions{mode: wxsim.Safe, now: clock.Now})
	e.addUser("lead", store.RoleSupervisor, "lh-labor")
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("other", store.RoleSupervisor, "dc-mediation")
	e.addUser("admin", store.RoleAdmin, "")
	const who = "oLateCitizen"
	id := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给")

	// 48 working hours (7.5 a day) from Friday 15:00 run to the Tuesday
	// after next, 09:00; the reminder came on the Friday before, at 13:30.
	clock.set(testdate.At("w1 Tue 08:59"))
	if n := e.tick(); n != 1 { // the reminder only
		t.Fatalf("before the deadline: %d firings", n)
	}
	lead := e.browser()
	lead.login("lead", "password-lead")
	if _, page := lead.get("/console/overdue"); strings.Contains(page, id) {
		t.Fatal("listed before its deadline")
	}
	clock.advance(time.Minute)
	if n := e.tick(); n != 1 {
		t.Fatalf("at the deadline: %d firings", n)
	}
	// The citizen last wrote 11 days ago: the window is closed and no
	// template is configured, so the notice waits for their next message.
	notice := func() (n int, state string) {
		obs, err := e.app.store.Outbounds(context.Background(), who)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			if strings.Contains(o.Text, "督促") {
				n, state = n+1, o.State
			}
		}
		return n, state
	}
	eventually(t, "the citizen's notice held for the window", func() bool { _, st := notice(); return st == store.OutHeld })
	if e.tick() != 0 {
		t.Fatal("escalated twice")
	}
	e.say(who, "进度")
	eventually(t, "the notice delivered once the citizen writes", clock.moving(e.delivered(who, "督促")))
	if n, _ := notice(); n != 1 || e.sent(who, "督促") != 1 {
		t.Fatalf("%d notices queued, %d sent", n, e.sent(who, "督促"))
	}
	lead = e.browser()
	lead.login("lead", "password-lead")
	_, page := lead.get("/console/overdue")
	mustContain(t, page, id, "受理期限", "督办")
	_, page = lead.get("/console/cases/" + id)
	mustContain(t, page, "受理期限", "已超期", "期限提醒", "督办：本案已超过受理期限")
	admin := e.browser()
	admin.login("admin", "password-admin")
	if _, page := admin.get("/console/overdue"); !strings.Contains(page, id) {
		t.Fatal("the admin's 督办 page misses the case")
	}
	other := e.browser()
	other.login("other", "password-other")
	if _, page := other.get("/console/overdue"); strings.Contains(page, id) {
		t.Fatal("another body's supervisor sees the case")
	}
	if code := other.post("/console/cases/"+id+"/extend", url.Values{"csrf": {other.csrf}, "days": {"5"}, "reason": {"x"}}); code != http.StatusNotFound {
		t.Fatalf("another body extended: %d", code)
	}

	// Accepted: off the list; the mediation deadline runs 45 days.
	if code := lead.post("/console/cases/"+id+"/status", url.Values{"csrf": {lead.csrf}, "status": {"accepted"}}); code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	if _, page := lead.get("/console/overdue"); strings.Contains(page, id) {
		t.Fatal("an accepted case is still overdue")
	}
	med := e.browser()
	med.login("liuhe", "password-liuhe")
	_, page = med.get("/console/cases/" + id)
	mustContain(t, page, "调解期限", "延长调解期限")
	if code := med.post("/console/cases/"+id+"/extend", url.Values{"csrf": {med.csrf}, "days": {"5"}}); code != http.StatusBadRequest {
		t.Fatalf("an extension without a reason: %d", code)
	}
	if code := med.post("/console/cases/"+id+"/extend", url.Values{"csrf": {med.csrf}, "days": {"500"}, "reason": {"双方同意"}}); code != http.StatusBadRequest {
		t.Fatalf("a 500-day extension: %d", code)
	}
	if code := med.post("/console/cases/"+id+"/extend", url.Values{"days": {"5"}, "reason": {"双方同意"}}); code != http.StatusForbidden {
		t.Fatalf("an extension without the CSRF token: %d", code)
	}
	if code := med.post("/console/cases/"+id+"/extend", url.Values{"csrf": {med.csrf}, "days": {"5"}, "reason": {"双方同意，等待伤情鉴定"}}); code != http.StatusSeeOther {
		t.Fatalf("extend: %d", code)
	}
	_, page = med.get("/console/cases/" + id)
	mustContain(t, page, "已延长 5 天", "调解期限延长 5 天（双方同意，等待伤情鉴定）")
	// Accepted on Tuesday 09:00, + 45 + 5 days.
	want := clock.Now().AddDate(0, 0, 50).In(china)
	mustContain(t, page, want.Format("01-02 15:04"))
	// The citizen, a party to the mediation, is told the new limit and why.
	e.say(who, "好的")
	eventually(t, "the extension told to the citizen", clock.moving(e.delivered(who, "调解期限延长 5 天，至 "+want.Format("1月2日")+"。\n原因：双方同意，等待伤情鉴定")))

	// The API shows the extension as an event with its kind.
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cases/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken("liuhe"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Events []dispute.Event `json:"events"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&got)
	kinds := map[dispute.EventKind]int{}
	for _, ev := range got.Events {
		kinds[ev.Kind]++
	}
	if kinds[dispute.Extended] != 1 || kinds[dispute.Escalated] != 1 || kinds[dispute.Reminder] != 1 {
		t.Fatalf("event kinds through the API: %v", kinds)
	}
}

// A follow-up question the citizen ignored does not turn a later "没有"
// into a reopening: with a new case open the word joins that case's
// thread, and after a week it answers nothing. A question still held
// (the 48-hour window closed, no template) is no question yet: the word
// that releases it is ordinary chat.
func TestFollowUpIgnored(t *testing.T) {
	clock := newTestClock("w0 Tue 09:00") // a Tuesday morning
	e := newEnv(t, envOptions{mode: wxsim.Safe, now: clock.Now, followUp: 24 * time.Hour})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oFollowUpIgnored"
	statusOf := func(id string) dispute.Status {
		t.Helper()
		k, err := e.app.store.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return k.Status
	}

	first := e.fileCase(who, "我在柳河县工地干了三个月，老板拖欠工资一直不给")
	e.settle("liuhe", first)
	clock.advance(24 * time.Hour)
	if n := e.tick(); n != 1 {
		t.Fatalf("follow-up: %d firings", n)
	}
	eventually(t, "the follow-up question", clock.moving(e.delivered(who, "问题解决了吗")))

	// Ignored; a new problem is filed, and its mediator's question is
	// answered "没有": that is about the new case.
	clock.advance(time.Hour)
	second := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给，还扣了押金")
	mustContain(t, e.say(who, "没有"), "已补充到案件")
	if st := statusOf(first); st != dispute.Resolved {
		t.Fatalf("the ignored follow-up's case became %s", st)
	}
	e.settle("liuhe", second)
	// Delivered while the window is open: queued behind a rating request
	// that the 72 hours below caught undelivered (held), the question
	// would never go out.
	eventually(t, "the second rating request", clock.moving(func() bool { return e.sent(who, "打分") == 2 }))
	mustContain(t, e.say(who, "5"), "谢谢您的评价")

	// The second case's question waits, held: the citizen's last message
	// is more than 48 hours old when it fires, and no template is set.
	clock.advance(72 * time.Hour)
	if n := e.tick(); n != 1 {
		t.Fatalf("second follow-up: %d firings", n)
	}
	eventually(t, "the question held for the window", func() bool {
		obs, _ := e.app.store.Outbounds(context.Background(), who)
		return len(obs) > 0 && obs[len(obs)-1].State == store.OutHeld && strings.Contains(obs[len(obs)-1].Text, "问题解决了吗")
	})
	if reply := e.say(who, "没有"); strings.Contains(reply, "继续调解") {
		t.Fatalf("a word sent before the question arrived reopened the case: %q", reply)
	}
	if st := statusOf(second); st != dispute.Resolved {
		t.Fatalf("the held follow-up's case became %s", st)
	}
	// Delivered, and recorded as delivered (the platform has it a moment
	// before the store does).
	eventually(t, "the question delivered after the citizen wrote", clock.moving(func() bool {
		obs, _ := e.app.store.Outbounds(context.Background(), who)
		return e.sent(who, "问题解决了吗") == 2 && obs[len(obs)-1].State == store.OutSent
	}))
	// Now seen, and answered within the week: it reopens.
	mustContain(t, e.say(who, "没有"), second, "继续调解")
	if st := statusOf(second); st != dispute.Mediating {
		t.Fatalf("after 没有 to the question the case is %s", st)
	}
	// And the first case's question, long unanswered, answers nothing.
	if st := statusOf(first); st != dispute.Resolved {
		t.Fatalf("the first case became %s", st)
	}
}
