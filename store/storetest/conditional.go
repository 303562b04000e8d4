package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Conditional writes: a claim (Assignment.IfFree) and a status change
// with From apply only if the case is still as the caller saw it; if not,
// Commit returns ErrConflict and stores nothing of the Change. And
// Failures, which counts failed logins without adding one.

// claimChange is what the console commits when a user takes a case: the
// claim, a note in the thread, and the request's dedup key.
func claimChange(caseID, user string, when time.Time) store.Change {
	return store.Change{
		At: t0, Dedup: "claim " + user, DedupTTL: time.Hour, Reply: "ok " + user,
		Assign: []store.Assignment{{CaseID: caseID, User: user, At: when, IfFree: true}},
		Events: []dispute.Event{{CaseID: caseID, At: when, Kind: dispute.Note, Actor: "user:" + user, Text: "认领 " + user}},
	}
}

// commitAll commits the Changes at once, each from its own goroutine, and
// returns their errors in order.
func (e *env) commitAll(cs ...store.Change) []error {
	errs := make([]error, len(cs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			<-start
			errs[i] = e.s.Commit(e.ctx, c)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// winner checks that exactly one error is nil and every other one is
// ErrConflict, and returns the index of the nil one.
func winner(t *testing.T, what string, errs []error) int {
	t.Helper()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("%s: Changes %d and %d both applied", what, won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("%s: Change %d = %v, want nil or ErrConflict", what, i, err)
		}
	}
	if won < 0 {
		t.Fatalf("%s: no Change applied: %v", what, errs)
	}
	return won
}

// Ten users claim one free case at once: one gets it, and the others'
// Changes leave nothing, their dedup keys and notes included.
func testClaimRace(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})

	const n = 10
	users := make([]string, n)
	cs := make([]store.Change, n)
	for i := range n {
		users[i] = fmt.Sprintf("user%d", i)
		cs[i] = claimChange(c.ID, users[i], at(time.Hour))
	}
	won := winner(t, "concurrent claims", e.commitAll(cs...))
	e.assigned(c.ID, users[won], at(time.Hour))
	evs, err := e.s.Events(e.ctx, c.ID)
	if err != nil || len(evs) != 1 || evs[0].Text != "认领 "+users[won] {
		t.Fatalf("Events after the claims = %+v, %v; want the winner's note only", evs, err)
	}
	for i, u := range users {
		r, err := e.s.DedupReply(e.ctx, cs[i].Dedup, t0)
		switch {
		case i == won && (err != nil || r != "ok "+u):
			t.Errorf("winner's DedupReply = %q, %v; want its reply", r, err)
		case i != won && !errors.Is(err, store.ErrNotFound):
			t.Errorf("DedupReply of a refused claim = %q, %v; want ErrNotFound", r, err)
		}
	}

	// A refused claim tried again is refused for the case, not as a
	// duplicate: its key was never taken.
	loser := (won + 1) % n
	if err := e.s.Commit(e.ctx, cs[loser]); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a refused claim again = %v, want ErrConflict", err)
	}

	// The holder may claim it again.
	again := claimChange(c.ID, users[won], at(2*time.Hour))
	again.Dedup = "again"
	e.commit(again)
	e.assigned(c.ID, users[won], at(2*time.Hour))

	// Given back, it is free for the next claim.
	e.commit(store.Change{Assign: []store.Assignment{{CaseID: c.ID, User: "", At: at(3 * time.Hour)}}})
	e.commit(cs[loser])
	e.assigned(c.ID, users[loser], at(time.Hour))
}

// A claim is refused as a whole Change, and is checked against the
// assignee before the Change's own transfers and assignments, which do not
// free the case for it. A plain assignment still takes a case from anyone.
func testClaimStoresNothing(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	c.Assignee = "李"
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	claim := store.Assignment{CaseID: c.ID, User: "王", At: at(time.Hour), IfFree: true}
	for _, bad := range []struct {
		what string
		ch   func(*store.Change)
	}{
		{"a claim of a taken case", func(ch *store.Change) { ch.Assign = []store.Assignment{claim} }},
		{"a claim after a transfer in the same Change", func(ch *store.Change) {
			ch.Transfers = []store.Transfer{{CaseID: c.ID, Body: "bodyB", Rule: "transfer:admin", At: at(time.Hour)}}
			ch.Assign = []store.Assignment{claim}
		}},
		{"a claim after a release in the same Change", func(ch *store.Change) {
			ch.Assign = []store.Assignment{{CaseID: c.ID, User: "", At: at(time.Hour)}, claim}
		}},
	} {
		ch := fullChange("k", "o1", 0, nc, c.ID)
		bad.ch(&ch)
		if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Commit with %s = %v, want ErrConflict", bad.what, err)
		}
		e.unchanged("a Commit with "+bad.what, before, ids, cases, keys)
		e.inBody("bodyB")
	}

	unknown := store.Assignment{CaseID: "JF-unknown", User: "王", At: at(time.Hour), IfFree: true}
	if err := e.s.Commit(e.ctx, store.Change{Assign: []store.Assignment{unknown}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a claim of an unknown case = %v, want ErrNotFound", err)
	}

	// A case the Change creates is claimed as it is created.
	free := mkCase("JF20261127-0003", "o3", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{free},
		Assign: []store.Assignment{{CaseID: free.ID, User: "王", At: at(time.Hour), IfFree: true}}})
	e.assigned(free.ID, "王", at(time.Hour))

	ch := fullChange("k", "o1", 0, nc, c.ID)
	ch.Assign = []store.Assignment{{CaseID: c.ID, User: "王", At: at(time.Hour)}}
	e.commit(ch) // the key was never taken
	e.assigned(c.ID, "王", at(time.Hour))
}

