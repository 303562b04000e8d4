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

func testDuplicate(t *testing.T, e *env) {
	c1 := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	// The first delivery is o0's; the duplicate claims to be o1's, whose
	// dialog, held item and citizen record it would otherwise change.
	e.commit(fullChange("k", "o0", 0, c1, c1.ID))
	e.held("o1", "held", at(0))
	c2 := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	ids, cases, keys := []string{"o0", "o1"}, []string{c1.ID, c2.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	err := e.s.Commit(e.ctx, fullChange("k", "o1", 1, c2, c1.ID))
	if !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("Commit with a taken key = %v, want ErrDuplicate", err)
	}
	e.unchanged("a duplicate Commit", before, ids, cases, keys)
	if r, err := e.s.DedupReply(e.ctx, "k", t0); err != nil || r != "reply k" {
		t.Errorf("DedupReply = %q, %v; want the first delivery's reply", r, err)
	}
}

func testDuplicateConcurrent(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = e.s.Commit(e.ctx, store.Change{
				At: t0, Dedup: "same", DedupTTL: time.Hour, Reply: fmt.Sprint(i),
				Citizen:  &dispute.Citizen{OpenID: "o1", Quota: 5, Sent: i},
				Events:   []dispute.Event{{CaseID: c.ID, At: at(0), Kind: dispute.MessageIn, Actor: "citizen", Text: fmt.Sprint(i)}},
				Outbound: []store.Outbound{{OpenID: "o1", Kind: store.OutText, Text: fmt.Sprint(i)}},
			})
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("commits %d and %d both succeeded with the same key", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrDuplicate):
			t.Errorf("commit %d: %v, want nil or ErrDuplicate", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no commit succeeded")
	}
	w := fmt.Sprint(winner)
	if r, err := e.s.DedupReply(e.ctx, "same", t0); err != nil || r != w {
		t.Errorf("DedupReply = %q, %v; want the winner's %q", r, err, w)
	}
	ev, err := e.s.Events(e.ctx, c.ID)
	if err != nil || len(ev) != 1 || ev[0].Text != w {
		t.Errorf("Events = %+v, %v; want only the winner's", ev, err)
	}
	ob, err := e.s.Outbounds(e.ctx, "")
	if err != nil || len(ob) != 1 || ob[0].Text != w {
		t.Errorf("Outbounds = %+v, %v; want only the winner's", ob, err)
	}
	if ct, err := e.s.Citizen(e.ctx, "o1"); err != nil || ct.Sent != winner {
		t.Errorf("Citizen = %+v, %v; want the winner's (Sent %d)", ct, err, winner)
	}
}

func testDedupReply(t *testing.T, e *env) {
	if _, err := e.s.DedupReply(e.ctx, "unknown", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DedupReply(unknown) = %v, want ErrNotFound", err)
	}
	e.commit(store.Change{At: t0, Dedup: "a", DedupTTL: time.Hour, Reply: "回复 a"})
	e.commit(store.Change{At: t0, Dedup: "b", DedupTTL: time.Hour})
	if r, err := e.s.DedupReply(e.ctx, "a", t0); err != nil || r != "回复 a" {
		t.Errorf("DedupReply(a) = %q, %v", r, err)
	}
	if r, err := e.s.DedupReply(e.ctx, "b", t0); err != nil || r != "" {
		t.Errorf("DedupReply(b) = %q, %v; want the empty reply, found", r, err)
	}
}

