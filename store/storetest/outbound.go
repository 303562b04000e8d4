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

func (e *env) enqueue(items ...store.Outbound) {
	e.t.Helper()
	for i := range items {
		if items[i].Kind == "" {
			items[i].Kind = store.OutText
		}
	}
	e.commit(store.Change{Outbound: items})
}

// claim claims up to max items at now with a 30 s lease, and returns them
// in id order.
func (e *env) claim(now time.Time, max int) []store.Outbound {
	e.t.Helper()
	got, err := e.s.ClaimOutbound(e.ctx, now, 30*time.Second, max)
	if err != nil {
		e.t.Fatalf("ClaimOutbound: %v", err)
	}
	slices.SortFunc(got, func(a, b store.Outbound) int { return cmp.Compare(a.ID, b.ID) })
	return got
}

func (e *env) expectClaim(now time.Time, want ...string) []store.Outbound {
	e.t.Helper()
	got := e.claim(now, 100)
	if !slices.Equal(sorted(texts(got)), sorted(want)) {
		e.t.Errorf("ClaimOutbound(%v) claimed %q, want %q", now, texts(got), want)
	}
	return got
}

func (e *env) finish(o store.Outbound, r store.OutboundResult) {
	e.t.Helper()
	if err := e.s.FinishOutbound(e.ctx, o.ID, r); err != nil {
		e.t.Fatalf("FinishOutbound(%d): %v", o.ID, err)
	}
}

func (e *env) outbound(openID string, i int) store.Outbound {
	e.t.Helper()
	got, err := e.s.Outbounds(e.ctx, openID)
	if err != nil || len(got) <= i {
		e.t.Fatalf("Outbounds(%s) = %+v, %v; want at least %d", openID, got, err, i+1)
	}
	return got[i]
}

func testOutbounds(t *testing.T, e *env) {
	a1 := store.Outbound{OpenID: "o1", CaseID: "JF20261127-0001", Kind: store.OutText, Text: "您好", NotBefore: at(time.Second), CreatedAt: at(0)}
	b1 := store.Outbound{OpenID: "o2", Kind: store.OutFetchMedia, MediaID: "media-1", CreatedAt: at(time.Second)}
	a2 := store.Outbound{OpenID: "o1", Kind: store.OutText, Text: "第二条", CreatedAt: at(2 * time.Second)}
	e.enqueue(a1, b1)
	e.enqueue(a2)
	for _, o := range []*store.Outbound{&a1, &b1, &a2} {
		o.State = store.OutPending
	}

	all, err := e.s.Outbounds(e.ctx, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("Outbounds(\"\") = %+v, %v; want 3", all, err)
	}
	for i, want := range []store.Outbound{a1, b1, a2} {
		checkOutbound(t, fmt.Sprint("item ", i), all[i], want)
	}
	if !(all[0].ID < all[1].ID && all[1].ID < all[2].ID) {
		t.Errorf("ids %d %d %d: want oldest first", all[0].ID, all[1].ID, all[2].ID)
	}
	o1, err := e.s.Outbounds(e.ctx, "o1")
	if err != nil || len(o1) != 2 || o1[0].ID != all[0].ID || o1[1].ID != all[2].ID {
		t.Errorf("Outbounds(o1) = %+v, %v; want o1's two items, oldest first", o1, err)
	}
	if none, err := e.s.Outbounds(e.ctx, "nobody"); err != nil || len(none) != 0 {
		t.Errorf("Outbounds(nobody) = %+v, %v; want none", none, err)
	}
}

func testClaimDue(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "o1", Text: "later", NotBefore: at(time.Minute)},
		store.Outbound{OpenID: "o2", Text: "now"})
	got := e.expectClaim(at(0), "now")
	if len(got) == 1 && (got[0].Attempts != 1 || got[0].State != store.OutPending || got[0].OpenID != "o2") {
		t.Errorf("claimed %+v, want Attempts 1, pending, o2's", got[0])
	}
	for _, o := range got {
		e.finish(o, store.OutboundResult{State: store.OutSent})
	}
	e.expectClaim(at(time.Minute - time.Millisecond))
	e.expectClaim(at(time.Minute), "later") // due at NotBefore exactly
}

func testClaimOnePerCitizen(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "o1", Text: "a1"}, store.Outbound{OpenID: "o2", Text: "b1"},
		store.Outbound{OpenID: "o1", Text: "a2"}, store.Outbound{OpenID: "o3", Text: "c1", NotBefore: at(time.Hour)},
		store.Outbound{OpenID: "o3", Text: "c2"})
	// c1 is not due, so it does not hold back c2, which is.
	got := e.expectClaim(at(0), "a1", "b1", "c2")
	e.expectClaim(at(time.Second)) // a1 is leased: a2 waits
	if len(got) == 3 {
		e.finish(got[0], store.OutboundResult{State: store.OutSent, Via: "custom"})
	}
	e.expectClaim(at(2*time.Second), "a2")
	// The leases of a2, b1 and c2 ran out. c1 is due too, but c2 was
	// tried first and is still open: it goes again before c1.
	e.expectClaim(at(time.Hour), "a2", "b1", "c2")
}

