package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"jiefen/store"
)

// Claiming, finishing and retrying referrals.

// claimReferrals claims up to max referrals at now with a 30 s lease, in
// id order.
func (e *env) claimReferrals(now time.Time, max int) []store.Referral {
	e.t.Helper()
	got, err := e.s.ClaimReferrals(e.ctx, now, 30*time.Second, max)
	if err != nil {
		e.t.Fatalf("ClaimReferrals: %v", err)
	}
	slices.SortFunc(got, func(a, b store.Referral) int { return cmp.Compare(a.ID, b.ID) })
	return got
}

// expectReferrals claims at now and checks which deliveries came out.
func (e *env) expectReferrals(now time.Time, want ...string) []store.Referral {
	e.t.Helper()
	got := e.claimReferrals(now, 100)
	if !slices.Equal(sorted(deliveries(got)), sorted(want)) {
		e.t.Errorf("ClaimReferrals(%v) claimed %q, want %q", now, deliveries(got), want)
	}
	return got
}

func (e *env) finishReferral(id int64, state string, notBefore time.Time, lastErr string, now time.Time) {
	e.t.Helper()
	if err := e.s.FinishReferral(e.ctx, id, state, notBefore, lastErr, now); err != nil {
		e.t.Fatalf("FinishReferral(%d, %s): %v", id, state, err)
	}
}

func (e *env) queueReferrals(rs ...store.Referral) {
	e.t.Helper()
	e.referralCase("JF20261127-0001")
	for i := range rs {
		rs[i].CaseID = "JF20261127-0001"
	}
	e.commit(store.Change{Referrals: rs})
}

// Only pending referrals whose NotBefore has come are claimed, each with
// one more attempt and otherwise as stored.
func testReferralClaimDue(t *testing.T, e *env) {
	now := mkReferral("now", "", "b", at(0))
	later := mkReferral("later", "", "b", at(0))
	later.NotBefore = at(time.Hour)
	e.queueReferrals(now, later)
	got := e.expectReferrals(at(0), "now")
	if len(got) == 1 {
		want := now
		want.CaseID, want.State, want.Attempts = "JF20261127-0001", store.RefPending, 1
		checkReferral(t, "claimed", got[0], want)
		e.finishReferral(got[0].ID, store.RefDelivered, time.Time{}, "", at(time.Second))
	}
	e.expectReferrals(at(time.Hour - time.Millisecond))
	e.expectReferrals(at(time.Hour), "later")
}

// Referrals are independent of one another: one not yet due, queued
// first, holds back nothing queued after it for the same case and body,
// even while the later ones are in flight, held back by a retry, or done.
func testReferralNotYetDueDoesNotBlock(t *testing.T, e *env) {
	later := mkReferral("later", "", "b", at(0))
	later.NotBefore = at(time.Hour)
	e.queueReferrals(later, mkReferral("now 1", "", "b", at(0)), mkReferral("now 2", "", "b", at(0)))
	got := e.expectReferrals(at(0), "now 1", "now 2")
	if len(got) == 2 {
		e.finishReferral(got[0].ID, store.RefPending, at(2*time.Hour), "HTTP 503", at(time.Second))
		e.finishReferral(got[1].ID, store.RefDelivered, time.Time{}, "", at(time.Second))
	}
	e.expectReferrals(at(time.Hour), "later")
}

// A claimed referral is not claimed again while its lease lasts; when the
// lease runs out (its sender died) it is, with one more attempt.
func testReferralClaimLease(t *testing.T, e *env) {
	e.queueReferrals(mkReferral("r", "", "b", at(0)))
	e.expectReferrals(at(0), "r")
	e.expectReferrals(at(29 * time.Second))
	got := e.expectReferrals(at(30*time.Second), "r")
	if len(got) == 1 && got[0].Attempts != 2 {
		t.Errorf("re-claimed after the lease with Attempts %d, want 2", got[0].Attempts)
	}
	e.expectReferrals(at(45 * time.Second))
}

// max bounds a claim; the rest stay for the next one.
func testReferralClaimMax(t *testing.T, e *env) {
	var rs []store.Referral
	for i := range 5 {
		rs = append(rs, mkReferral(fmt.Sprint("r", i), "", "b", at(0)))
	}
	e.queueReferrals(rs...)
	if got := e.claimReferrals(at(0), 0); len(got) != 0 {
		t.Errorf("ClaimReferrals(max 0) took %v", deliveries(got))
	}
	first := e.claimReferrals(at(0), 3)
	second := e.claimReferrals(at(0), 3)
	if len(first) != 3 || len(second) != 2 {
		t.Fatalf("claims of up to 3 took %v then %v, want 3 then 2", deliveries(first), deliveries(second))
	}
	all := sorted(append(deliveries(first), deliveries(second)...))
	if !slices.Equal(all, []string{"r0", "r1", "r2", "r3", "r4"}) {
		t.Errorf("claimed %v, want each once", all)
	}
}

