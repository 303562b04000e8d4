package storetest

import (
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// A Change's audit entries are stored with it, and not at all when the
// Change is refused: no change without its entry, no entry without it.
func testAuditInCommit(t *testing.T, e *env) {
	now := time.Now().Truncate(time.Millisecond)
	k := dispute.Case{ID: "JF20261127-0800", Status: dispute.Referred, Type: dispute.Labor, Body: "b1", OpenID: "o1",
		CreatedAt: now, UpdatedAt: now}
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	entry := store.AuditEntry{At: now, User: "王", Role: "mediator", Action: store.AuditChange, CaseID: k.ID, Detail: "status accepted", Addr: "127.0.0.1"}
	e.commit(store.Change{
		Statuses: []store.StatusChange{{CaseID: k.ID, To: dispute.Accepted, At: now, From: dispute.Referred}},
		Audit:    []store.AuditEntry{entry},
	})
	// Refused: the case moved on since the caller saw it.
	refused := entry
	refused.Detail = "status resolved"
	if err := e.s.Commit(e.ctx, store.Change{
		Statuses: []store.StatusChange{{CaseID: k.ID, To: dispute.Resolved, At: now, From: dispute.Referred}},
		Audit:    []store.AuditEntry{refused},
	}); err == nil {
		t.Fatal("a status change from a status the case left was applied")
	}
	got, err := e.s.AuditLog(e.ctx, store.AuditFilter{CaseID: k.ID})
	if err != nil || len(got) != 1 || got[0].Detail != "status accepted" || got[0].User != "王" {
		t.Fatalf("audit log %+v %v", got, err)
	}
}