// An item queued for later (a video reminder, due 30 minutes before the
// video) must not hold back what is queued after it and due now: the
// mediator's replies, status notices, the rating request. Among due
// items the queue's order holds, and an item that was tried and is still
// open (in flight, held until the citizen writes, waiting out a retry)
// holds back all its citizen's other items.
func testClaimNotYetDue(t *testing.T, e *env) {
	reminder := store.Outbound{OpenID: "o1", Kind: store.OutVideoReminder, Text: "reminder", NotBefore: at(time.Hour)}
	e.enqueue(reminder, store.Outbound{OpenID: "o1", Text: "reply 1"}, store.Outbound{OpenID: "o1", Text: "reply 2"},
		store.Outbound{OpenID: "o1", Text: "half an hour", NotBefore: at(30 * time.Minute)})
	sent := store.OutboundResult{State: store.OutSent, Via: "custom"}
	step := func(now time.Time, want ...string) {
		t.Helper()
		for _, o := range e.expectClaim(now, want...) {
			e.finish(o, sent)
		}
	}
	got := e.expectClaim(at(0), "reply 1")
	e.expectClaim(at(time.Second)) // reply 1 is in flight: reply 2 waits
	for _, o := range got {
		e.finish(o, sent)
	}
	step(at(time.Second), "reply 2")
	step(at(2 * time.Second))
	step(at(30*time.Minute), "half an hour")
	step(at(time.Hour - time.Millisecond))
	step(at(time.Hour), "reminder")
	step(at(2 * time.Hour))

	// A held item still holds back the citizen's later items, and the
	// reminder too once due: the held item was due, and tried, first.
	reminder.OpenID = "o2"
	e.enqueue(reminder, store.Outbound{OpenID: "o2", Text: "held"},
		store.Outbound{OpenID: "o2", Text: "after"})
	got = e.expectClaim(at(0), "held")
	for _, o := range got {
		e.finish(o, store.OutboundResult{State: store.OutHeld, Err: "outside window"})
	}
	e.expectClaim(at(2 * time.Hour))
	e.commit(store.Change{ReleaseHeld: "o2"})
	step(at(2*time.Hour), "held")
	step(at(2*time.Hour), "reminder") // both due now: queue order
	step(at(2*time.Hour), "after")
	step(at(3 * time.Hour))
}

// A retry waiting out its backoff is not yet due, but it holds back the
// citizen's later items all the same: it was due, and tried, before them,
// and letting them overtake would scramble the conversation (a rating
// request before the result it asks about) over a passing fault.
func testClaimRetryKeepsOrder(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "o1", Text: "a"}, store.Outbound{OpenID: "o1", Text: "b"})
	for _, o := range e.expectClaim(at(0), "a") {
		e.finish(o, store.OutboundResult{State: store.OutPending, NotBefore: at(10 * time.Second), Err: "errcode -1"})
	}
	e.expectClaim(at(5 * time.Second))
	for _, o := range e.expectClaim(at(10*time.Second), "a") {
		e.finish(o, store.OutboundResult{State: store.OutSent})
	}
	e.expectClaim(at(10*time.Second), "b")
}

func testClaimLease(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "o1", Text: "a1"}, store.Outbound{OpenID: "o1", Text: "a2"})
	e.expectClaim(at(0), "a1")
	e.expectClaim(at(29 * time.Second))
	// The sender died without finishing: once the lease runs out the item
	// is due again, and still first.
	got := e.expectClaim(at(31*time.Second), "a1")
	if len(got) == 1 && got[0].Attempts != 2 {
		t.Errorf("reclaimed item has Attempts %d, want 2", got[0].Attempts)
	}
	if o := e.outbound("o1", 0); o.Attempts != 2 || o.State != store.OutPending {
		t.Errorf("listed item %+v, want Attempts 2, pending", o)
	}
}

// A sender whose lease ran out finishes late, after another took the item
// again and sent it: a retry makes the item open again, and as a tried
// item it holds back its citizen's others as before, whatever was queued
// for later ahead of it.
func testFinishAfterLeaseRanOut(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "o1", Text: "later", NotBefore: at(time.Hour)},
		store.Outbound{OpenID: "o1", Text: "a"}, store.Outbound{OpenID: "o1", Text: "b"})
	slow := e.expectClaim(at(0), "a")
	fast := e.expectClaim(at(31*time.Second), "a")
	if len(slow) != 1 || len(fast) != 1 {
		t.FailNow()
	}
	e.finish(fast[0], store.OutboundResult{State: store.OutSent})
	e.finish(slow[0], store.OutboundResult{State: store.OutPending, NotBefore: at(40 * time.Second), Err: "timeout"})
	e.expectClaim(at(35 * time.Second))
	e.expectClaim(at(40*time.Second), "a")
}