// A status change with From applies while the case has that status, and
// refuses the whole Change, its dedup key and events included, once the
// case has moved on. Each From sees the Change's earlier parts.
func testStatusFrom(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	other := mkCase("JF20261127-0003", "o3", dispute.Received, dispute.Family, "集安市", "bodyB", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c, other}})
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: c.ID, From: dispute.Referred, To: dispute.Accepted, At: at(time.Hour)}}})
	if k := e.listed(c.ID); k.Status != dispute.Accepted || !sameTime(k.UpdatedAt, at(time.Hour)) {
		t.Fatalf("case after a matching From = %s %v, want accepted at %v", k.Status, k.UpdatedAt, at(time.Hour))
	}

	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID, other.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)
	stale := store.StatusChange{CaseID: c.ID, From: dispute.Referred, To: dispute.Received, At: at(2 * time.Hour)}
	ch := fullChange("k", "o1", 0, nc, c.ID)
	ch.Statuses = []store.StatusChange{{CaseID: other.ID, To: dispute.Withdrawn, At: at(2 * time.Hour)}, stale}
	if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Commit with a stale From = %v, want ErrConflict", err)
	}
	e.unchanged("a Commit with a stale From", before, ids, cases, keys)

	unknown := store.StatusChange{CaseID: "JF-unknown", From: dispute.Referred, To: dispute.Accepted, At: at(time.Hour)}
	if err := e.s.Commit(e.ctx, store.Change{Statuses: []store.StatusChange{unknown}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a From on an unknown case = %v, want ErrNotFound", err)
	}

	// From follows the Change: its new case's status, then its own moves.
	ch = fullChange("k", "o1", 0, nc, c.ID)
	ch.Statuses = []store.StatusChange{
		{CaseID: nc.ID, From: dispute.Received, To: dispute.Referred, At: at(3 * time.Hour)},
		{CaseID: c.ID, From: dispute.Accepted, To: dispute.Mediating, At: at(3 * time.Hour)},
		{CaseID: c.ID, From: dispute.Mediating, To: dispute.Resolved, At: at(4 * time.Hour)},
	}
	e.commit(ch) // the key was never taken
	if k := e.listed(c.ID); k.Status != dispute.Resolved {
		t.Errorf("case after chained Froms = %s, want resolved", k.Status)
	}
	if k := e.listed(nc.ID); k.Status != dispute.Referred {
		t.Errorf("new case after its From = %s, want referred", k.Status)
	}
	// Without From, a status change applies whatever the status.
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: c.ID, To: dispute.Withdrawn, At: at(5 * time.Hour)}}})
	if k := e.listed(c.ID); k.Status != dispute.Withdrawn {
		t.Errorf("case after a status change without From = %s, want withdrawn", k.Status)
	}
}

