package storetest

import (
	"sync"
	"testing"
	"time"

	"jiefen/store"
)

// testNonces: a signed callback URL taken once; the same URL with the
// same body is a retry, with another body a replay, until its time runs
// out on the caller's clock; what one store saw, another on the same
// location sees; concurrent takers with different bodies: one wins.
func testNonces(t *testing.T, e *env) {
	until := t0.Add(5 * time.Minute)
	take := func(s store.Store, key, body string, now time.Time) bool {
		t.Helper()
		// A URL's time runs out 5 minutes after its own timestamp,
		// which is at most 5 minutes before now.
		u := until
		if !now.Before(until) {
			u = now.Add(5 * time.Minute)
		}
		replay, err := s.TakeNonce(e.ctx, store.Nonce{Key: key, Body: body, At: now, Until: u})
		if err != nil {
			t.Fatalf("TakeNonce: %v", err)
		}
		return replay
	}
	if take(e.s, "k1", "A", t0) {
		t.Fatal("a URL never seen is a replay")
	}
	if take(e.s, "k1", "A", t0.Add(time.Second)) {
		t.Error("the same URL and body again (the platform's retry) is a replay")
	}
	if !take(e.s, "k1", "B", t0.Add(2*time.Second)) {
		t.Error("the same URL with another body is not a replay")
	}
	if take(e.s, "k2", "B", t0) {
		t.Error("another URL with that body is a replay")
	}
	// A second instance on the same location sees what the first took.
	other := e.open()
	defer other.Close()
	if !take(other, "k1", "C", t0.Add(3*time.Second)) {
		t.Error("another instance took a URL the first had seen with another body")
	}
	if take(other, "k1", "A", t0.Add(3*time.Second)) {
		t.Error("another instance refused the platform's retry")
	}
	// Kept over a restart.
	e.reopen()
	if !take(e.s, "k1", "D", until.Add(-time.Millisecond)) {
		t.Error("the URL was forgotten by a restart, or before its time ran out")
	}
	// Its time out (the timestamp alone refuses it then), the key is free.
	if err := e.s.Purge(e.ctx, until.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !take(e.s, "k1", "D", until.Add(-time.Millisecond)) {
		t.Error("Purge before its time forgot the URL")
	}
	if take(e.s, "k1", "E", until) {
		t.Error("a URL past its time is still held")
	}
	if !take(e.s, "k1", "F", until) {
		t.Error("a URL taken again after its time is not held")
	}

	// Concurrent: one of many bodies for one URL wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.s
			if i%2 == 1 {
				s = other
			}
			replay, err := s.TakeNonce(e.ctx, store.Nonce{Key: "k3", Body: string(rune('a' + i)), At: t0, Until: until})
			if err != nil {
				t.Error(err)
				return
			}
			if !replay {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d of 16 different bodies took one URL at once, want 1", won)
	}
}
