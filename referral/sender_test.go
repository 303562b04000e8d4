package referral

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// attemptAt runs the sender at the referral's due time, after checking
// that a second earlier nothing is claimed, and returns it afterwards.
func (e *env) attemptAt(id string) store.Referral {
	e.t.Helper()
	due := e.get(id).NotBefore
	if due.After(e.clock.Now()) {
		e.clock.set(due.Add(-time.Second))
		if n := e.runOnce(); n != 0 {
			e.t.Fatalf("claimed %d a second before the referral was due", n)
		}
		e.clock.set(due)
	}
	if n := e.runOnce(); n != 1 {
		e.t.Fatalf("claimed %d at the due time, want 1", n)
	}
	return e.get(id)
}

// nominal is the backoff after n attempts, before jitter.
func nominal(n int) time.Duration {
	if n > 8 {
		return time.Hour
	}
	return min(30*time.Second<<(n-1), time.Hour)
}

// The schedule with the jitter fixed at its middle: 30 s doubling to an
// hour, then hourly; given up at the first attempt at least 24 hours
// after the referral was queued (its 31st), never before.
func TestBackoffSchedule(t *testing.T) {
	e := newEnv(t)
	e.s.jitter = func() float64 { return 0.5 }
	e.ag.up()
	e.ag.setMode("503")
	id := e.refer("agency").Delivery
	var r store.Referral
	for attempt := 1; ; attempt++ {
		if attempt > 40 {
			t.Fatal("not given up after 40 attempts")
		}
		at := e.clock.Now()
		if due := e.get(id).NotBefore; due.After(at) {
			at = due
		}
		r = e.attemptAt(id)
		if r.Attempts != attempt || r.LastError != "http 503" {
			t.Fatalf("attempt %d: Attempts %d, error %q", attempt, r.Attempts, r.LastError)
		}
		elapsed := at.Sub(t0)
		if r.State == store.RefFailed {
			if elapsed < GiveUpAfter || attempt < MinAttempts {
				t.Errorf("given up at attempt %d, %v after queueing", attempt, elapsed)
			}
			break
		}
		if elapsed >= GiveUpAfter && attempt >= MinAttempts {
			t.Errorf("still pending at attempt %d, %v after queueing", attempt, elapsed)
		}
		want := nominal(attempt)
		if d := r.NotBefore.Sub(at); d != want {
			t.Errorf("after attempt %d: next in %v, want %v", attempt, d, want)
		}
	}
	// 30 s … 32 min is 63.5 minutes over 7 attempts; hourly after that,
	// the 31st is the first at 24 hours or more.
	if r.Attempts != 31 {
		t.Errorf("given up after %d attempts, want 31", r.Attempts)
	}
	if got := e.ag.stats(); got.requests[id] != 31 || len(got.accepted) != 0 {
		t.Errorf("the agency saw %d requests, took %d; want 31 and none", got.requests[id], len(got.accepted))
	}
	if !strings.Contains(e.log.String(), "giving up") {
		t.Errorf("giving up was not logged:\n%s", e.log.String())
	}
	// Failed stays failed.
	e.clock.set(e.clock.Now().Add(48 * time.Hour))
	if n := e.runOnce(); n != 0 {
		t.Errorf("a failed referral was claimed again")
	}
	e.noPersonalData()
}

// The jitter stays within ±20% and spreads the retries.
func TestBackoffJitter(t *testing.T) {
	var s Sender
	for attempts := 1; attempts <= 25; attempts++ {
		base := nominal(attempts)
		seen := map[time.Duration]bool{}
		for range 200 {
			d := s.backoff(attempts)
			if d < base*8/10 || d > base*12/10 {
				t.Fatalf("backoff(%d) = %v, want within 20%% of %v", attempts, d, base)
			}
			seen[d] = true
		}
		if len(seen) < 50 {
			t.Errorf("backoff(%d) took only %d values in 200", attempts, len(seen))
		}
	}
	for _, j := range []float64{0, 0.999999} {
		s.jitter = func() float64 { return j }
		if d := s.backoff(1); d < 24*time.Second || d > 36*time.Second {
			t.Errorf("backoff(1) with jitter %v = %v", j, d)
		}
	}
}

// A referral queued long ago (no sender ran for two days) still gets its
// ten attempts before it is given up.
func TestGiveUpNeedsTenAttempts(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	e.ag.setMode("503")
	id := e.refer("agency").Delivery
	e.clock.set(t0.Add(48 * time.Hour))
	for attempt := 1; attempt <= 10; attempt++ {
		r := e.attemptAt(id)
		want := store.RefPending
		if attempt == 10 {
			want = store.RefFailed
		}
		if r.State != want || r.Attempts != attempt {
			t.Fatalf("attempt %d: %s with Attempts %d, want %s", attempt, r.State, r.Attempts, want)
		}
	}
}

