package redisstore

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
)

// Cases and events stored before video mediation and event bodies (and
// this case before assignees, too) read back with zero values, and can be
// transferred and scheduled.
func TestOldRecordsReadZero(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	at := testdate.At("w-1 Fri 09:00").UTC()
	created := at.UnixMilli()
	id := "JF1"
	if err := s.rdb.HSet(ctx, s.k.caseKey(id), "id", id, "status", "referred", "type", "labor", "urgent", "0",
		"region", "东昌区", "body", "bodyA", "rule", "r", "summary", "", "story", "", "openid", "o1", "phone", "",
		"created", created, "updated", created).Err(); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []string{s.k.caseIndex("", ""), s.k.caseIndex("o", "o1"), s.k.caseIndex("s", "referred"),
		s.k.caseIndex("t", "labor"), s.k.caseIndex("r", "东昌区"), s.k.caseIndex("b", "bodyA")} {
		if err := s.rdb.ZAdd(ctx, idx, redis.Z{Score: float64(created), Member: id}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.rdb.RPush(ctx, s.k.events(id), `1 {"at":1800000000000,"kind":"note","actor":"system","text":"旧"}`).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.Set(ctx, s.k.eventSeq(), 1, 0).Err(); err != nil {
		t.Fatal(err)
	}

	k, err := s.Case(ctx, id)
	if err != nil || !k.VideoAt.IsZero() || k.VideoURL != "" || k.Assignee != "" || k.Body != "bodyA" {
		t.Fatalf("old case = %+v, %v; want it without a video", k, err)
	}
	if cs, err := s.Cases(ctx, store.CaseFilter{Body: "bodyA"}); err != nil || len(cs) != 1 || cs[0] != k {
		t.Errorf("Cases(bodyA) = %+v, %v; want the old case", cs, err)
	}
	if evs, err := s.Events(ctx, id); err != nil || len(evs) != 1 || evs[0].Body != "" || evs[0].Text != "旧" {
		t.Fatalf("old events = %+v, %v", evs, err)
	}

	later := at.Add(time.Hour)
	err = s.Commit(ctx, store.Change{
		Transfers: []store.Transfer{{CaseID: id, Body: "bodyB", Rule: "transfer:李", At: later}},
		Video:     []store.VideoSchedule{{CaseID: id, Start: later.Add(24 * time.Hour), URL: "https://meeting.example/j/1", At: later}},
		Events:    []dispute.Event{{CaseID: id, At: later, Kind: dispute.Declined, Actor: "user:李", Body: "bodyA"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Cases(ctx, store.CaseFilter{Body: "bodyB"}); err != nil || len(cs) != 1 || cs[0].Assignee != "" ||
		!cs[0].VideoAt.Equal(later.Add(24*time.Hour)) {
		t.Errorf("Cases(bodyB) after a transfer and a video = %+v, %v", cs, err)
	}
	if evs, err := s.Events(ctx, id); err != nil || len(evs) != 2 || evs[1].Body != "bodyA" || evs[1].ID != 2 {
		t.Errorf("events after the commit = %+v, %v", evs, err)
	}
}

// A transfer takes the case out of its old body's and its assignee's
// indexes and into the new body's, scored by creation time.
func TestTransferIndexes(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0001", Status: dispute.Referred, OpenID: "o1", Body: "bodyA", Assignee: "李", CreatedAt: now}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{k}}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, want map[string]bool) {
		t.Helper()
		for idx, in := range want {
			score, err := s.rdb.ZScore(ctx, s.k.t+"cx:"+idx, k.ID).Result()
			if got := err == nil; got != in {
				t.Errorf("%s: in cx:%s = %v (%v), want %v", what, idx, got, err, in)
			}
			if in && int64(score) != now.UnixMilli() {
				t.Errorf("%s: cx:%s score %v, want CreatedAt %d", what, idx, score, now.UnixMilli())
			}
		}
	}
	check("made", map[string]bool{"b:bodyA": true, "a:李": true, "b:bodyB": false})
	if err := s.Commit(ctx, store.Change{Transfers: []store.Transfer{{CaseID: k.ID, Body: "bodyB", At: now}}}); err != nil {
		t.Fatal(err)
	}
	check("transferred", map[string]bool{"b:bodyA": false, "a:李": false, "b:bodyB": true, "a:": false})
	if err := s.Commit(ctx, store.Change{
		Assign:    []store.Assignment{{CaseID: k.ID, User: "王", At: now}},
		Transfers: []store.Transfer{{CaseID: k.ID, Body: "bodyC", At: now}},
	}); err != nil {
		t.Fatal(err)
	}
	check("transferred and assigned", map[string]bool{"b:bodyB": false, "b:bodyC": true, "a:王": true, "a:李": false})
}
