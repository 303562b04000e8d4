package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The webhook outbox (store.Referrals): queued by Commit with the case,
// listed for the console, and kept through a reopen. Claims, finishing and
// retries are in webhook_claim.go.

// mkReferral is a referral of a case to a body, created at created. The
// payload has non-ASCII text and a NUL byte, which a store must keep as is.
func mkReferral(delivery, caseID, body string, created time.Time) store.Referral {
	return store.Referral{
		Delivery: delivery, CaseID: caseID, Body: body, URL: "https://" + body + ".example/hook?k=1",
		Payload:   []byte(`{"delivery":"` + delivery + `","story":"老板拖欠工资"}` + "\x00"),
		CreatedAt: created,
	}
}

// checkReferral compares every field; want.ID 0 accepts any id, and the
// times compare to the millisecond.
func checkReferral(t *testing.T, what string, got, want store.Referral) {
	t.Helper()
	if !sameTime(got.NotBefore, want.NotBefore) || !sameTime(got.CreatedAt, want.CreatedAt) ||
		!sameTime(got.DeliveredAt, want.DeliveredAt) || got.DeliveredAt.IsZero() != want.DeliveredAt.IsZero() {
		t.Errorf("%s: NotBefore %v CreatedAt %v DeliveredAt %v, want %v %v %v", what,
			got.NotBefore, got.CreatedAt, got.DeliveredAt, want.NotBefore, want.CreatedAt, want.DeliveredAt)
	}
	if got.ID <= 0 {
		t.Errorf("%s: ID %d, want one assigned by the store", what, got.ID)
	}
	if want.ID == 0 {
		want.ID = got.ID
	}
	if !bytes.Equal(got.Payload, want.Payload) {
		t.Errorf("%s: Payload %q, want %q", what, got.Payload, want.Payload)
	}
	got.Payload, want.Payload = nil, nil
	got.NotBefore, got.CreatedAt, got.DeliveredAt = time.Time{}, time.Time{}, time.Time{}
	want.NotBefore, want.CreatedAt, want.DeliveredAt = time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func (e *env) referrals(f store.ReferralFilter) []store.Referral {
	e.t.Helper()
	got, err := e.s.ListReferrals(e.ctx, f)
	if err != nil {
		e.t.Fatalf("ListReferrals(%+v): %v", f, err)
	}
	return got
}

func deliveries(rs []store.Referral) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Delivery)
	}
	return out
}

// referralCase commits a case for referrals to be about.
func (e *env) referralCase(id string) dispute.Case {
	e.t.Helper()
	k := mkCase(id, "o-"+id, dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	return k
}

// A referral is queued with the case it is about, pending and untried
// whatever the caller filled in, with every field and the exact payload
// bytes kept.
func testReferralEnqueue(t *testing.T, e *env) {
	k := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "bodyA", at(0))
	r1 := mkReferral("d1", k.ID, "bodyA", at(0))
	r1.State, r1.Attempts, r1.LastError, r1.DeliveredAt = store.RefDelivered, 7, "ignored", at(time.Hour)
	r2 := mkReferral("d2", k.ID, "duty", at(time.Second))
	r2.NotBefore = at(time.Minute)
	e.commit(store.Change{NewCases: []dispute.Case{k}, Referrals: []store.Referral{r1, r2}})
	if _, err := e.s.Case(e.ctx, k.ID); err != nil {
		t.Fatalf("Case after a Commit with referrals: %v", err)
	}

	got := e.referrals(store.ReferralFilter{})
	if len(got) != 2 {
		t.Fatalf("ListReferrals = %+v; want 2", got)
	}
	want1 := r1
	want1.State, want1.Attempts, want1.LastError, want1.DeliveredAt = store.RefPending, 0, "", time.Time{}
	want2 := r2
	want2.State = store.RefPending
	checkReferral(t, "newest", got[0], want2)
	checkReferral(t, "oldest", got[1], want1)
	if got[0].ID <= got[1].ID {
		t.Errorf("ids %d then %d: want the later referral to have the higher id", got[0].ID, got[1].ID)
	}

	// A later Change refers an existing case again.
	e.commit(store.Change{Referrals: []store.Referral{mkReferral("d3", k.ID, "bodyB", at(time.Hour))}})
	if got := deliveries(e.referrals(store.ReferralFilter{})); !slices.Equal(got, []string{"d3", "d2", "d1"}) {
		t.Errorf("ListReferrals = %v, want [d3 d2 d1]", got)
	}
}