// An accept and a decline of the same referral at once: exactly one
// happens, and the other leaves nothing.
func testStatusFromRace(t *testing.T, e *env) {
	for round := range 10 {
		c := mkCase(fmt.Sprintf("JF20261127-%04d", round+1), "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
		e.commit(store.Change{NewCases: []dispute.Case{c}})
		when := at(time.Hour)
		accept := store.Change{
			At: t0, Dedup: fmt.Sprintf("accept %d", round), DedupTTL: time.Hour,
			Statuses: []store.StatusChange{{CaseID: c.ID, From: dispute.Referred, To: dispute.Accepted, At: when}},
			Events:   []dispute.Event{{CaseID: c.ID, At: when, Kind: dispute.StatusSet, Actor: "user:王", Status: dispute.Accepted}},
		}
		decline := store.Change{
			At: t0, Dedup: fmt.Sprintf("decline %d", round), DedupTTL: time.Hour,
			Statuses:  []store.StatusChange{{CaseID: c.ID, From: dispute.Referred, To: dispute.Received, At: when}},
			Transfers: []store.Transfer{{CaseID: c.ID, Body: "bodyB", Rule: "transfer:李", At: when}},
			Events:    []dispute.Event{{CaseID: c.ID, At: when, Kind: dispute.Declined, Actor: "user:李", Text: "不属本院", Body: "bodyA"}},
		}
		won := winner(t, "accept and decline", e.commitAll(accept, decline))
		k := e.listed(c.ID)
		evs, err := e.s.Events(e.ctx, c.ID)
		if err != nil || len(evs) != 1 {
			t.Fatalf("Events after the race = %+v, %v; want the winner's only", evs, err)
		}
		loserKey := decline.Dedup
		if won == 0 {
			if k.Status != dispute.Accepted || k.Body != "bodyA" || evs[0].Kind != dispute.StatusSet {
				t.Errorf("accept won, but the case is %s in %s, event %s", k.Status, k.Body, evs[0].Kind)
			}
		} else {
			loserKey = accept.Dedup
			if k.Status != dispute.Received || k.Body != "bodyB" || evs[0].Kind != dispute.Declined {
				t.Errorf("decline won, but the case is %s in %s, event %s", k.Status, k.Body, evs[0].Kind)
			}
		}
		if _, err := e.s.DedupReply(e.ctx, loserKey, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DedupReply of the refused Change = %v, want ErrNotFound", err)
		}
	}
}

func (e *env) failures(key string, now time.Time, window time.Duration, want int) {
	e.t.Helper()
	if n, err := e.s.Failures(e.ctx, key, now, window); err != nil || n != want {
		e.t.Errorf("Failures(%s, %v) = %d, %v; want %d", key, now.Sub(t0), n, err, want)
	}
}

// Failures counts as Failure does, over the window ending at the now
// given, and adds nothing.
func testFailuresCount(t *testing.T, e *env) {
	const w = 15 * time.Minute
	e.failures("王", at(0), w, 0)
	e.failure("王", at(0), w, 1)
	e.failure("王", at(time.Minute), w, 2)
	e.failure("王", at(2*time.Minute), w, 3)
	e.failures("王", at(2*time.Minute), w, 3)
	e.failures("王", at(2*time.Minute), w, 3) // the first call added none
	e.failures("10.0.0.1", at(2*time.Minute), w, 0)

	// The window is (now-w, now].
	e.failures("王", at(time.Minute), w, 2) // the one after now is not counted
	e.failures("王", at(w), w, 2)           // the first has just left it
	e.failures("王", at(w+time.Minute), w, 1)
	e.failures("王", at(w+2*time.Minute), w, 0)
	e.failures("王", at(2*time.Minute), time.Minute, 1)

	// Counting at a later now dropped nothing, nor added anything.
	e.failure("王", at(3*time.Minute), w, 4)
	e.failures("王", at(3*time.Minute), w, 4)

	if err := e.s.ClearFailures(e.ctx, "王"); err != nil {
		t.Fatalf("ClearFailures: %v", err)
	}
	e.failures("王", at(3*time.Minute), w, 0)
}

// A ThreadMark: a Change applies only while the case's newest event is
// the one its caller read. Two parties confirming on the same reading of
// the thread: one applies, the other is ErrConflict and stores nothing
// (its dedup key included); read again, it applies.
func testThreadMark(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Mediating, dispute.Labor, "东昌区", "bodyA", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	empty, err := e.s.Events(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m := store.MarkOf(c.ID, empty); m.LastID != 0 {
		t.Fatalf("mark of an empty thread: %d", m.LastID)
	}
	// A mark of an empty thread holds until its first event.
	e.commit(store.Change{Unchanged: []store.ThreadMark{store.MarkOf(c.ID, empty)},
		Events: []dispute.Event{{CaseID: c.ID, At: at(time.Minute), Kind: dispute.Note, Actor: "system", Text: "first"}}})
	read, err := e.s.Events(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	confirm := func(party string) store.Change {
		return store.Change{At: t0, Dedup: "confirm " + party, DedupTTL: time.Hour, Reply: "ok",
			Unchanged: []store.ThreadMark{store.MarkOf(c.ID, read)},
			Events:    []dispute.Event{{CaseID: c.ID, At: at(time.Hour), Kind: dispute.Note, Actor: party, Text: "confirmed by " + party}}}
	}
	won := winner(t, "concurrent confirmations", e.commitAll(confirm("a"), confirm("b")))
	lost := []string{"a", "b"}[1-won]
	after, err := e.s.Events(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 2 || after[1].Actor == lost {
		t.Fatalf("thread after the race: %+v", after)
	}
	if _, err := e.s.DedupReply(e.ctx, "confirm "+lost, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused Change kept its dedup key (err %v)", err)
	}
	// An empty thread's mark no longer holds either.
	if err := e.s.Commit(e.ctx, store.Change{Unchanged: []store.ThreadMark{{CaseID: c.ID}}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("mark of 0 on a thread with events: %v, want ErrConflict", err)
	}
	// Read again, the loser's word applies.
	read = after
	if err := e.s.Commit(e.ctx, confirm(lost)); err != nil {
		t.Fatalf("the second confirmation on the new reading: %v", err)
	}
}
