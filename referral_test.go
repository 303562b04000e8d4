package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiefen/handlers"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

func (e *env) delivered(who, want string) func() bool {
	return func() bool {
		for _, d := range e.platform.Deliveries(who) {
			if !d.Passive && strings.Contains(d.Text, want) {
				return true
			}
		}
		return false
	}
}

// A body declines: the case goes to the next body that can take it, the
// thread is kept, the citizen is told and need not tell the story again;
// the first body no longer sees it; a second decline skips both.
func TestDeclineRoutesAgain(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.addUser("liuhe", store.RoleSupervisor, "lh-labor")
		const who = "oCitizenDecline"
		id := e.fileCase(who, "在柳河县的工厂干活，老板拖欠工资三个月")
		first, _ := e.app.store.Case(context.Background(), id)
		b := e.browser()
		b.login("liuhe", "password-liuhe")
		b.get("/console/cases/" + id)
		if code := b.post("/console/cases/"+id+"/decline", url.Values{"reason": {""}, "csrf": {b.csrf}}); code != http.StatusBadRequest {
			t.Fatalf("decline without reason: %d", code)
		}
		if code := b.post("/console/cases/"+id+"/decline", url.Values{"reason": {"不属于仲裁受理范围，建议先行调解"}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("decline: %d", code)
		}
		k, _ := e.app.store.Case(context.Background(), id)
		if k.Body == first.Body || k.Status != dispute.Referred || !strings.HasPrefix(k.Body, "lh-") && k.Body != "tonghua-labor" {
			t.Fatalf("after decline the case is at %s (%s)", k.Body, k.Status)
		}
		events, _ := e.app.store.Events(context.Background(), id)
		if !strings.Contains(events[0].Text, "工厂") {
			t.Fatal("the thread lost the story")
		}
		eventually(t, "the citizen told of the transfer", e.delivered(who, "不用重复讲述"))
		if code, _ := b.get("/console/cases/" + id); code != http.StatusNotFound {
			t.Fatalf("the declining body still sees the case: %d", code)
		}

		// The next body declines too: a third body, not back to the first.
		e.addUser("second", store.RoleSupervisor, k.Body)
		b2 := e.browser()
		b2.login("second", "password-second")
		b2.get("/console/cases/" + id)
		if code := b2.post("/console/cases/"+id+"/decline", url.Values{"reason": {"人手不足"}, "csrf": {b2.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("second decline: %d", code)
		}
		k2, _ := e.app.store.Case(context.Background(), id)
		if k2.Body == first.Body || k2.Body == k.Body {
			t.Fatalf("second decline routed back to %s", k2.Body)
		}
	})
}

// Supervisors assign and transfer; mediators may not.
func TestAssignAndTransfer(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	e.addUser("lead", store.RoleSupervisor, "lh-labor")
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("outsider", store.RoleMediator, "dc-labor")
	const who = "oCitizenTransfer"
	id := e.fileCase(who, "在柳河县的超市上班，辞职后工资不结")
	m := e.browser()
	m.login("liuhe", "password-liuhe")
	m.get("/console/cases/" + id)
	if code := m.post("/console/cases/"+id+"/transfer", url.Values{"body": {"lh-union"}, "reason": {"x"}, "csrf": {m.csrf}}); code != http.StatusForbidden {
		t.Fatalf("a mediator transferring: %d", code)
	}
	s := e.browser()
	s.login("lead", "password-lead")
	s.get("/console/cases/" + id)
	if code := s.post("/console/cases/"+id+"/assign", url.Values{"user": {"outsider"}, "csrf": {s.csrf}}); code != http.StatusBadRequest {
		t.Fatalf("assigning to another body's mediator: %d", code)
	}
	if code := s.post("/console/cases/"+id+"/assign", url.Values{"user": {"liuhe"}, "csrf": {s.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("assign: %d", code)
	}
	if k, _ := e.app.store.Case(context.Background(), id); k.Assignee != "liuhe" {
		t.Fatalf("assignee %q", k.Assignee)
	}
	if code := s.post("/console/cases/"+id+"/transfer", url.Values{"body": {"lh-union"}, "reason": {"工会诉调更合适"}, "csrf": {s.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("transfer: %d", code)
	}
	k, _ := e.app.store.Case(context.Background(), id)
	if k.Body != "lh-union" || k.Assignee != "" {
		t.Fatalf("after transfer: %s %q", k.Body, k.Assignee)
	}
	eventually(t, "the citizen told", e.delivered(who, "工会诉调更合适"))
}

// Video mediation: the citizen gets time and link at once, and a reminder
// waits in the queue for 30 minutes before; rescheduling makes the old
// reminder obsolete.
func TestVideoMediation(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.app.server.Web.Cases.VideoURL = "https://meet.example.cn/room/{case}"
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oCitizenVideo"
	id := e.fileCase(who, "在柳河县装修队干活，工头欠我五千块")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/cases/" + id)
	b.post("/console/cases/"+id+"/status", url.Values{"status": {"accepted"}, "csrf": {b.csrf}})
	start := time.Now().Add(3 * time.Hour).In(time.FixedZone("CST", 8*3600)).Truncate(time.Minute)
	if code := b.post("/console/cases/"+id+"/video", url.Values{"start": {start.Format("2006-01-02T15:04")}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("video: %d", code)
	}
	room := "https://meet.example.cn/room/" + id
	eventually(t, "the link at the citizen", e.delivered(who, room))
	k, _ := e.app.store.Case(context.Background(), id)
	if !k.VideoAt.Equal(start) || k.VideoURL != room || k.Status != dispute.Mediating {
		t.Fatalf("case after scheduling: %v %q %s", k.VideoAt, k.VideoURL, k.Status)
	}
	items, _ := e.app.store.Outbounds(context.Background(), who)
	var reminder *store.Outbound
	for i := range items {
		if items[i].Kind == store.OutVideoReminder {
			reminder = &items[i]
		}
	}
	if reminder == nil || !reminder.NotBefore.Equal(start.Add(-30*time.Minute)) || reminder.State != store.OutPending {
		t.Fatalf("reminder %+v", reminder)
	}
	_, page := b.get("/console/cases/" + id)
	mustContain(t, page, room)
	if code := b.post("/console/cases/"+id+"/video", url.Values{"start": {"2020-01-01T10:00"}, "csrf": {b.csrf}}); code != http.StatusBadRequest {
		t.Fatalf("a time in the past: %d", code)
	}
}

// After a mediation ends the citizen is asked for a rating; a 1–5 answer
// is recorded once. A citizen who withdrew is not asked, and a digit then
// is words for the case's thread, not a rating.
func TestRating(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenRating"
	id := e.fileCase(who, "买的二手电动车骑了三天就坏了，卖家不管")
	c, _ := e.app.store.Case(context.Background(), id)
	e.addUser("pingjia", "mediator", c.Body)
	e.settle("pingjia", id)
	eventually(t, "the rating request", func() bool { return e.sent(who, "打分") == 1 })
	mustContain(t, e.say(who, "5"), "谢谢您的评价")
	if strings.Contains(e.say(who, "4"), "谢谢您的评价") {
		t.Fatal("rated twice")
	}
	if n := countEvents(t, e, id, dispute.Rating); n != 1 {
		t.Fatalf("%d ratings recorded", n)
	}

	const other = "oCitizenWithdrew"
	id = e.fileCase(other, "在超市买的牛奶过期了，超市不给退")
	mustContain(t, e.say(other, "撤回"), id)
	reply := e.say(other, "1")
	mustContain(t, reply, "已撤回")
	if strings.Contains(reply, "打分") {
		t.Fatalf("a citizen who withdrew is asked for a rating: %q", reply)
	}
	mustContain(t, e.say(other, "1"), id)
	if n := countEvents(t, e, id, dispute.Rating); n != 0 {
		t.Fatalf("a withdrawn case was rated %d times", n)
	}
}

func countEvents(t *testing.T, e *env, id string, kind dispute.EventKind) int {
	t.Helper()
	events, err := e.app.store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// Nobody acts on another body's case: every action is a 404 for a
// mediator of another body, in forms and API alike; the duty desk, which
// sees urgent cases of every body, may reply and add notes but not take,
// decline, move or schedule them; a mediator may not decline.
func TestActionsStayWithTheBody(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleSupervisor, "dc-mediation")
	e.addUser("duty", store.RoleSupervisor, "tonghua-duty")
	const who = "oCitizenActions"
	id := e.fileCase(who, "在柳河县的工地干活，老板拖欠工资半年")
	other := e.browser()
	other.login("dongchang", "password-dongchang")
	other.get("/console/")
	forms := map[string]url.Values{
		"take": {}, "status": {"status": {"accepted"}}, "decline": {"reason": {"x"}}, "transfer": {"body": {"dc-mediation"}, "reason": {"x"}},
		"assign": {"user": {"dongchang"}}, "video": {"start": {"2030-01-01T10:00"}}, "reply": {"text": {"hi"}}, "note": {"text": {"hi"}},
	}
	for action, form := range forms {
		form.Set("csrf", other.csrf)
		if code := other.post("/console/cases/"+id+"/"+action, form); code != http.StatusNotFound {
			t.Errorf("another body's supervisor, %s: %d", action, code)
		}
	}
	m := e.browser()
	m.login("liuhe", "password-liuhe")
	m.get("/console/cases/" + id)
	if code := m.post("/console/cases/"+id+"/decline", url.Values{"reason": {"不归我们管"}, "csrf": {m.csrf}}); code != http.StatusForbidden {
		t.Errorf("a mediator declining: %d", code)
	}

	// An urgent case of lh-labor, seen by the duty desk.
	e.say(who, "他现在拿着刀在门口说要砍死我")
	d := e.browser()
	d.login("duty", "password-duty")
	if code, _ := d.get("/console/cases/" + id); code != http.StatusOK {
		t.Fatalf("the duty desk cannot see the urgent case: %d", code)
	}
	for _, action := range []string{"take", "status", "decline", "transfer", "video"} {
		form := url.Values{"csrf": {d.csrf}, "status": {"accepted"}, "reason": {"x"}, "body": {"dc-mediation"}, "start": {"2030-01-01T10:00"}}
		if code := d.post("/console/cases/"+id+"/"+action, form); code != http.StatusForbidden {
			t.Errorf("the duty desk, %s: %d", action, code)
		}
	}
	for _, action := range []string{"reply", "note"} {
		if code := d.post("/console/cases/"+id+"/"+action, url.Values{"csrf": {d.csrf}, "text": {"请注意安全，已联系派出所"}}); code != http.StatusSeeOther {
			t.Errorf("the duty desk, %s: %d", action, code)
		}
	}
	if k, _ := e.app.store.Case(context.Background(), id); k.Body != "lh-labor" || k.Assignee != "" {
		t.Fatalf("the duty desk changed the case: %+v", k)
	}
}

// An agency's system declines through the API with its supervisor's token.
func TestAPIDecline(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Plain}, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.addUser("lead", store.RoleSupervisor, "lh-labor")
		const who = "oCitizenAPIDecline"
		id := e.fileCase(who, "在柳河县的工厂干活，老板拖欠工资三个月")
		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: "lead"}); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+id+"/decline", strings.NewReader(`{"reason":"不属于本院受理范围"}`))
		req.Header.Set("Authorization", "Bearer "+value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("decline: %d", resp.StatusCode)
		}
		if k, _ := e.app.store.Case(context.Background(), id); k.Body == "lh-labor" {
			t.Fatal("the case stayed with the body that declined it")
		}
	})
}