// A refused Change queues nothing, and a refused referral refuses its
// whole Change: an unknown case, a delivery id used before or twice in
// the Change, none at all. A refused delivery id is not taken.
func testReferralRefused(t *testing.T, e *env) {
	k := e.referralCase("JF20261127-0001")
	e.commit(store.Change{At: t0, Dedup: "k", DedupTTL: time.Hour, Referrals: []store.Referral{mkReferral("d1", k.ID, "b", at(0))}})
	ev := dispute.Event{CaseID: k.ID, At: at(time.Minute), Kind: dispute.Note, Actor: "system", Text: "转交"}
	newCase := mkCase("JF20261127-0002", "o2", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	before := e.snapshot([]string{"o2"}, []string{k.ID, newCase.ID}, []string{"k", "k2"})
	list := fmt.Sprint(e.referrals(store.ReferralFilter{}))

	for _, c := range []struct {
		name string
		ch   store.Change
		is   error
	}{
		{"a duplicate delivery", store.Change{At: t0, Dedup: "k", DedupTTL: time.Hour, NewCases: []dispute.Case{newCase},
			Referrals: []store.Referral{mkReferral("d2", newCase.ID, "b", at(0))}}, store.ErrDuplicate},
		{"an unknown case", store.Change{At: t0, Dedup: "k2", Events: []dispute.Event{ev},
			Referrals: []store.Referral{mkReferral("d2", k.ID, "b", at(0)), mkReferral("d3", "JF20261127-0404", "b", at(0))}}, store.ErrNotFound},
		{"a delivery id used before", store.Change{At: t0, Dedup: "k2", NewCases: []dispute.Case{newCase},
			Referrals: []store.Referral{mkReferral("d1", newCase.ID, "b", at(0))}}, nil},
		{"a delivery id twice", store.Change{At: t0, Dedup: "k2", Events: []dispute.Event{ev},
			Referrals: []store.Referral{mkReferral("d4", k.ID, "b", at(0)), mkReferral("d4", k.ID, "c", at(0))}}, nil},
		{"no delivery id", store.Change{At: t0, Dedup: "k2", Events: []dispute.Event{ev},
			Referrals: []store.Referral{mkReferral("", k.ID, "b", at(0))}}, nil},
	} {
		err := e.s.Commit(e.ctx, c.ch)
		if err == nil || c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("Commit with %s = %v, want an error (%v)", c.name, err, c.is)
		}
		e.unchanged("Commit with "+c.name, before, []string{"o2"}, []string{k.ID, newCase.ID}, []string{"k", "k2"})
		if got := fmt.Sprint(e.referrals(store.ReferralFilter{})); got != list {
			t.Errorf("Commit with %s changed the referrals:\n%s\nwant\n%s", c.name, got, list)
		}
	}
	// The refused delivery ids were not taken.
	e.commit(store.Change{Referrals: []store.Referral{mkReferral("d2", k.ID, "b", at(0)), mkReferral("d4", k.ID, "b", at(0))}})
	if got := deliveries(e.referrals(store.ReferralFilter{})); !slices.Equal(got, []string{"d4", "d2", "d1"}) {
		t.Errorf("ListReferrals = %v, want [d4 d2 d1]", got)
	}
}

