package storetest

import (
	"errors"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Retype corrects a case's type: visible through Case and the type filter;
// an unknown case refuses the whole Change.
func testRetype(t *testing.T, e *env) {
	now := time.Now().Truncate(time.Millisecond)
	k := dispute.Case{ID: "JF20261127-0600", Status: dispute.Referred, Type: dispute.Traffic, Body: "b1", OpenID: "o1",
		CreatedAt: now, UpdatedAt: now}
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	e.commit(store.Change{Retype: []store.Retype{{CaseID: k.ID, Type: dispute.Consumer, At: now.Add(time.Minute)}}})
	got, err := e.s.Case(e.ctx, k.ID)
	if err != nil || got.Type != dispute.Consumer || !got.UpdatedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after Retype: %+v %v", got, err)
	}
	if cs, _ := e.s.Cases(e.ctx, store.CaseFilter{Type: dispute.Traffic}); len(cs) != 0 {
		t.Fatalf("still listed under the old type: %d", len(cs))
	}
	if cs, _ := e.s.Cases(e.ctx, store.CaseFilter{Type: dispute.Consumer}); len(cs) != 1 {
		t.Fatalf("not listed under the new type: %d", len(cs))
	}
	err = e.s.Commit(e.ctx, store.Change{At: now, Dedup: "rt1", Retype: []store.Retype{{CaseID: "JF20261127-9999", Type: dispute.Labor, At: now}}})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	if _, err := e.s.DedupReply(e.ctx, "rt1", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused Change took its dedup key: %v", err)
	}
}
