package sqlite

import (
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// A database made before the due-time index is brought up to date: its
// open cases are the ones without a due time, for the watcher's first pass
// to fill in, its ended ones are not, and none is due until set.
func TestMigrateDue(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaDue")
	at := testdate.At("w-1 Fri 09:00").UTC()
	for _, c := range []struct{ id, status string }{{"JF1", "referred"}, {"JF2", "resolved"}, {"JF3", "mediating"}} {
		_, err := s.w.Exec(`INSERT INTO cases (id, status, type, urgent, region, body, rule, assignee, summary, story, openid, phone, created_at, updated_at)
			VALUES (?, ?, 'labor', 0, '东昌区', 'bodyA', 'r', '', '', '', 'o1', '', ?, ?)`, c.id, c.status, at.UnixMilli(), at.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if ids, err := s.CasesWithoutDue(ctx, 0); err != nil || !slices.Equal(dueIDs(ids), []string{"JF1", "JF3"}) {
		t.Errorf("CasesWithoutDue after migration = %v, %v; want the open cases", ids, err)
	}
	if due, err := s.DueCases(ctx, at.AddDate(10, 0, 0), 0); err != nil || len(due) != 0 {
		t.Errorf("DueCases after migration = %v, %v; want none", due, err)
	}
	if err := s.Commit(ctx, store.Change{Due: []store.DueSet{{CaseID: "JF1", At: at.Add(time.Hour), IfWas: true}, {CaseID: "JF3"}}}); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.CasesWithoutDue(ctx, 0); err != nil || len(ids) != 0 {
		t.Errorf("CasesWithoutDue once set = %v, %v", ids, err)
	}
	if due, err := s.DueCases(ctx, at.Add(time.Hour), 0); err != nil || len(due) != 1 || due[0].CaseID != "JF1" {
		t.Errorf("DueCases = %v, %v; want JF1", due, err)
	}
}

// A database made before cases held their running deadline: its open
// cases with a due time are listed again, with that time, so the
// watcher's first pass fills in their deadline with a conditional DueSet.
func TestMigrateDeadline(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaDeadline")
	at := testdate.At("w-1 Fri 09:00").UTC()
	for _, c := range []struct {
		id, status string
		due        any
	}{{"JF1", "referred", at.Add(time.Hour).UnixMilli()}, {"JF2", "resolved", 0}, {"JF3", "mediating", 0}, {"JF4", "accepted", nil}} {
		_, err := s.w.Exec(`INSERT INTO cases (id, status, type, urgent, region, body, rule, assignee, summary, story, openid, phone, created_at, updated_at, due_at)
			VALUES (?, ?, 'labor', 0, '东昌区', 'bodyA', 'r', '', '', '', 'o1', '', ?, ?, ?)`, c.id, c.status, at.UnixMilli(), at.UnixMilli(), c.due)
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	got, err := s.CasesWithoutDue(ctx, 0)
	if err != nil || !slices.Equal(dueIDs(got), []string{"JF1", "JF3", "JF4"}) {
		t.Fatalf("CasesWithoutDue after migration = %v, %v; want the open cases", got, err)
	}
	if !got[0].At.Equal(at.Add(time.Hour)) || !got[1].At.IsZero() || !got[2].At.IsZero() {
		t.Errorf("CasesWithoutDue times = %+v, want JF1's hour and nothing", got)
	}
	if k, err := s.Case(ctx, "JF1"); err != nil || k.Deadline != "" || !k.DueAt.IsZero() {
		t.Errorf("Case before the deadline is set = %+v, %v", k, err)
	}
	var ch store.Change
	for _, d := range got {
		ch.Due = append(ch.Due, store.DueSet{CaseID: d.CaseID, At: d.At, IfWas: true, Was: d.At, Deadline: "accept", DueAt: at.Add(2 * time.Hour)})
	}
	if err := s.Commit(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.CasesWithoutDue(ctx, 0); err != nil || len(ids) != 0 {
		t.Errorf("CasesWithoutDue once set = %v, %v", ids, err)
	}
	if k, err := s.Case(ctx, "JF1"); err != nil || k.Deadline != "accept" || !k.DueAt.Equal(at.Add(2*time.Hour)) {
		t.Errorf("Case once set = %+v, %v", k, err)
	}
}

func dueIDs(ds []store.DueCase) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.CaseID)
	}
	return ids
}

// migrationNames names the steps by their functions, so a test can stop
// before one however many come after it.
// openBefore opens a store in dir made by the migrations before the named
// step: a database of the time before that step, for its migration test.
func openBefore(t *testing.T, dir, step string) *Store {
	t.Helper()
	all := migrations
	migrations = all[:slices.Index(migrationNames(), step)]
	s, err := Open(dir)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func migrationNames() []string {
	var out []string
	for _, m := range migrations {
		name := runtime.FuncForPC(reflect.ValueOf(m).Pointer()).Name()
		out = append(out, name[strings.LastIndex(name, ".")+1:])
	}
	return out
}
