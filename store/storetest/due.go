package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func (e *env) dueCases(until time.Time, limit int) []store.DueCase {
	e.t.Helper()
	got, err := e.s.DueCases(e.ctx, until, limit)
	if err != nil {
		e.t.Fatalf("DueCases: %v", err)
	}
	return got
}

func dueIDs(ds []store.DueCase) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.CaseID)
	}
	return ids
}

func (e *env) withoutDue() []string {
	e.t.Helper()
	got, err := e.s.CasesWithoutDue(e.ctx, 0)
	if err != nil {
		e.t.Fatalf("CasesWithoutDue: %v", err)
	}
	return dueIDs(got)
}

// A due time is set with a new case or later, moved and cleared; DueCases
// lists the cases due at or before its bound, earliest first, up to its
// limit, each with its time; setting one changes nothing else of the case.
func testDue(t *testing.T, e *env) {
	k1 := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	k2 := mkCase("JF20261127-0002", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	k3 := mkCase("JF20261127-0003", "o2", dispute.Accepted, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{k1, k2, k3},
		Due: []store.DueSet{{CaseID: k1.ID, At: at(3 * time.Hour)}, {CaseID: k2.ID, At: at(time.Hour)}}})
	e.commit(store.Change{Due: []store.DueSet{{CaseID: k3.ID, At: at(time.Hour)}}})

	if got := dueIDs(e.dueCases(at(time.Hour-time.Millisecond), 0)); len(got) != 0 {
		t.Errorf("DueCases before any is due = %v", got)
	}
	got := e.dueCases(at(time.Hour), 0)
	if ids := dueIDs(got); !slices.Equal(ids, []string{k2.ID, k3.ID}) {
		t.Errorf("DueCases(at the hour) = %v, want the two due then, by id", ids)
	}
	if len(got) > 0 && !sameTime(got[0].At, at(time.Hour)) {
		t.Errorf("due at %v, want %v", got[0].At, at(time.Hour))
	}
	if ids := dueIDs(e.dueCases(at(24*time.Hour), 2)); !slices.Equal(ids, []string{k2.ID, k3.ID}) {
		t.Errorf("DueCases(limit 2) = %v, want the earliest two", ids)
	}
	if ids := dueIDs(e.dueCases(at(24*time.Hour), 0)); !slices.Equal(ids, []string{k2.ID, k3.ID, k1.ID}) {
		t.Errorf("DueCases(all) = %v, want them earliest first", ids)
	}

	// Moved later, and cleared.
	e.commit(store.Change{Due: []store.DueSet{{CaseID: k2.ID, At: at(5 * time.Hour)}, {CaseID: k3.ID}}})
	if ids := dueIDs(e.dueCases(at(24*time.Hour), 0)); !slices.Equal(ids, []string{k1.ID, k2.ID}) {
		t.Errorf("DueCases after a move and a clear = %v, want [%s %s]", ids, k1.ID, k2.ID)
	}
	// Bookkeeping only: the case is as it was, and none of the open cases
	// lacks a due time (k3's is set: to nothing).
	if c, err := e.s.Case(e.ctx, k2.ID); err != nil {
		t.Fatal(err)
	} else {
		checkCase(t, "a case whose due time moved", c, k2)
	}
	if got := e.withoutDue(); len(got) != 0 {
		t.Errorf("CasesWithoutDue = %v, want none", got)
	}

	e.reopen()
	if ids := dueIDs(e.dueCases(at(24*time.Hour), 0)); !slices.Equal(ids, []string{k1.ID, k2.ID}) {
		t.Errorf("DueCases after reopening = %v", ids)
	}
}

