package storetest

import (
	"errors"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// A CaseUpdate fills in region and phone where given, keeps what an empty
// field would erase, moves the case between region filters, and never
// takes its time of last change back; an unknown case refuses the Change.
func testCaseUpdate(t *testing.T, e *env) {
	now := time.Now().Truncate(time.Millisecond)
	k := dispute.Case{ID: "JF20261127-0700", Status: dispute.Referred, Type: dispute.Family, Urgent: true, Body: "b1",
		OpenID: "o1", CreatedAt: now, UpdatedAt: now}
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	e.commit(store.Change{Updates: []store.CaseUpdate{{CaseID: k.ID, Region: "东昌区", At: now.Add(time.Minute)}}})
	e.commit(store.Change{Updates: []store.CaseUpdate{{CaseID: k.ID, Phone: "13922223333", At: now.Add(2 * time.Minute)}}})
	e.commit(store.Change{Updates: []store.CaseUpdate{{CaseID: k.ID, At: now.Add(time.Second)}}}) // late, older
	got, err := e.s.Case(e.ctx, k.ID)
	if err != nil || got.Region != "东昌区" || got.Phone != "13922223333" || !got.UpdatedAt.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("after updates: %+v %v", got, err)
	}
	if cs, _ := e.s.Cases(e.ctx, store.CaseFilter{Region: "东昌区"}); len(cs) != 1 {
		t.Fatalf("not listed under its new region: %d", len(cs))
	}
	if cs, _ := e.s.Cases(e.ctx, store.CaseFilter{UpdatedSince: now.Add(90 * time.Second)}); len(cs) != 1 {
		t.Fatalf("not listed as changed lately: %d", len(cs))
	}
	err = e.s.Commit(e.ctx, store.Change{At: now, Dedup: "up1", Updates: []store.CaseUpdate{{CaseID: "JF20261127-9999", At: now}}})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
}
