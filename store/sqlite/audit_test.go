package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

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