// A due time for an unknown case, or (IfWas) one that moved meanwhile,
// refuses its whole Change.
func testDueRefused(t *testing.T, e *env) {
	k := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{k}, Due: []store.DueSet{{CaseID: k.ID, At: at(time.Hour)}}})
	ev := dispute.Event{CaseID: k.ID, At: at(time.Minute), Kind: dispute.Reminder, Actor: "system", Text: "提醒"}
	before := e.snapshot([]string{"o1"}, []string{k.ID}, []string{"k"})
	for _, c := range []struct {
		name string
		ch   store.Change
		is   error
	}{
		{"an unknown case", store.Change{At: t0, Dedup: "k", Events: []dispute.Event{ev},
			Due: []store.DueSet{{CaseID: "JF20261127-0404", At: at(time.Hour)}}}, store.ErrNotFound},
		{"a due time that moved", store.Change{At: t0, Dedup: "k", Events: []dispute.Event{ev},
			Due: []store.DueSet{{CaseID: k.ID, At: at(2 * time.Hour), IfWas: true, Was: at(30 * time.Minute)}}}, store.ErrConflict},
		{"a due time that was set", store.Change{At: t0, Dedup: "k", Events: []dispute.Event{ev},
			Due: []store.DueSet{{CaseID: k.ID, At: at(2 * time.Hour), IfWas: true}}}, store.ErrConflict},
	} {
		if err := e.s.Commit(e.ctx, c.ch); !errors.Is(err, c.is) {
			t.Errorf("Commit with %s = %v, want %v", c.name, err, c.is)
		}
		e.unchanged("Commit with "+c.name, before, []string{"o1"}, []string{k.ID}, []string{"k"})
		if got := e.dueCases(at(24*time.Hour), 0); len(got) != 1 || !sameTime(got[0].At, at(time.Hour)) {
			t.Errorf("after Commit with %s: DueCases = %+v, want the hour unchanged", c.name, got)
		}
	}
	// As it still is, it applies; and a later op sees what an earlier
	// one of the same Change left.
	e.commit(store.Change{Due: []store.DueSet{
		{CaseID: k.ID, At: at(2 * time.Hour), IfWas: true, Was: at(time.Hour)},
		{CaseID: k.ID, IfWas: true, Was: at(2 * time.Hour)},
		{CaseID: k.ID, At: at(3 * time.Hour), IfWas: true},
	}})
	if got := e.dueCases(at(24*time.Hour), 0); len(got) != 1 || !sameTime(got[0].At, at(3*time.Hour)) {
		t.Errorf("DueCases = %+v, want the third hour", got)
	}
}

// CasesWithoutDue lists the open cases whose due time was never set, by
// id: not those set (even to nothing), nor ended ones.
func testCasesWithoutDue(t *testing.T, e *env) {
	var cs []dispute.Case
	for i, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating,
		dispute.Resolved, dispute.Unresolved, dispute.Withdrawn, dispute.Referred} {
		cs = append(cs, mkCase("JF20261127-000"+string(rune('8'-i)), "o1", st, dispute.Labor, "东昌区", "b", at(0)))
	}
	e.commit(store.Change{NewCases: cs, Due: []store.DueSet{{CaseID: cs[7].ID}}})
	want := []string{cs[3].ID, cs[2].ID, cs[1].ID, cs[0].ID} // by id
	if got := e.withoutDue(); !slices.Equal(got, want) {
		t.Errorf("CasesWithoutDue = %v, want %v", got, want)
	}
	if got, err := e.s.CasesWithoutDue(e.ctx, 2); err != nil || !slices.Equal(dueIDs(got), want[:2]) {
		t.Errorf("CasesWithoutDue(limit 2) = %v, %v; want %v", got, err, want[:2])
	}
	e.commit(store.Change{Due: []store.DueSet{{CaseID: cs[0].ID, At: at(time.Hour)}, {CaseID: cs[3].ID}}})
	if got := e.withoutDue(); !slices.Equal(got, want[1:3]) {
		t.Errorf("CasesWithoutDue after two were set = %v, want %v", got, want[1:3])
	}
	// Each comes with its due time as stored, for a conditional DueSet.
	if got, err := e.s.CasesWithoutDue(e.ctx, 0); err != nil || len(got) != 2 || !got[0].At.IsZero() || !got[1].At.IsZero() {
		t.Errorf("CasesWithoutDue = %+v, %v; want two never set, zero times", got, err)
	}
}

