package redisstore

import (
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
)

// A session key carries its expiry, so the server deletes it by itself:
// Expires less the caller's now, whatever the caller's clock says (here a
// fake one, not the real date).
func TestSessionKeyExpires(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	now := testdate.At("w0 Tue 09:00")
	if err := s.PutSession(ctx, store.Session{IDHash: "long", User: "王", CSRF: "c", Expires: now.Add(time.Hour)}, now); err != nil {
		t.Fatal(err)
	}
	if ttl, err := s.rdb.PTTL(ctx, s.k.session("long")).Result(); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("PTTL of a session expiring in an hour = %v, %v", ttl, err)
	}
	if err := s.PutSession(ctx, store.Session{IDHash: "short", User: "王", CSRF: "c", Expires: now.Add(50 * time.Millisecond)}, now); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := s.rdb.Exists(ctx, s.k.session("short")).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an expired session key is still there")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A failure key goes once a window has passed without a failure.
func TestFailureKeyExpires(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if _, err := s.Failure(ctx, "王", time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if ttl, err := s.rdb.PTTL(ctx, s.k.failures("王")).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("PTTL of a failure key = %v, %v; want at most the window", ttl, err)
	}
}

// A case is in its current assignee's index, and in no other.
func TestAssigneeIndex(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0001", Status: dispute.Referred, OpenID: "o1", Assignee: "李", CreatedAt: now}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{k}}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, want map[string]bool) {
		t.Helper()
		for user, in := range want {
			score, err := s.rdb.ZScore(ctx, s.k.caseIndex("a", user), k.ID).Result()
			if got := err == nil; got != in {
				t.Errorf("%s: in %s's index = %v (%v), want %v", what, user, got, err, in)
			}
			if in && int64(score) != now.UnixMilli() {
				t.Errorf("%s: score %v, want CreatedAt %d", what, score, now.UnixMilli())
			}
		}
	}
	check("made assigned", map[string]bool{"李": true, "王": false})
	for _, step := range []struct {
		user string
		want map[string]bool
	}{
		{"王", map[string]bool{"李": false, "王": true}},
		{"王", map[string]bool{"李": false, "王": true}},
		{"", map[string]bool{"李": false, "王": false, "": false}},
	} {
		if err := s.Commit(ctx, store.Change{Assign: []store.Assignment{{CaseID: k.ID, User: step.user, At: now}}}); err != nil {
			t.Fatal(err)
		}
		check("assigned to "+step.user, step.want)
	}
}
