package workflow

import (
	"context"
	"errors"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/sqlite"
)

// The workflow on the embedded store in a temporary directory, without
// HTTP: what each operation stores, who may do it, and that its audit
// entry is stored with it.

type fixture struct {
	t   *testing.T
	ctx context.Context
	s   store.Store
	w   *Cases
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	table := routing.Builtin()
	f := &fixture{t: t, ctx: context.Background(), s: s, now: testdate.At("w0 Tue 09:00")}
	f.w = &Cases{Store: s, Table: table, Hooks: &referral.Hooks{Store: s, Table: table}, Now: func() time.Time { return f.now }}
	return f
}

// file stores a case referred to body, as the bot would.
func (f *fixture) file(id, body string, urgent bool) dispute.Case {
	f.t.Helper()
	k := dispute.Case{ID: id, Status: dispute.Referred, Type: dispute.Labor, Urgent: urgent, Region: "柳河县", Body: body,
		Story: "老板欠工资", OpenID: "o-" + id, Phone: "13912345678", CreatedAt: f.now, UpdatedAt: f.now}
	if err := f.s.Commit(f.ctx, store.Change{NewCases: []dispute.Case{k},
		Citizen: &dispute.Citizen{OpenID: k.OpenID, ConsentAt: f.now},
		Events:  []dispute.Event{{CaseID: id, At: f.now, Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred, Body: body}}}); err != nil {
		f.t.Fatal(err)
	}
	return k
}

func (f *fixture) actor(name, role, body string) Actor {
	return Actor{User: store.User{Name: name, Role: role, Body: body}, Addr: "127.0.0.1"}
}