// Concurrent claims never hand out one referral twice.
func testReferralClaimConcurrent(t *testing.T, e *env) {
	var rs, want []string
	var items []store.Referral
	for i := range 40 {
		rs = append(rs, fmt.Sprint("r", i))
		items = append(items, mkReferral(rs[i], "", fmt.Sprint("b", i%3), at(0)))
	}
	want = sorted(rs)
	e.queueReferrals(items...)
	var mu sync.Mutex
	var claimed []string
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			got, err := e.s.ClaimReferrals(e.ctx, at(0), time.Minute, 10)
			if err != nil {
				t.Errorf("ClaimReferrals: %v", err)
			}
			mu.Lock()
			claimed = append(claimed, deliveries(got)...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if got := sorted(claimed); !slices.Equal(got, want) {
		t.Errorf("6 concurrent claims of up to 10 took %v, want each of the 40 once", got)
	}
}

// Finishing ends the lease: pending is due again at its NotBefore,
// delivered and failed never; an empty error keeps the last one.
func testReferralFinish(t *testing.T, e *env) {
	e.queueReferrals(mkReferral("ok", "", "b", at(0)), mkReferral("retry", "", "b", at(0)), mkReferral("gone", "", "b", at(0)))
	got := e.expectReferrals(at(0), "ok", "retry", "gone")
	if len(got) != 3 {
		t.FailNow()
	}
	ok, retry, gone := got[0], got[1], got[2]
	e.finishReferral(ok.ID, store.RefDelivered, time.Time{}, "", at(3*time.Second))
	e.finishReferral(retry.ID, store.RefPending, at(time.Minute), "http 503", at(time.Second))
	e.finishReferral(gone.ID, store.RefFailed, time.Time{}, "http 410", at(time.Second))
	e.expectReferrals(at(time.Minute - time.Millisecond)) // not the lease end (30 s): its NotBefore
	got = e.expectReferrals(at(time.Minute), "retry")
	if len(got) == 1 && got[0].Attempts != 2 {
		t.Errorf("retry claimed with Attempts %d, want 2", got[0].Attempts)
	}
	e.finishReferral(retry.ID, store.RefDelivered, at(time.Hour), "", at(2*time.Minute)) // NotBefore ignored
	e.expectReferrals(at(24 * time.Hour))

	list := e.referrals(store.ReferralFilter{})
	if len(list) != 3 {
		t.Fatalf("ListReferrals = %v", deliveries(list))
	}
	base := func(r store.Referral, state string, attempts int, nb time.Time, lastErr string, done time.Time) store.Referral {
		r.State, r.Attempts, r.NotBefore, r.LastError, r.DeliveredAt = state, attempts, nb, lastErr, done
		return r
	}
	checkReferral(t, "failed", list[0], base(gone, store.RefFailed, 1, time.Time{}, "http 410", time.Time{}))
	checkReferral(t, "delivered after a retry", list[1], base(retry, store.RefDelivered, 2, at(time.Minute), "http 503", at(2*time.Minute)))
	checkReferral(t, "delivered", list[2], base(ok, store.RefDelivered, 1, time.Time{}, "", at(3*time.Second)))

	if err := e.s.FinishReferral(e.ctx, 987654, store.RefDelivered, time.Time{}, "", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishReferral of an unknown id = %v, want ErrNotFound", err)
	}
	if err := e.s.FinishReferral(e.ctx, ok.ID, "lost", time.Time{}, "", at(0)); err == nil {
		t.Error("FinishReferral with an unknown state succeeded")
	}
}

// Only a failed referral can be retried: it is due at once, with its
// attempts counted afresh and its last error kept until the next attempt.
func testReferralRetry(t *testing.T, e *env) {
	e.queueReferrals(mkReferral("f", "", "b", at(0)), mkReferral("d", "", "b", at(0)), mkReferral("p", "", "b", at(0)))
	got := e.expectReferrals(at(0), "f", "d", "p")
	if len(got) != 3 {
		t.FailNow()
	}
	f, d, p := got[0], got[1], got[2]
	e.finishReferral(f.ID, store.RefFailed, time.Time{}, "secret not configured", at(time.Second))
	e.finishReferral(d.ID, store.RefDelivered, time.Time{}, "", at(time.Second))
	e.finishReferral(p.ID, store.RefPending, at(time.Hour), "http 500", at(time.Second))

	for _, r := range []store.Referral{d, p} {
		if err := e.s.RetryReferral(e.ctx, r.ID, at(time.Minute)); !errors.Is(err, store.ErrConflict) {
			t.Errorf("RetryReferral of a %s referral = %v, want ErrConflict", r.Delivery, err)
		}
	}
	if err := e.s.RetryReferral(e.ctx, 987654, at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetryReferral of an unknown id = %v, want ErrNotFound", err)
	}
	if err := e.s.RetryReferral(e.ctx, f.ID, at(time.Minute)); err != nil {
		t.Fatalf("RetryReferral: %v", err)
	}
	l := e.referrals(store.ReferralFilter{State: store.RefPending, Limit: 10})
	if len(l) != 2 || l[0].Delivery != "p" || l[1].Delivery != "f" {
		t.Fatalf("pending after a retry = %v, want [p f]", deliveries(l))
	}
	want := f
	want.State, want.Attempts, want.NotBefore, want.LastError = store.RefPending, 0, at(time.Minute), "secret not configured"
	checkReferral(t, "retried", l[1], want)
	e.expectReferrals(at(time.Minute - time.Millisecond))
	got = e.expectReferrals(at(time.Minute), "f")
	if len(got) == 1 && got[0].Attempts != 1 {
		t.Errorf("retried referral claimed with Attempts %d, want 1", got[0].Attempts)
	}
	if err := e.s.RetryReferral(e.ctx, f.ID, at(time.Minute)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("RetryReferral of a pending one = %v, want ErrConflict", err)
	}
}