// ListReferrals filters by case, body and state, in any combination,
// newest first, up to Limit.
func testReferralList(t *testing.T, e *env) {
	k1, k2 := e.referralCase("JF20261127-0001"), e.referralCase("JF20261127-0002")
	e.commit(store.Change{Referrals: []store.Referral{
		mkReferral("a", k1.ID, "b1", at(0)), mkReferral("b", k2.ID, "b1", at(time.Second)),
		mkReferral("c", k1.ID, "b2", at(2*time.Second)),
	}})
	e.commit(store.Change{Referrals: []store.Referral{mkReferral("d", k2.ID, "b2", at(3*time.Second))}})
	// "a" delivered, "b" failed, "c" and "d" pending.
	got := e.claimReferrals(at(time.Minute), 10)
	byDelivery := map[string]int64{}
	for _, r := range got {
		byDelivery[r.Delivery] = r.ID
	}
	e.finishReferral(byDelivery["a"], store.RefDelivered, time.Time{}, "", at(time.Minute))
	e.finishReferral(byDelivery["b"], store.RefFailed, time.Time{}, "http 410", at(time.Minute))
	e.finishReferral(byDelivery["c"], store.RefPending, at(time.Hour), "http 503", at(time.Minute))
	e.finishReferral(byDelivery["d"], store.RefPending, at(time.Hour), "timeout", at(time.Minute))

	for _, c := range []struct {
		f    store.ReferralFilter
		want []string
	}{
		{store.ReferralFilter{}, []string{"d", "c", "b", "a"}},
		{store.ReferralFilter{Limit: 2}, []string{"d", "c"}},
		{store.ReferralFilter{CaseID: k1.ID}, []string{"c", "a"}},
		{store.ReferralFilter{Body: "b1"}, []string{"b", "a"}},
		{store.ReferralFilter{State: store.RefPending}, []string{"d", "c"}},
		{store.ReferralFilter{State: store.RefFailed}, []string{"b"}},
		{store.ReferralFilter{State: store.RefDelivered}, []string{"a"}},
		{store.ReferralFilter{CaseID: k2.ID, Body: "b2"}, []string{"d"}},
		{store.ReferralFilter{CaseID: k2.ID, State: store.RefPending, Body: "b1"}, nil},
		{store.ReferralFilter{Body: "b2", State: store.RefPending, Limit: 1}, []string{"d"}},
		{store.ReferralFilter{CaseID: "JF20261127-0404"}, nil},
	} {
		if got := deliveries(e.referrals(c.f)); !slices.Equal(got, c.want) {
			t.Errorf("ListReferrals(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	// A retried referral moves between the state filters.
	if err := e.s.RetryReferral(e.ctx, byDelivery["b"], at(2*time.Minute)); err != nil {
		t.Fatalf("RetryReferral: %v", err)
	}
	if got := deliveries(e.referrals(store.ReferralFilter{State: store.RefPending})); !slices.Equal(got, []string{"d", "c", "b"}) {
		t.Errorf("pending after a retry = %v, want [d c b]", got)
	}
	if got := e.referrals(store.ReferralFilter{State: store.RefFailed}); len(got) != 0 {
		t.Errorf("failed after a retry = %v, want none", deliveries(got))
	}
}

// Referrals, their states and their leases are there after a reopen.
func testReferralPersistence(t *testing.T, e *env) {
	k := e.referralCase("JF20261127-0001")
	e.commit(store.Change{Referrals: []store.Referral{
		mkReferral("delivered", k.ID, "b", at(0)), mkReferral("leased", k.ID, "b", at(0)),
		mkReferral("failed", k.ID, "b", at(0)), mkReferral("later", k.ID, "b", at(0)),
	}})
	got := e.claimReferrals(at(time.Second), 10)
	if len(got) != 4 {
		t.Fatalf("claimed %v, want 4", deliveries(got))
	}
	e.finishReferral(got[0].ID, store.RefDelivered, time.Time{}, "", at(2*time.Second))
	e.finishReferral(got[2].ID, store.RefFailed, time.Time{}, "secret not configured", at(2*time.Second))
	e.finishReferral(got[3].ID, store.RefPending, at(time.Hour), "http 503", at(2*time.Second))
	before := e.referrals(store.ReferralFilter{})

	e.reopen()
	after := e.referrals(store.ReferralFilter{})
	if len(after) != len(before) {
		t.Fatalf("after reopen %v, want %v", deliveries(after), deliveries(before))
	}
	for i := range before {
		checkReferral(t, "after reopen "+before[i].Delivery, after[i], before[i])
	}
	e.expectReferrals(at(10 * time.Second))                                    // "leased" is still leased, "later" not due
	e.expectReferrals(at(time.Hour), "leased", "later")                        // and the lease still ran out on time
	if err := e.s.RetryReferral(e.ctx, got[2].ID, at(time.Hour)); err != nil { // the failed one is still failed
		t.Errorf("RetryReferral after reopen: %v", err)
	}
	e.commit(store.Change{Referrals: []store.Referral{mkReferral("new", k.ID, "b", at(time.Hour))}})
	if err := e.s.Commit(e.ctx, store.Change{Referrals: []store.Referral{mkReferral("later", k.ID, "b", at(0))}}); err == nil {
		t.Error("a delivery id taken before the reopen was accepted again")
	}
	if l := e.referrals(store.ReferralFilter{Limit: 1}); len(l) != 1 || l[0].Delivery != "new" || l[0].ID <= after[0].ID {
		t.Errorf("newest after reopen = %+v; want \"new\" with an id above %d", l, after[0].ID)
	}
}