func (f *fixture) status(id string) dispute.Status {
	f.t.Helper()
	k, err := f.s.Case(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return k.Status
}

func (f *fixture) audit(id string) []store.AuditEntry {
	f.t.Helper()
	es, err := f.s.AuditLog(f.ctx, store.AuditFilter{CaseID: id})
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestMoveTellsTheCitizenAndIsAudited(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0001", "lh-labor", false)
	med := f.actor("liuhe", store.RoleMediator, "lh-labor")
	if err := f.w.Move(f.ctx, med, k.ID, dispute.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if st := f.status(k.ID); st != dispute.Accepted {
		t.Fatalf("status %s", st)
	}
	obs, _ := f.s.Outbounds(f.ctx, k.OpenID)
	if len(obs) != 1 || obs[0].CaseID != k.ID {
		t.Fatalf("the citizen is not told: %+v", obs)
	}
	if a := f.audit(k.ID); len(a) != 1 || a[0].Detail != "status accepted" || a[0].User != "liuhe" || a[0].Addr != "127.0.0.1" {
		t.Fatalf("audit %+v", a)
	}
	// Backwards or to a status set only by the citizen: refused, nothing stored.
	if err := f.w.Move(f.ctx, med, k.ID, dispute.Withdrawn, ""); kindOf(err) != Invalid {
		t.Fatalf("withdrawn by a mediator: %v", err)
	}
	if err := f.w.Move(f.ctx, med, k.ID, dispute.Accepted, ""); kindOf(err) != Conflict {
		t.Fatalf("accepted twice: %v", err)
	}
	if a := f.audit(k.ID); len(a) != 1 {
		t.Fatalf("refused moves were audited: %+v", a)
	}
}

func TestRights(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0002", "lh-labor", true)
	plain := f.file("JF20261201-0003", "lh-labor", false)
	other := f.actor("dongchang", store.RoleMediator, "dc-mediation")
	duty := f.actor("duty", store.RoleMediator, "tonghua-duty")
	med := f.actor("liuhe", store.RoleMediator, "lh-labor")

	// Another body's mediator learns nothing, not even that it exists.
	for _, err := range []error{
		f.w.Reply(f.ctx, other, k.ID, "您好", 0), f.w.Note(f.ctx, other, k.ID, "备注"),
		f.w.Move(f.ctx, other, k.ID, dispute.Accepted, ""), f.w.Take(f.ctx, other, k.ID),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("another body: %v", err)
		}
	}
	// The duty desk replies on an urgent case but does not take it over;
	// it does not see the body's other cases.
	if err := f.w.Reply(f.ctx, duty, k.ID, "我们是综治中心值班室，已联系派出所", 0); err != nil {
		t.Fatal(err)
	}
	if err := f.w.Move(f.ctx, duty, k.ID, dispute.Accepted, ""); kindOf(err) != Forbidden {
		t.Fatalf("duty desk moving the case: %v", err)
	}
	if err := f.w.Reply(f.ctx, duty, plain.ID, "您好", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("duty desk on a plain case: %v", err)
	}
	// Supervisors' operations.
	for _, err := range []error{
		f.w.Transfer(f.ctx, med, k.ID, "dc-labor", "属地"), f.w.Decline(f.ctx, med, k.ID, "不归我们"),
		f.w.Assign(f.ctx, med, k.ID, "liuhe"),
	} {
		if kindOf(err) != Forbidden {
			t.Fatalf("a mediator doing a supervisor's work: %v", err)
		}
	}
}

func TestTakeIsAClaim(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0004", "lh-labor", false)
	a, b := f.actor("liuhe", store.RoleMediator, "lh-labor"), f.actor("zhang", store.RoleMediator, "lh-labor")
	if err := f.w.Take(f.ctx, a, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.w.Take(f.ctx, b, k.ID); kindOf(err) != Conflict {
		t.Fatalf("taking a case someone has: %v", err)
	}
	lead := f.actor("lead", store.RoleSupervisor, "lh-labor")
	if err := f.w.Take(f.ctx, lead, k.ID); err != nil {
		t.Fatalf("a supervisor takes over: %v", err)
	}
	if got, _ := f.s.Case(f.ctx, k.ID); got.Assignee != "lead" {
		t.Fatalf("assignee %q", got.Assignee)
	}
	events, _ := f.s.Events(f.ctx, k.ID)
	if last := events[len(events)-1]; last.Text != "lead 接手了案件（原由 liuhe 办理）" {
		t.Fatalf("the one who had it is not told: %q", last.Text)
	}
}

func TestDeclineRoutesOnAndKeepsTheThread(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0005", "lh-labor", false)
	lead := f.actor("lead", store.RoleSupervisor, "lh-labor")
	if err := f.w.Decline(f.ctx, lead, k.ID, ""); kindOf(err) != Invalid {
		t.Fatalf("a decline without a reason: %v", err)
	}
	if err := f.w.Decline(f.ctx, lead, k.ID, "属于工会调解"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.Case(f.ctx, k.ID)
	if got.Body == "lh-labor" || got.Body == "" || got.Status != dispute.Referred {
		t.Fatalf("after the decline: %+v", got)
	}
	events, _ := f.s.Events(f.ctx, k.ID)
	if len(events) < 3 || events[0].Kind != dispute.StatusSet {
		t.Fatalf("the thread lost its history: %+v", events)
	}
	// The old body no longer sees it.
	if err := f.w.Note(f.ctx, lead, k.ID, "还在吗"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the body that declined still acts on it: %v", err)
	}
}

func TestVideoQueuesAReminderAndStartsMediation(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0006", "lh-labor", false)
	med := f.actor("liuhe", store.RoleMediator, "lh-labor")
	if err := f.w.Move(f.ctx, med, k.ID, dispute.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	start := f.now.Add(26 * time.Hour)
	if err := f.w.Video(f.ctx, med, k.ID, f.now.Add(-time.Hour), "https://meet.example.cn/1"); kindOf(err) != Invalid {
		t.Fatalf("a video in the past: %v", err)
	}
	if err := f.w.Video(f.ctx, med, k.ID, start, "http://meet.example.cn/1"); kindOf(err) != Invalid {
		t.Fatalf("a link without https: %v", err)
	}
	if err := f.w.Video(f.ctx, med, k.ID, start, "https://meet.example.cn/1"); err != nil {
		t.Fatal(err)
	}
	if st := f.status(k.ID); st != dispute.Mediating {
		t.Fatalf("status %s", st)
	}
	obs, _ := f.s.Outbounds(f.ctx, k.OpenID)
	var reminder bool
	for _, o := range obs {
		reminder = reminder || (o.Kind == store.OutVideoReminder && o.NotBefore.Equal(start.Add(-remindBefore)))
	}
	if !reminder {
		t.Fatalf("no reminder queued: %+v", obs)
	}
}

func TestExtendOnlyWhileMediating(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0007", "lh-labor", false)
	med := f.actor("liuhe", store.RoleMediator, "lh-labor")
	if err := f.w.Extend(f.ctx, med, k.ID, 10, "双方同意延期"); kindOf(err) != Conflict {
		t.Fatalf("extending before acceptance: %v", err)
	}
	if err := f.w.Move(f.ctx, med, k.ID, dispute.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.w.Extend(f.ctx, med, k.ID, 0, "双方同意延期"); kindOf(err) != Invalid {
		t.Fatalf("zero days: %v", err)
	}
	if err := f.w.Extend(f.ctx, med, k.ID, 10, "双方同意延期"); err != nil {
		t.Fatal(err)
	}
	if a := f.audit(k.ID); len(a) != 2 || a[0].Detail != "extend 10d" {
		t.Fatalf("audit %+v", a)
	}
}

func TestCitizenWritesAfterTheEnd(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0008", "lh-labor", false)
	med := f.actor("liuhe", store.RoleMediator, "lh-labor")
	for _, to := range []dispute.Status{dispute.Accepted, dispute.Resolved} {
		if err := f.w.Move(f.ctx, med, k.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	f.now = f.now.Add(48 * time.Hour)
	ended, _ := f.s.Case(f.ctx, k.ID)
	if err := f.w.CitizenWrite(f.ctx, ended, "钱什么时候能到？"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.Case(f.ctx, k.ID); !got.UpdatedAt.Equal(f.now) {
		t.Fatalf("the ended case a citizen wrote on is not brought up: %v", got.UpdatedAt)
	}
	f.now = f.now.Add(31 * 24 * time.Hour)
	ended, _ = f.s.Case(f.ctx, k.ID)
	if err := f.w.CitizenWrite(f.ctx, ended, "还在吗"); kindOf(err) != Conflict {
		t.Fatalf("writing long after the end: %v", err)
	}
}

func TestAPIActionsAreNamedSo(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF20261201-0009", "lh-labor", false)
	a := f.actor("liuhe", store.RoleMediator, "lh-labor")
	a.API = true
	if err := f.w.Reply(f.ctx, a, k.ID, "您好", 0); err != nil {
		t.Fatal(err)
	}
	if got := f.audit(k.ID); len(got) != 1 || got[0].Detail != "api message" || got[0].Action != store.AuditSend {
		t.Fatalf("audit %+v", got)
	}
}

func TestFileAnUrgentStory(t *testing.T) {
	f := newFixture(t)
	// Sure of the type: its body, and the duty desk told.
	var ch store.Change
	k, body, err := f.w.File(f.ctx, &ch, Filing{OpenID: "oU1", Story: "他拿刀砍人", Type: dispute.Family, Confidence: 0.98, Urgent: true}, f.now)
	if err != nil || body.ID == "tonghua-duty" || !k.Urgent {
		t.Fatalf("filed %+v to %s: %v", k, body.ID, err)
	}
	if err := f.s.Commit(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	events, _ := f.s.Events(f.ctx, k.ID)
	var told bool
	for _, e := range events {
		told = told || (e.Kind == dispute.Note && e.Text == "紧急案件，已同时通报"+f.w.bodyName("tonghua-duty"))
	}
	if !told {
		t.Fatalf("the duty desk is not told: %+v", events)
	}
	// Unsure of the type: the duty desk has it.
	ch = store.Change{}
	if _, body, err := f.w.File(f.ctx, &ch, Filing{OpenID: "oU2", Story: "快来人", Type: dispute.Other, Confidence: 0.3, Urgent: true}, f.now); err != nil || body.ID != "tonghua-duty" {
		t.Fatalf("an urgent story of unknown type went to %s (%v)", body.ID, err)
	}
}

func TestCitizenWroteFillsInAnUrgentCase(t *testing.T) {
	f := newFixture(t)
	urgent := f.file("JF20261201-0010", "tonghua-duty", true)
	plain := f.file("JF20261201-0011", "lh-labor", false)
	urgent.Region, urgent.Phone = "", ""
	plain.Region, plain.Phone = "", ""
	var ch store.Change
	r, p := f.w.CitizenWrote(&ch, urgent, Said{Text: "我在东昌区，电话13922223333", Region: "东昌区", Phone: "13922223333"}, f.now)
	if r != "东昌区" || p != "13922223333" {
		t.Fatalf("urgent case filled with %q %q", r, p)
	}
	// Elsewhere a number in a later message may be the other side's.
	if _, p := f.w.CitizenWrote(&ch, plain, Said{Text: "他电话13800001111", Phone: "13800001111"}, f.now); p != "" {
		t.Fatalf("a plain case took the phone %q", p)
	}
	if err := f.s.Commit(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.Case(f.ctx, urgent.ID); got.Region != "东昌区" || got.Phone != "13922223333" {
		t.Fatalf("stored %+v", got)
	}
}

// An agreement may be drafted while a body has the case, accepted or not,
// and after it was resolved; never on a case that ended otherwise.
func TestAgreeable(t *testing.T) {
	for s, want := range map[dispute.Status]bool{
		dispute.Received: true, dispute.Referred: true, dispute.Accepted: true, dispute.Mediating: true,
		dispute.Resolved: true, dispute.Unresolved: false, dispute.Withdrawn: false,
	} {
		if got := Agreeable(s); got != want {
			t.Errorf("Agreeable(%s) = %v, want %v", s, got, want)
		}
	}
}
