package redisstore

import (
	"context"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Two instances on one Redis: what A commits, a subscriber on B hears.
func TestNoticesCrossInstances(t *testing.T) {
	url := testURL(t)
	open := opener(t, url, isolated(t, url))
	a, b := open(), open()
	defer a.Close()
	defer b.Close()
	ch, err := b.Subscribe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0200", Status: dispute.Referred, Type: dispute.Family, OpenID: "oA", CreatedAt: now, UpdatedAt: now}
	if err := a.Commit(context.Background(), store.Change{NewCases: []dispute.Case{k}}); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-ch:
		if n.CaseID != k.ID || !n.New {
			t.Fatalf("notice %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("B heard nothing of A's commit")
	}
}
