package sqlite

import (
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
)

// A database made before video mediation and event bodies is brought up
// to date: its cases read as having no video, its events as concerning no
// body, and both can be transferred, scheduled and added to.
func TestMigrateVideo(t *testing.T) {
	dir := t.TempDir()
	all := migrations
	migrations = all[:2]
	s, err := Open(dir)
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	at := testdate.At("w-1 Fri 09:00").UTC()
	_, err = s.w.Exec(`INSERT INTO cases (id, status, type, urgent, region, body, rule, assignee, summary, story, openid, phone, created_at, updated_at)
		VALUES ('JF1', 'referred', 'labor', 0, '东昌区', 'bodyA', 'r', '李', '', '', 'o1', '', ?, ?)`, at.UnixMilli(), at.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.w.Exec(`INSERT INTO events (case_id, at, kind, actor, text, media_id, status) VALUES ('JF1', ?, 'note', 'system', '旧', '', '')`,
		at.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.Case(ctx, "JF1")
	if err != nil || !k.VideoAt.IsZero() || k.VideoURL != "" || k.Body != "bodyA" || k.Assignee != "李" {
		t.Fatalf("old case after migration = %+v, %v; want it as it was, without a video", k, err)
	}
	if cs, err := s.Cases(ctx, store.CaseFilter{Body: "bodyA"}); err != nil || len(cs) != 1 || cs[0] != k {
		t.Errorf("Cases(bodyA) after migration = %+v, %v; want the old case", cs, err)
	}
	evs, err := s.Events(ctx, "JF1")
	if err != nil || len(evs) != 1 || evs[0].Body != "" || evs[0].Text != "旧" {
		t.Fatalf("old events after migration = %+v, %v", evs, err)
	}

	later := at.Add(time.Hour)
	err = s.Commit(ctx, store.Change{
		Transfers: []store.Transfer{{CaseID: "JF1", Body: "bodyB", Rule: "transfer:李", At: later}},
		Video:     []store.VideoSchedule{{CaseID: "JF1", Start: later.Add(24 * time.Hour), URL: "https://meeting.example/j/1", At: later}},
		Events:    []dispute.Event{{CaseID: "JF1", At: later, Kind: dispute.Declined, Actor: "user:李", Body: "bodyA"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err = s.Case(ctx, "JF1")
	if err != nil || k.Body != "bodyB" || k.Assignee != "" || !k.VideoAt.Equal(later.Add(24*time.Hour)) || !k.UpdatedAt.Equal(later) {
		t.Errorf("old case after a transfer and a video = %+v, %v", k, err)
	}
	if evs, err := s.Events(ctx, "JF1"); err != nil || len(evs) != 2 || evs[1].Body != "bodyA" {
		t.Errorf("events after the migration = %+v, %v", evs, err)
	}
}
