package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Transfers of a case to another body, video mediation, and the body an
// event concerns.

// listed reads a case through Case, checks that Cases (unfiltered and by
// its body) returns the same, and returns it.
func (e *env) listed(id string) dispute.Case {
	e.t.Helper()
	k, err := e.s.Case(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Case(%s): %v", id, err)
	}
	for _, f := range []store.CaseFilter{{}, {Body: k.Body}} {
		cs, err := e.s.Cases(e.ctx, f)
		if err != nil {
			e.t.Fatalf("Cases(%+v): %v", f, err)
		}
		i := slices.IndexFunc(cs, func(c dispute.Case) bool { return c.ID == id })
		if i < 0 {
			e.t.Errorf("Cases(%+v) lacks %s", f, id)
		} else if cs[i] != k {
			e.t.Errorf("Cases(%+v) and Case disagree on %s:\n%+v\n%+v", f, id, cs[i], k)
		}
	}
	return k
}

// inBody checks which cases Cases lists for a body, newest first.
func (e *env) inBody(body string, want ...string) {
	e.t.Helper()
	got, err := e.s.Cases(e.ctx, store.CaseFilter{Body: body})
	if err != nil {
		e.t.Fatalf("Cases(body %s): %v", body, err)
	}
	if !slices.Equal(caseIDs(got), want) {
		e.t.Errorf("Cases(body %s) = %v, want %v", body, caseIDs(got), want)
	}
}

// A transfer moves the case to the new body's queue, with the rule that
// sent it there, leaves it nobody's and keeps its thread.
func testTransfer(t *testing.T, e *env) {
	c1 := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	c1.Assignee = "李"
	c2 := mkCase("JF20261127-0002", "o2", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(time.Second))
	c3 := mkCase("JF20261127-0003", "o3", dispute.Referred, dispute.Family, "集安市", "bodyB", at(2*time.Second))
	ev1 := dispute.Event{CaseID: c1.ID, At: at(0), Kind: dispute.MessageIn, Actor: "citizen", Text: "老板拖欠工资"}
	e.commit(store.Change{NewCases: []dispute.Case{c1, c2, c3}, Events: []dispute.Event{ev1}})

	ev2 := dispute.Event{CaseID: c1.ID, At: at(time.Hour), Kind: dispute.Declined, Actor: "user:李", Text: "不属本院受理", Body: "bodyA"}
	e.commit(store.Change{
		Transfers: []store.Transfer{{CaseID: c1.ID, Body: "bodyB", Rule: "transfer:李", At: at(time.Hour)}},
		Events:    []dispute.Event{ev2},
	})
	want := c1
	want.Body, want.Rule, want.Assignee, want.UpdatedAt = "bodyB", "transfer:李", "", at(time.Hour)
	checkCase(t, "transferred case", e.listed(c1.ID), want)
	checkCase(t, "other case", e.listed(c2.ID), c2)
	e.inBody("bodyA", c2.ID)
	e.inBody("bodyB", c3.ID, c1.ID)
	if got, err := e.s.Cases(e.ctx, store.CaseFilter{Body: "bodyB", Type: dispute.Labor}); err != nil ||
		!slices.Equal(caseIDs(got), []string{c1.ID}) {
		t.Errorf("Cases(bodyB, labor) = %v, %v; want [%s]", caseIDs(got), err, c1.ID)
	}
	evs, err := e.s.Events(e.ctx, c1.ID)
	if err != nil || len(evs) != 2 {
		t.Fatalf("Events after a transfer = %+v, %v; want the thread kept and the decline added", evs, err)
	}
	checkEvent(t, "first event", evs[0], ev1)
	checkEvent(t, "decline", evs[1], ev2)

	// Back again, and twice in one Change (the last one holds).
	e.commit(store.Change{Transfers: []store.Transfer{{CaseID: c1.ID, Body: "bodyA", Rule: "rule:back", At: at(2 * time.Hour)}}})
	e.inBody("bodyA", c2.ID, c1.ID)
	e.inBody("bodyB", c3.ID)
	e.commit(store.Change{Transfers: []store.Transfer{
		{CaseID: c2.ID, Body: "bodyB", Rule: "rule:1", At: at(3 * time.Hour)},
		{CaseID: c2.ID, Body: "bodyC", Rule: "rule:2", At: at(4 * time.Hour)},
	}})
	want = c2
	want.Body, want.Rule, want.UpdatedAt = "bodyC", "rule:2", at(4*time.Hour)
	checkCase(t, "transferred twice", e.listed(c2.ID), want)
	e.inBody("bodyA", c1.ID)
	e.inBody("bodyB", c3.ID)
	e.inBody("bodyC", c2.ID)
}