// A body whose secret is not set, or which has no webhook, fails at once,
// visibly, with nothing sent; once configured, the console's retry
// delivers it.
func TestNotConfigured(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	noSecret := e.refer("nosecret").Delivery
	noHook := e.refer("plain").Delivery
	if n := e.runOnce(); n != 2 {
		t.Fatalf("claimed %d, want 2", n)
	}
	for id, why := range map[string]string{noSecret: ErrNoSecret, noHook: ErrNoWebhook} {
		if r := e.get(id); r.State != store.RefFailed || r.Attempts != 1 || r.LastError != why {
			t.Errorf("referral %s: %s, Attempts %d, error %q; want failed at once with %q", id, r.State, r.Attempts, r.LastError, why)
		}
	}
	if got := e.ag.stats(); len(got.requests) != 0 || got.bad != 0 {
		t.Errorf("something reached the agency: %+v", got)
	}
	if !strings.Contains(e.log.String(), ErrNoSecret) || !strings.Contains(e.log.String(), "level=ERROR") {
		t.Errorf("the missing secret was not logged as an error:\n%s", e.log.String())
	}

	e.s.Hooks.Secret = func(string) string { return agencySecret }
	r := e.get(noSecret)
	if err := e.st.RetryReferral(t.Context(), r.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.runOnce()
	if r := e.get(noSecret); r.State != store.RefDelivered || r.Attempts != 1 {
		t.Errorf("after a retry: %s, Attempts %d", r.State, r.Attempts)
	}
	if got := e.ag.stats(); len(got.accepted) != 1 || got.bad != 0 {
		t.Errorf("the agency took %d, refused %d", len(got.accepted), got.bad)
	}
	e.noPersonalData()
}

// A request signed with the wrong secret is refused by the agency; the
// referral stays pending, to be retried once the secret is right.
func TestWrongSecretRefused(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	e.s.Hooks.Secret = func(string) string { return "not-the-agency-secret" }
	id := e.refer("agency").Delivery
	e.runOnce()
	if r := e.get(id); r.State != store.RefPending || r.LastError != "http 401" {
		t.Errorf("after a refused signature: %s, %q", r.State, r.LastError)
	}
	if got := e.ag.stats(); got.bad != 1 || len(got.accepted) != 0 {
		t.Errorf("the agency refused %d and took %d; want 1 and 0", got.bad, len(got.accepted))
	}
}

// A redirect is an answer like any non-2xx: not followed, retried.
func TestRedirectNotFollowed(t *testing.T) {
	e := newEnv(t)
	var elsewhere atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			elsewhere.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	k := dispute.Case{ID: "JF20261127-0100", Status: dispute.Referred, Body: "agency", CreatedAt: t0}
	// The agency's address is set in the console, over the table's.
	if err := e.st.PutBodyWebhook(t.Context(), store.BodyWebhook{Body: "agency", URL: srv.URL + "/referrals", Secret: agencySecret}); err != nil {
		t.Fatal(err)
	}
	r := Build(k, nil, e.hook("agency"), "", e.clock.Now())
	if err := e.st.Commit(t.Context(), store.Change{NewCases: []dispute.Case{k}, Referrals: []store.Referral{r}}); err != nil {
		t.Fatal(err)
	}
	e.runOnce()
	if got := e.get(r.Delivery); got.State != store.RefPending || got.LastError != "http 307" || elsewhere.Load() != 0 {
		t.Errorf("after a redirect: %s, %q, followed %d times", got.State, got.LastError, elsewhere.Load())
	}
}

// claimWatch tells of every claim that has returned, so a test knows a
// round of the sender has looked at the queue.
type claimWatch struct {
	store.Store
	claimed chan struct{}
}

func (c claimWatch) ClaimItems(ctx context.Context, lane string, now time.Time, lease time.Duration, max int) ([]store.Item, error) {
	rs, err := c.Store.ClaimItems(ctx, lane, now, lease, max)
	select {
	case c.claimed <- struct{}{}:
	default:
	}
	return rs, err
}

// Run delivers what is queued, woken by Kick, and returns when ctx ends.
func TestRun(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	e.s.Poll = time.Hour // only the Kick can wake it in time
	claimed := make(chan struct{}, 1)
	e.s.Store = claimWatch{Store: e.st, claimed: claimed}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { e.s.Run(ctx); close(done) }()
	// The first round has looked at the empty queue: what is queued now
	// goes out only if the Kick wakes Run.
	select {
	case <-claimed:
	case <-time.After(5 * time.Second):
		t.Fatal("Run never looked at the queue")
	}
	id := e.refer("agency").Delivery
	e.s.Kick()
	deadline := time.Now().Add(5 * time.Second)
	for e.get(id).State != store.RefDelivered {
		if time.Now().After(deadline) {
			t.Fatal("not delivered within 5 s of a Kick")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