// A due time carries the deadline running on the case: Case and Cases
// return it, a later one replaces it (to none, too), and Cases' DueBy
// selects the cases whose deadline is due by then, in Cases' own order.
func testDeadline(t *testing.T, e *env) {
	k1 := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	k2 := mkCase("JF20261127-0002", "o1", dispute.Accepted, dispute.Labor, "东昌区", "b", at(time.Minute))
	k3 := mkCase("JF20261127-0003", "o2", dispute.Accepted, dispute.Labor, "东昌区", "c", at(2*time.Minute))
	e.commit(store.Change{NewCases: []dispute.Case{k1, k2, k3}, Due: []store.DueSet{
		{CaseID: k1.ID, At: at(time.Hour), Deadline: "accept", DueAt: at(2 * time.Hour)},
		{CaseID: k2.ID, At: at(time.Hour), Deadline: "mediate", DueAt: at(3 * time.Hour)},
		{CaseID: k3.ID, At: at(time.Hour), Deadline: "mediate", DueAt: at(time.Hour)},
	}})
	want1 := k1
	want1.Deadline, want1.DueAt = "accept", at(2*time.Hour)
	got, err := e.s.Case(e.ctx, k1.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkCase(t, "a case with a deadline", got, want1)

	byDue := func(due time.Time, f store.CaseFilter) []string {
		t.Helper()
		f.DueBy = due
		cs, err := e.s.Cases(e.ctx, f)
		if err != nil {
			t.Fatalf("Cases(due by %v): %v", due, err)
		}
		var ids []string
		for _, k := range cs {
			ids = append(ids, k.ID)
		}
		return ids
	}
	if ids := byDue(at(time.Hour-time.Millisecond), store.CaseFilter{}); len(ids) != 0 {
		t.Errorf("Cases due before any = %v", ids)
	}
	if ids := byDue(at(2*time.Hour), store.CaseFilter{}); !slices.Equal(ids, []string{k3.ID, k1.ID}) {
		t.Errorf("Cases due by the second hour = %v, want [%s %s], newest first", ids, k3.ID, k1.ID)
	}
	if ids := byDue(at(5*time.Hour), store.CaseFilter{Body: "b"}); !slices.Equal(ids, []string{k2.ID, k1.ID}) {
		t.Errorf("Cases of body b due = %v, want [%s %s]", ids, k2.ID, k1.ID)
	}
	if ids := byDue(at(5*time.Hour), store.CaseFilter{Status: dispute.Accepted, Limit: 1}); !slices.Equal(ids, []string{k3.ID}) {
		t.Errorf("Cases accepted due, limit 1 = %v, want [%s]", ids, k3.ID)
	}

	// Cleared (the case ended) and moved: the lists follow.
	e.commit(store.Change{Due: []store.DueSet{{CaseID: k3.ID}, {CaseID: k1.ID, At: at(time.Hour), Deadline: "accept", DueAt: at(4 * time.Hour)}}})
	if ids := byDue(at(3*time.Hour), store.CaseFilter{}); !slices.Equal(ids, []string{k2.ID}) {
		t.Errorf("Cases due by the third hour after a clear and a move = %v, want [%s]", ids, k2.ID)
	}
	if got, err := e.s.Case(e.ctx, k3.ID); err != nil || got.Deadline != "" || !got.DueAt.IsZero() {
		t.Errorf("a cleared deadline reads %q %v, %v", got.Deadline, got.DueAt, err)
	}
	e.reopen()
	if got, err := e.s.Case(e.ctx, k1.ID); err != nil || got.Deadline != "accept" || !sameTime(got.DueAt, at(4*time.Hour)) {
		t.Errorf("after reopening, the deadline reads %q %v, %v", got.Deadline, got.DueAt, err)
	}
}