// Transfers apply before assignments, whatever the order of the fields: a
// Change may move a case and give it to someone of the new body at once.
func testTransferThenAssign(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	c.Assignee = "李"
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.commit(store.Change{
		Assign:    []store.Assignment{{CaseID: c.ID, User: "王", At: at(time.Hour)}},
		Transfers: []store.Transfer{{CaseID: c.ID, Body: "bodyB", Rule: "transfer:admin", At: at(time.Hour)}},
	})
	want := c
	want.Body, want.Rule, want.Assignee, want.UpdatedAt = "bodyB", "transfer:admin", "王", at(time.Hour)
	checkCase(t, "transferred and assigned", e.listed(c.ID), want)
	e.inBody("bodyA")
}

// A video mediation is set, moved and cancelled; a cancellation drops
// the link with the time.
func testVideo(t *testing.T, e *env) {
	c1 := mkCase("JF20261127-0001", "o1", dispute.Accepted, dispute.Labor, "东昌区", "b", at(0))
	c2 := mkCase("JF20261127-0002", "o2", dispute.Accepted, dispute.Family, "东昌区", "b", at(time.Second))
	e.commit(store.Change{NewCases: []dispute.Case{c1, c2}})
	if k := e.listed(c1.ID); !k.VideoAt.IsZero() || k.VideoURL != "" {
		t.Errorf("new case has a video: %v %q", k.VideoAt, k.VideoURL)
	}

	want := c1
	for i, v := range []store.VideoSchedule{
		{CaseID: c1.ID, Start: at(24 * time.Hour), URL: "https://meeting.example/j/1", At: at(time.Hour)},
		{CaseID: c1.ID, Start: at(48 * time.Hour), URL: "https://meeting.example/j/2", At: at(2 * time.Hour)},
		{CaseID: c1.ID, URL: "https://meeting.example/j/3", At: at(3 * time.Hour)}, // cancelled
	} {
		e.commit(store.Change{
			Statuses: []store.StatusChange{{CaseID: c1.ID, To: dispute.Mediating, At: v.At}},
			Video:    []store.VideoSchedule{v},
			Events:   []dispute.Event{{CaseID: c1.ID, At: v.At, Kind: dispute.Video, Actor: "user:王", Text: "视频调解"}},
		})
		want.Status, want.VideoAt, want.VideoURL, want.UpdatedAt = dispute.Mediating, v.Start, v.URL, v.At
		if v.Start.IsZero() {
			want.VideoURL = ""
		}
		checkCase(t, "video step "+string(rune('1'+i)), e.listed(c1.ID), want)
	}
	checkCase(t, "other case", e.listed(c2.ID), c2)
}

// A case may be made with its video already set.
func testNewCaseVideo(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Accepted, dispute.Labor, "东昌区", "b", at(0))
	c.VideoAt, c.VideoURL = at(time.Hour), "https://meeting.example/j/1"
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	checkCase(t, "new case with a video", e.listed(c.ID), c)
}

// Event.Body round-trips, and an event without one reads back without.
func testEventBody(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(0))
	evs := []dispute.Event{
		{CaseID: c.ID, At: at(time.Second), Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred, Body: "东昌区劳动人事争议仲裁院"},
		{CaseID: c.ID, At: at(2 * time.Second), Kind: dispute.Note, Actor: "user:李", Text: "备注"},
		{CaseID: c.ID, At: at(3 * time.Second), Kind: dispute.Declined, Actor: "user:李", Text: "不属本院", Body: "bodyA"},
	}
	e.commit(store.Change{NewCases: []dispute.Case{c}, Events: evs})
	got, err := e.s.Events(e.ctx, c.ID)
	if err != nil || len(got) != len(evs) {
		t.Fatalf("Events = %+v, %v; want %d", got, err, len(evs))
	}
	for i := range evs {
		checkEvent(t, "event "+string(rune('1'+i)), got[i], evs[i])
	}
}

