package sqlite

import (
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// Purge deletes the sessions that ended and the failed logins whose window
// passed, which SQLite would otherwise keep for ever.
func TestPurgeConsole(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	now := time.Now()
	for _, se := range []store.Session{
		{IDHash: "ended", User: "王", Expires: now.Add(-time.Minute)},
		{IDHash: "valid", User: "王", Expires: now.Add(time.Hour)},
	} {
		if err := s.PutSession(ctx, se, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Failure(ctx, "old", now.Add(-time.Hour), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Failure(ctx, "recent", now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx, now); err != nil {
		t.Fatal(err)
	}
	rows := func(q string) (out []string) {
		t.Helper()
		r, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var v string
			if err := r.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	if got := rows(`SELECT id_hash FROM sessions`); len(got) != 1 || got[0] != "valid" {
		t.Errorf("sessions after Purge = %v, want [valid]", got)
	}
	if got := rows(`SELECT key FROM login_failures`); len(got) != 1 || got[0] != "recent" {
		t.Errorf("login failures after Purge = %v, want [recent]", got)
	}
}

// A database made before the console is brought up to date: its cases
// read as nobody's and can be assigned.
func TestMigrateConsole(t *testing.T) {
	dir := t.TempDir()
	all := migrations
	migrations = all[:1]
	s, err := Open(dir)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	at := testdate.At("w-1 Fri 09:00").UTC()
	_, err = s.w.Exec(`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at)
		VALUES ('JF1', 'referred', 'labor', 0, '', '', '', '', '', 'o1', '', ?, ?)`, at.UnixMilli(), at.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if k, err := s.Case(ctx, "JF1"); err != nil || k.Assignee != "" {
		t.Fatalf("old case after migration = %+v, %v; want it nobody's", k, err)
	}
	if err := s.Commit(ctx, store.Change{Assign: []store.Assignment{{CaseID: "JF1", User: "王", At: at}}}); err != nil {
		t.Fatal(err)
	}
	if k, err := s.Case(ctx, "JF1"); err != nil || k.Assignee != "王" {
		t.Errorf("old case after an assignment = %+v, %v", k, err)
	}
	if err := s.PutUser(ctx, store.User{Name: "王", Role: store.RoleMediator}); err != nil {
		t.Errorf("PutUser after migration: %v", err)
	}
}