func testClaimMax(t *testing.T, e *env) {
	for i := range 5 {
		e.enqueue(store.Outbound{OpenID: fmt.Sprint("o", i), Text: fmt.Sprint(i)})
	}
	if got := e.claim(at(0), 2); len(got) != 2 {
		t.Errorf("ClaimOutbound(max 2) claimed %d", len(got))
	}
	if got := e.claim(at(0), 10); len(got) != 3 {
		t.Errorf("ClaimOutbound(max 10) claimed %d, want the 3 left", len(got))
	}
}

// Workers claiming at once never get the same item, nor two items of one
// citizen.
func testClaimConcurrent(t *testing.T, e *env) {
	const citizens = 30
	var items []store.Outbound
	for i := range citizens {
		items = append(items, store.Outbound{OpenID: fmt.Sprint("o", i), Text: fmt.Sprint("first ", i)})
	}
	for i := range citizens {
		items = append(items, store.Outbound{OpenID: fmt.Sprint("o", i), Text: fmt.Sprint("second ", i)})
	}
	e.enqueue(items...)
	var mu sync.Mutex
	var claimed []store.Outbound
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			got, err := e.s.ClaimOutbound(e.ctx, at(0), time.Minute, 10)
			if err != nil {
				t.Errorf("ClaimOutbound: %v", err)
			}
			mu.Lock()
			claimed = append(claimed, got...)
			mu.Unlock()
		})
	}
	wg.Wait()
	var want []string
	for i := range citizens {
		want = append(want, fmt.Sprint("first ", i))
	}
	if got := sorted(texts(claimed)); !slices.Equal(got, sorted(want)) {
		t.Errorf("6 concurrent claims of up to 10 took %q, want each citizen's first item once", got)
	}
}

func testFinish(t *testing.T, e *env) {
	e.enqueue(store.Outbound{OpenID: "sent", Text: "s"}, store.Outbound{OpenID: "retry", Text: "r"},
		store.Outbound{OpenID: "held", Text: "h1"}, store.Outbound{OpenID: "held", Text: "h2"},
		store.Outbound{OpenID: "failed", Text: "f1"}, store.Outbound{OpenID: "failed", Text: "f2"})
	got := e.expectClaim(at(0), "s", "r", "h1", "f1")
	if len(got) != 4 {
		t.FailNow()
	}
	s, r, h, f := got[0], got[1], got[2], got[3]
	e.finish(s, store.OutboundResult{State: store.OutSent, Via: "custom"})
	e.finish(r, store.OutboundResult{State: store.OutPending, NotBefore: at(10 * time.Second), Err: "errcode 45047"})
	e.finish(h, store.OutboundResult{State: store.OutHeld, Err: "outside window"})
	e.finish(f, store.OutboundResult{State: store.OutFailed, Err: "errcode 40003"})

	check := func(openID string, want store.Outbound) {
		t.Helper()
		checkOutbound(t, openID, e.outbound(openID, 0), want)
	}
	s.State, s.Via = store.OutSent, "custom"
	check("sent", s)
	r.NotBefore, r.LastError = at(10*time.Second), "errcode 45047"
	check("retry", r)
	h.State, h.LastError = store.OutHeld, "outside window"
	check("held", h)
	f.State, f.LastError = store.OutFailed, "errcode 40003"
	check("failed", f)

	// A failed item no longer holds its citizen back; a held one does.
	// The retry is due at its NotBefore, though its lease had longer to run.
	e.expectClaim(at(5*time.Second), "f2")
	got = e.expectClaim(at(10*time.Second), "r")
	if len(got) == 1 && got[0].Attempts != 2 {
		t.Errorf("retried item has Attempts %d, want 2", got[0].Attempts)
	}
	e.expectClaim(at(11 * time.Second)) // both leased now
	e.expectClaim(at(time.Hour), "f2", "r")
}

func testReleaseHeld(t *testing.T, e *env) {
	h1 := e.held("o1", "h1", at(0))
	e.held("o2", "h2", at(0))
	e.enqueue(store.Outbound{OpenID: "o1", Text: "after"})
	e.expectClaim(at(time.Hour)) // held items wait, and so do later ones
	e.commit(store.Change{ReleaseHeld: "o1"})
	if o := e.outbound("o1", 0); o.State != store.OutPending {
		t.Errorf("released item is %q, want pending", o.State)
	}
	if o := e.outbound("o2", 0); o.State != store.OutHeld {
		t.Errorf("another citizen's held item is %q, want still held", o.State)
	}
	got := e.expectClaim(at(time.Hour), "h1")
	if len(got) == 1 && (got[0].ID != h1.ID || got[0].Attempts != 2) {
		t.Errorf("claimed %+v, want the released item again, Attempts 2", got[0])
	}
}

func testFinishUnknown(t *testing.T, e *env) {
	err := e.s.FinishOutbound(e.ctx, 12345, store.OutboundResult{State: store.OutSent})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishOutbound(unknown) = %v, want ErrNotFound", err)
	}
}
