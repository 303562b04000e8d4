package referral

import (
	"bytes"
	"testing"
	"time"

	"jiefen/store"
	"jiefen/store/storetest/backends"
)

// phaseAt is the agency's state over the fake day: nothing listening for
// 5 minutes, then 503 until 20 minutes, then taking referrals without
// answering (jiefen times out) until 40 minutes, then well.
func phaseAt(d time.Duration) string {
	switch {
	case d < 5*time.Minute:
		return "down"
	case d < 20*time.Minute:
		return "503"
	case d < 40*time.Minute:
		return "hang"
	}
	return "ok"
}

var phaseError = map[string]string{"down": "connection refused", "503": "http 503", "hang": "timeout"}

// Referrals queued while the agency is down all arrive once it is back:
// every request is signed (the agency checks), each delivery id reaches
// it, a referral it took but whose answer was lost comes again with the
// same id (and is dropped as a duplicate), and one answered 2xx never
// comes again. The clock is fake: RunOnce is driven at each due time.
// On both stores.
func TestOutage(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		e := newEnvWith(t, open())
		var ids []string
		for range 6 {
			ids = append(ids, e.refer("agency").Delivery)
		}
		for round := 0; ; round++ {
			if round > 100 {
				t.Fatal("still pending after 100 rounds")
			}
			next, ok := e.nextDue()
			if !ok {
				break
			}
			if next.After(e.clock.Now()) {
				e.clock.set(next)
			}
			now := e.clock.Now()
			phase := phaseAt(now.Sub(t0))
			if phase == "down" {
				e.ag.down()
			} else {
				e.ag.up()
				e.ag.setMode(phase)
			}
			before := map[string]int{}
			for _, r := range e.list(store.ReferralFilter{}) {
				before[r.Delivery] = r.Attempts
			}
			if n := e.runOnce(); n == 0 {
				t.Fatalf("nothing claimed at %v though a referral was due", now)
			}
			for _, r := range e.list(store.ReferralFilter{}) {
				if r.Attempts == before[r.Delivery] {
					continue
				}
				switch {
				case phase == "ok" && r.State != store.RefDelivered:
					t.Errorf("at %v (agency well) %s is %s (%s)", now, r.Delivery, r.State, r.LastError)
				case phase != "ok" && (r.State != store.RefPending || r.LastError != phaseError[phase] || !r.NotBefore.After(now)):
					t.Errorf("at %v (agency %s) %s is %s, error %q, due %v; want pending, %q, later",
						now, phase, r.Delivery, r.State, r.LastError, r.NotBefore, phaseError[phase])
				}
			}
		}

		got := e.ag.stats()
		for _, id := range ids {
			r := e.get(id)
			// 4 refused, 2 answered 503, 1 timed out, 1 delivered: the
			// backoff (30 s doubling, ±20%) lands every attempt in its phase.
			if r.State != store.RefDelivered || r.Attempts != 8 || r.DeliveredAt.Before(t0.Add(40*time.Minute)) || r.LastError != "timeout" {
				t.Errorf("referral %s: %s after %d attempts, delivered %v, last error %q; want delivered on the 8th after the outage",
					id, r.State, r.Attempts, r.DeliveredAt, r.LastError)
			}
			if !bytes.Equal(got.accepted[id], r.Payload) {
				t.Errorf("the agency took %q for %s, want the stored payload", got.accepted[id], id)
			}
			if got.requests[id] != 4 || got.dups[id] != 1 {
				t.Errorf("the agency saw %s %d times (%d duplicates), want 4 (503, 503, the lost answer, the delivery) and 1",
					id, got.requests[id], got.dups[id])
			}
		}
		if len(got.accepted) != len(ids) || got.bad != 0 || len(got.resent) != 0 {
			t.Errorf("the agency took %d referrals, refused %d requests, had %v sent again after a 2xx; want %d, 0, none",
				len(got.accepted), got.bad, got.resent, len(ids))
		}

		// Delivered ones are done: days later nothing more is sent.
		e.clock.set(t0.Add(72 * time.Hour))
		if n := e.runOnce(); n != 0 {
			t.Errorf("claimed %d delivered referrals again", n)
		}
		if after := e.ag.stats(); len(after.resent) != 0 || after.bad != 0 {
			t.Errorf("after delivery: resent %v, bad %d", after.resent, after.bad)
		}
		e.noPersonalData()
	})
}
