package sqlite

import (
	"slices"
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
	all := migrations
	migrations = all[:len(all)-1]
	s, err := Open(dir)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	at := testdate.At("w-1 Fri 09:00").UTC()
	for _, c := range []struct{ id, status string }{{"JF1", "referred"}, {"JF2", "resolved"}, {"JF3", "mediating"}} {
		_, err = s.w.Exec(`INSERT INTO cases (id, status, type, urgent, region, body, rule, assignee, summary, story, openid, phone, created_at, updated_at)
			VALUES (?, ?, 'labor', 0, '东昌区', 'bodyA', 'r', '', '', '', 'o1', '', ?, ?)`, c.id, c.status, at.UnixMilli(), at.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if ids, err := s.CasesWithoutDue(ctx, 0); err != nil || !slices.Equal(ids, []string{"JF1", "JF3"}) {
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