// A transfer or a video of an unknown case refuses the whole Change, its
// dedup key included.
func testTransferVideoUnknown(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(0))
	c.Assignee = "李"
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	tr := store.Transfer{CaseID: c.ID, Body: "bodyB", Rule: "transfer:李", At: at(time.Hour)}
	v := store.VideoSchedule{CaseID: c.ID, Start: at(24 * time.Hour), URL: "https://meeting.example/j/1", At: at(time.Hour)}
	for _, bad := range []struct {
		what string
		ch   func(*store.Change)
	}{
		{"a transfer", func(ch *store.Change) {
			ch.Transfers = []store.Transfer{tr, {CaseID: "JF-unknown", Body: "bodyB", At: at(time.Hour)}}
		}},
		{"a video", func(ch *store.Change) {
			ch.Transfers = []store.Transfer{tr}
			ch.Video = []store.VideoSchedule{v, {CaseID: "JF-unknown", Start: at(time.Hour), At: at(time.Hour)}}
		}},
	} {
		ch := fullChange("k", "o1", 0, nc, c.ID)
		bad.ch(&ch)
		if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Commit with %s of an unknown case = %v, want ErrNotFound", bad.what, err)
		}
		e.unchanged("a Commit with "+bad.what+" of an unknown case", before, ids, cases, keys)
		e.inBody("bodyA", c.ID)
		e.inBody("bodyB")
	}

	ch := fullChange("k", "o1", 0, nc, c.ID)
	ch.Transfers, ch.Video = []store.Transfer{tr}, []store.VideoSchedule{v}
	e.commit(ch) // the key was never taken
	k := e.listed(c.ID)
	if k.Body != "bodyB" || k.Assignee != "" || !sameTime(k.VideoAt, v.Start) || k.VideoURL != v.URL {
		t.Errorf("case after the Change = %+v", k)
	}
}

// Transfers and videos are announced like any other change of a case, and
// refused ones are not.
func testTransferVideoNotice(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	// Subscribed first: a Cluster may deliver a notice after its Commit
	// returned, so one published before Subscribe could still turn up.
	ch, err := e.s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	if n := next(t, ch); n.CaseID != k.ID || !n.New {
		t.Fatalf("notice %+v, want one of the new case %s", n, k.ID)
	}
	for _, c := range []store.Change{
		{Transfers: []store.Transfer{{CaseID: k.ID, Body: "bodyB", At: at(time.Hour)}}},
		{Video: []store.VideoSchedule{{CaseID: k.ID, Start: at(24 * time.Hour), URL: "u", At: at(time.Hour)}}},
	} {
		refused := store.Change{Transfers: []store.Transfer{{CaseID: "JF-unknown", Body: "bodyB", At: at(time.Hour)}}}
		if c.Video != nil {
			refused = store.Change{Video: []store.VideoSchedule{{CaseID: "JF-unknown", At: at(time.Hour)}}}
		}
		_ = e.s.Commit(e.ctx, refused)
		e.commit(c)
		if n := next(t, ch); n.CaseID != k.ID || n.New {
			t.Fatalf("notice %+v, want one of a change to %s", n, k.ID)
		}
	}
	select {
	case n := <-ch:
		t.Fatalf("unexpected notice %+v", n)
	case <-time.After(100 * time.Millisecond):
	}
}

// Transfers, videos and event bodies are there after Close and a new open.
func testTransferVideoPersistence(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	c.Assignee = "李"
	ev := dispute.Event{CaseID: c.ID, At: at(time.Hour), Kind: dispute.Declined, Actor: "user:李", Text: "转出", Body: "bodyA"}
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.commit(store.Change{
		Transfers: []store.Transfer{{CaseID: c.ID, Body: "bodyB", Rule: "transfer:李", At: at(time.Hour)}},
		Video:     []store.VideoSchedule{{CaseID: c.ID, Start: at(24 * time.Hour), URL: "https://meeting.example/j/1", At: at(2 * time.Hour)}},
		Events:    []dispute.Event{ev},
	})

	e.reopen()

	want := c
	want.Body, want.Rule, want.Assignee = "bodyB", "transfer:李", ""
	want.VideoAt, want.VideoURL, want.UpdatedAt = at(24*time.Hour), "https://meeting.example/j/1", at(2*time.Hour)
	checkCase(t, "case after reopen", e.listed(c.ID), want)
	e.inBody("bodyA")
	evs, err := e.s.Events(e.ctx, c.ID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events after reopen = %+v, %v; want 1", evs, err)
	}
	checkEvent(t, "event after reopen", evs[0], ev)
}