// Dedup expiry runs on the caller's clock: the key's time counts from the
// Change's At, and Purge and DedupReply judge it at the now they are given.
func testPurge(t *testing.T, e *env) {
	e.commit(store.Change{At: t0, Dedup: "short", DedupTTL: time.Hour, Reply: "s"})
	e.commit(store.Change{At: t0, Dedup: "long", DedupTTL: 3 * time.Hour, Reply: "l"})
	if err := e.s.Purge(e.ctx, t0); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	for _, k := range []string{"short", "long"} {
		if _, err := e.s.DedupReply(e.ctx, k, t0); err != nil {
			t.Errorf("after Purge(now), DedupReply(%s) = %v; an unexpired key was removed", k, err)
		}
	}
	if err := e.s.Commit(e.ctx, store.Change{At: t0, Dedup: "short", DedupTTL: time.Hour}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Commit(short) after Purge(now) = %v, want ErrDuplicate", err)
	}

	later := at(2 * time.Hour)
	if err := e.s.Purge(e.ctx, later); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if _, err := e.s.DedupReply(e.ctx, "short", later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DedupReply(short) after it was purged = %v, want ErrNotFound", err)
	}
	if r, err := e.s.DedupReply(e.ctx, "long", later); err != nil || r != "l" {
		t.Errorf("DedupReply(long) = %q, %v; an unexpired key was purged", r, err)
	}
	if err := e.s.Commit(e.ctx, store.Change{At: later, Dedup: "short", DedupTTL: time.Hour, Reply: "again"}); err != nil {
		t.Errorf("Commit with a purged key = %v, want it taken again", err)
	}
	if r, err := e.s.DedupReply(e.ctx, "short", later); err != nil || r != "again" {
		t.Errorf("DedupReply(short) = %q, %v; want the new reply", r, err)
	}
	if err := e.s.Commit(e.ctx, store.Change{At: later, Dedup: "long", DedupTTL: time.Hour}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Commit(long) = %v, want ErrDuplicate", err)
	}
}

// A key holds for DedupTTL from its Change's At, on the caller's clock
// whatever the store's says (a year ahead of t0, or t0 itself, which is
// not the real date): at At+DedupTTL it is expired, and free again before
// Purge runs.
func testDedupExpired(t *testing.T, e *env) {
	for _, start := range []time.Time{t0, t0.AddDate(1, 0, 0)} {
		key := "k " + start.Format(time.DateOnly)
		e.commit(store.Change{At: start, Dedup: key, DedupTTL: time.Hour, Reply: "r"})
		almost := start.Add(time.Hour - time.Millisecond)
		if err := e.s.Commit(e.ctx, store.Change{At: almost, Dedup: key, DedupTTL: time.Hour}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("%s: Commit just before the key expires = %v, want ErrDuplicate", key, err)
		}
		if r, err := e.s.DedupReply(e.ctx, key, almost); err != nil || r != "r" {
			t.Errorf("%s: DedupReply just before the key expires = %q, %v", key, r, err)
		}
		expired := start.Add(time.Hour)
		if _, err := e.s.DedupReply(e.ctx, key, expired); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: DedupReply once expired = %v, want ErrNotFound", key, err)
		}
		if err := e.s.Commit(e.ctx, store.Change{At: expired, Dedup: key, DedupTTL: time.Hour, Reply: "again"}); err != nil {
			t.Fatalf("%s: Commit after the key expired = %v, want nil", key, err)
		}
		if r, err := e.s.DedupReply(e.ctx, key, expired); err != nil || r != "again" {
			t.Errorf("%s: DedupReply of the key taken again = %q, %v", key, r, err)
		}
	}
}

// A DedupTTL of 0 is read as "no expiry": a caller that forgets the TTL
// gets a key that holds, never a duplicate processed.
func testDedupNoTTL(t *testing.T, e *env) {
	e.commit(store.Change{At: t0, Dedup: "k", Reply: "r"})
	later := t0.AddDate(1, 0, 0)
	if err := e.s.Purge(e.ctx, later); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if err := e.s.Commit(e.ctx, store.Change{At: later, Dedup: "k"}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Commit = %v, want ErrDuplicate for a key without TTL", err)
	}
	if r, err := e.s.DedupReply(e.ctx, "k", later); err != nil || r != "r" {
		t.Errorf("DedupReply = %q, %v", r, err)
	}
}

// A dedup key needs a time to expire from: a Change with a key and no At
// is refused, and stores nothing.
func testDedupNeedsTime(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	err := e.s.Commit(e.ctx, store.Change{Dedup: "k", DedupTTL: time.Hour, NewCases: []dispute.Case{c}})
	if !errors.Is(err, store.ErrNoTime) {
		t.Fatalf("Commit with a key and no At = %v, want ErrNoTime", err)
	}
	if _, err := e.s.Case(e.ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Case after a refused Commit = %v, want ErrNotFound", err)
	}
	if _, err := e.s.DedupReply(e.ctx, "k", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DedupReply after a refused Commit = %v, want ErrNotFound", err)
	}
	e.commit(store.Change{NewCases: []dispute.Case{c}}) // no key: no time needed
}
