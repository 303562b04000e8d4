package storetest

import (
	"context"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// A subscriber hears of every case a Commit makes or changes, once per
// case, and of nothing a refused Commit would have done.
func testSubscribe(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	ch, err := e.s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0100", Status: dispute.Referred, Type: dispute.Labor, OpenID: "o1", CreatedAt: now, UpdatedAt: now}
	e.commit(store.Change{At: now, Dedup: "n1", NewCases: []dispute.Case{k},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: "一"}}})
	if n := next(t, ch); n.CaseID != k.ID || !n.New {
		t.Fatalf("first notice %+v", n)
	}
	// Refused: nothing is announced.
	_ = e.s.Commit(e.ctx, store.Change{At: now, Dedup: "n1", Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "system"}}})
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: k.ID, To: dispute.Accepted, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "system", Status: dispute.Accepted}}})
	if n := next(t, ch); n.CaseID != k.ID || n.New {
		t.Fatalf("second notice %+v", n)
	}
	select {
	case n := <-ch:
		t.Fatalf("unexpected notice %+v", n)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the channel was not closed after the context ended")
		}
	}
}

func next(t *testing.T, ch <-chan store.Notice) store.Notice {
	t.Helper()
	select {
	case n, ok := <-ch:
		if !ok {
			t.Fatal("notice channel closed")
		}
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no notice within 5 seconds")
	}
	return store.Notice{}
}
