package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The audit log is append only in the database itself: a program (or a
// person with the sqlite3 shell) that changes or deletes an entry is
// refused, and the entry stays as it was.
func TestAuditIsAppendOnly(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	e := store.AuditEntry{At: time.Now(), User: "李", Role: store.RoleMediator, Action: store.AuditView, CaseID: "JF20261127-0001", Addr: "10.0.0.1"}
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit SET user = 'someone else'`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE user = '李'`,
	} {
		if _, err := s.w.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append only") {
			t.Errorf("%s: %v, want it refused", q, err)
		}
	}
	got, err := s.AuditLog(ctx, store.AuditFilter{})
	if err != nil || len(got) != 1 || got[0].User != "李" {
		t.Errorf("the log after the attempts: %+v, %v", got, err)
	}
}

// Anonymising a case removes its text from the files, not just from query
// results: no copy stays in the database's free space or in the WAL.
func TestAnonymizedTextLeavesTheFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	const story, phone = "独一无二的陈述：老板拖欠工资八千六百元整", "13912345678"
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0001", Status: dispute.Resolved, Type: dispute.Labor, Body: "lh-labor",
		Story: story, OpenID: "oSecret", Phone: phone, CreatedAt: now, UpdatedAt: now}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{k},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: story}}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Anonymize(ctx, k.ID, store.AuditEntry{At: now, User: store.AuditSystem, Action: store.AuditRedact}); !ok || err != nil {
		t.Fatalf("Anonymize: %v %v", ok, err)
	}
	// The checkpointer empties the WAL within a few ticks.
	for deadline := time.Now().Add(5 * time.Second); s.truncateWAL.Load(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the WAL was not truncated after the anonymisation")
		}
	}
	scan := func(when string) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, FileName+"*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{story, phone, "oSecret"} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s: %s still holds %q", when, filepath.Base(f), secret)
				}
			}
		}
	}
	scan("running")
	s.Close()
	scan("closed")
}
