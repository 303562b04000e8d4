package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"jiefen/store"
)

// Who has a case open: a page announced is listed until its time runs
// out or it leaves; a second page of the same user is a second entry;
// a refresh that changes nothing announces nothing; coming, leaving and
// an entry found expired are announced to subscribers.
func testPresence(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	ch, err := e.s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const id = "JF20261127-0300"
	a, b, b2 := store.Viewer("p1", "liuhe"), store.Viewer("p2", "王"), store.Viewer("p3", "王")
	now := time.Now()
	if err := e.s.Present(e.ctx, id, a, now.Add(30*time.Second), now); err != nil {
		t.Fatal(err)
	}
	if n := next(t, ch); n.CaseID != id || !n.Presence || n.New {
		t.Fatalf("notice of a page that came: %+v", n)
	}
	for _, v := range []string{b, b2} {
		if err := e.s.Present(e.ctx, id, v, now.Add(10*time.Second), now); err != nil {
			t.Fatal(err)
		}
		next(t, ch)
	}
	if got, err := e.s.Viewers(e.ctx, id, now); err != nil || !slices.Equal(got, []string{a, b, b2}) {
		t.Fatalf("viewers %q %v", got, err)
	}
	if store.ViewerUser(b) != "王" {
		t.Fatalf("ViewerUser(%q) = %q", b, store.ViewerUser(b))
	}
	// A refresh: nobody came or went.
	if err := e.s.Present(e.ctx, id, a, now.Add(40*time.Second), now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-ch:
		t.Fatalf("a refresh was announced: %+v", n)
	case <-time.After(100 * time.Millisecond):
	}
	if err := e.s.Absent(e.ctx, id, b2); err != nil {
		t.Fatal(err)
	}
	if n := next(t, ch); n.CaseID != id || !n.Presence {
		t.Fatalf("notice of a page that left: %+v", n)
	}
	// b's time runs out: not listed, and dropped (announced) at the next refresh.
	later := now.Add(20 * time.Second)
	if got, _ := e.s.Viewers(e.ctx, id, later); !slices.Equal(got, []string{a}) {
		t.Fatalf("viewers after b's time ran out: %q", got)
	}
	if err := e.s.Present(e.ctx, id, a, later.Add(30*time.Second), later); err != nil {
		t.Fatal(err)
	}
	if n := next(t, ch); !n.Presence {
		t.Fatalf("an expired entry dropped: %+v", n)
	}
	if got, _ := e.s.Viewers(e.ctx, "JF20261127-0301", now); len(got) != 0 {
		t.Fatalf("another case's viewers: %q", got)
	}
}

// Consents to subscription notices: a one-time accept is one use, spent
// by UseSubscription; a retried answer (same dedup key) counts once; a
// long-term accept stands however often it is used; a refusal clears it.
func testSubscriptions(t *testing.T, e *env) {
	now := time.Now().Truncate(time.Millisecond)
	answer := func(dedup, tpl string, accept, long bool) error {
		return e.s.Commit(e.ctx, store.Change{At: now, Dedup: dedup, DedupTTL: time.Hour,
			Subscriptions: []store.SubscriptionAnswer{{OpenID: "o1", TemplateID: tpl, Accept: accept, Long: long, At: now}}})
	}
	get := func() map[string]store.Subscription {
		t.Helper()
		subs, err := e.s.Subscriptions(e.ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]store.Subscription{}
		for _, s := range subs {
			m[s.TemplateID] = s
		}
		return m
	}
	if len(get()) != 0 {
		t.Fatal("subscriptions before any answer")
	}
	if err := answer("e1", "once", true, false); err != nil {
		t.Fatal(err)
	}
	if err := answer("e1", "once", true, false); err == nil {
		t.Fatal("a retried answer was taken again")
	}
	if err := answer("e2", "once", true, false); err != nil {
		t.Fatal(err)
	}
	if s := get()["once"]; s.Uses != 2 || s.Long || s.Refused || !s.Usable() || !s.At.Equal(now) {
		t.Fatalf("two one-time accepts: %+v", s)
	}
	for i := 0; i < 3; i++ {
		if err := e.s.UseSubscription(e.ctx, "o1", "once"); err != nil {
			t.Fatal(err)
		}
	}
	if s := get()["once"]; s.Uses != 0 || s.Usable() {
		t.Fatalf("two uses spent three times: %+v", s)
	}
	if err := answer("e3", "long", true, true); err != nil {
		t.Fatal(err)
	}
	_ = e.s.UseSubscription(e.ctx, "o1", "long")
	if s := get()["long"]; !s.Long || !s.Usable() {
		t.Fatalf("a long-term consent after a use: %+v", s)
	}
	if err := answer("e4", "long", false, true); err != nil {
		t.Fatal(err)
	}
	if s := get()["long"]; s.Long || !s.Refused || s.Usable() {
		t.Fatalf("refused: %+v", s)
	}
	if subs, _ := e.s.Subscriptions(e.ctx, "o2"); len(subs) != 0 {
		t.Fatalf("another citizen's: %+v", subs)
	}
	// Kept across a restart.
	e.reopen()
	if s := get()["once"]; s.Uses != 0 || s.Long {
		t.Fatalf("after reopening: %+v", s)
	}
}
