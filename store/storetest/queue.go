package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"jiefen/store"
)

// The queue itself (store.Queue): what holds for every lane and kind. The
// outbound tests (outbound.go) and the referral tests (webhook*.go,
// referral.go) hold its two views to the behaviour their callers rely
// on: the ordering key's rule, leases and retries are exercised there,
// through ClaimOutbound and ClaimReferrals, which are ClaimItems.

func (e *env) claimItems(lane string, now time.Time) []store.Item {
	e.t.Helper()
	got, err := e.s.ClaimItems(e.ctx, lane, now, 30*time.Second, 100)
	if err != nil {
		e.t.Fatalf("ClaimItems(%s): %v", lane, err)
	}
	return got
}

func (e *env) items(f store.QueueFilter) []store.Item {
	e.t.Helper()
	got, err := e.s.Items(e.ctx, f)
	if err != nil {
		e.t.Fatalf("Items(%+v): %v", f, err)
	}
	return got
}

func itemKinds(its []store.Item) []string {
	var out []string
	for _, it := range its {
		out = append(out, it.Kind)
	}
	return out
}

func itemIDs(its []store.Item) []int64 {
	var out []int64
	for _, it := range its {
		out = append(out, it.ID)
	}
	return out
}

// One Change queues a citizen's message and a referral: each lands in its
// kind's lane, a claim of one lane takes nothing of the other, and one
// lane held up (a message in flight, a retry waiting) holds up nothing
// of the other. Ids follow the order of queueing across lanes.
func testQueueLanes(t *testing.T, e *env) {
	k := e.referralCase("JF20261127-0001")
	e.commit(store.Change{
		Outbound:  []store.Outbound{{OpenID: k.OpenID, CaseID: k.ID, Kind: store.OutText, Text: "已转交", CreatedAt: at(0)}},
		Referrals: []store.Referral{mkReferral("d1", k.ID, "bodyA", at(0))},
	})
	all := e.items(store.QueueFilter{})
	if len(all) != 2 || all[0].Lane != store.LaneWeChat || all[1].Lane != store.LaneWebhook || all[0].ID >= all[1].ID {
		t.Fatalf("Items() = %+v; want the message (wechat) then the referral (webhook)", all)
	}
	if all[0].Key != store.MessageKey(k.OpenID) || all[1].Key != "" || all[1].Kind != store.KindReferral {
		t.Errorf("keys %q %q, kind %q; want the citizen's key, none, referral", all[0].Key, all[1].Key, all[1].Kind)
	}
	msg := e.claimItems(store.LaneWeChat, at(0))
	if !slices.Equal(itemKinds(msg), []string{store.OutText}) {
		t.Fatalf("claim of the wechat lane = %v, want the message", itemKinds(msg))
	}
	// The message is in flight; the referral still goes.
	ref := e.claimItems(store.LaneWebhook, at(0))
	if !slices.Equal(itemKinds(ref), []string{store.KindReferral}) || ref[0].Attempts != 1 {
		t.Fatalf("claim of the webhook lane = %+v, want the referral, attempt 1", ref)
	}
	if got := e.claimItems(store.LaneWeChat, at(time.Second)); len(got) != 0 {
		t.Errorf("wechat lane claimed %v while its one item is in flight", itemKinds(got))
	}
	if err := e.s.FinishItem(e.ctx, ref[0].ID, store.ItemResult{State: store.QPending, NotBefore: at(time.Hour), Err: "http 503"}); err != nil {
		t.Fatal(err)
	}
	// A message queued now goes once the first is sent, the referral's
	// retry notwithstanding.
	if err := e.s.FinishItem(e.ctx, msg[0].ID, store.ItemResult{State: store.QSent, Via: "custom", At: at(time.Second)}); err != nil {
		t.Fatal(err)
	}
	e.commit(store.Change{Outbound: []store.Outbound{{OpenID: k.OpenID, Kind: store.OutText, Text: "第二条"}}})
	if got := e.claimItems(store.LaneWeChat, at(2*time.Second)); len(got) != 1 || got[0].Text != "第二条" {
		t.Errorf("wechat lane claimed %+v, want the second message", got)
	}
	if got := e.claimItems(store.LaneWebhook, at(2*time.Second)); len(got) != 0 {
		t.Errorf("webhook lane claimed %v during the retry's backoff", itemKinds(got))
	}
	if got := e.claimItems("court", at(2*time.Hour)); len(got) != 0 {
		t.Errorf("a lane nothing was queued in claimed %v", itemKinds(got))
	}
}

// Finishing stamps DoneAt on sent and delivered items and keeps the
// last error and the way it went; Items filters by lane, key, case, body
// and state, in id order or newest first, up to a limit.
func testQueueItems(t *testing.T, e *env) {
	k := e.referralCase("JF20261127-0001")
	e.commit(store.Change{
		Outbound: []store.Outbound{
			{OpenID: "o1", CaseID: k.ID, Kind: store.OutText, Text: "a"},
			{OpenID: "o2", Kind: store.OutFetchMedia, MediaID: "m1"},
			{OpenID: "o1", Kind: store.OutText, Text: "b"},
		},
		Referrals: []store.Referral{mkReferral("d1", k.ID, "bodyA", at(0)), mkReferral("d2", k.ID, "bodyB", at(0))},
	})
	for _, it := range e.claimItems(store.LaneWeChat, at(0)) {
		r := store.ItemResult{State: store.QSent, Via: "custom", At: at(time.Minute)}
		if it.Kind == store.OutFetchMedia {
			r = store.ItemResult{State: store.QFailed, Err: "errcode 40007"}
		}
		if err := e.s.FinishItem(e.ctx, it.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, it := range e.claimItems(store.LaneWebhook, at(0)) {
		r := store.ItemResult{State: store.QDelivered, Err: "http 503", At: at(2 * time.Minute)}
		if it.Delivery == "d2" {
			r = store.ItemResult{State: store.QFailed, Err: "webhook not configured"}
		}
		if err := e.s.FinishItem(e.ctx, it.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	all := e.items(store.QueueFilter{})
	if len(all) != 5 {
		t.Fatalf("Items() = %d items, want 5", len(all))
	}
	a, m, b, d1, d2 := all[0], all[1], all[2], all[3], all[4]
	if a.State != store.QSent || !sameTime(a.DoneAt, at(time.Minute)) || a.Via != "custom" || b.State != store.QPending {
		t.Errorf("sent message %+v / the one behind it %+v", a, b)
	}
	if m.State != store.QFailed || m.LastError != "errcode 40007" || !m.DoneAt.IsZero() {
		t.Errorf("failed fetch %+v: want failed, its error, no DoneAt", m)
	}
	if d1.State != store.QDelivered || !sameTime(d1.DoneAt, at(2*time.Minute)) || d1.LastError != "http 503" {
		t.Errorf("delivered referral %+v", d1)
	}
	if d2.State != store.QFailed || string(d2.Payload) != string(mkReferral("d2", k.ID, "bodyB", at(0)).Payload) {
		t.Errorf("failed referral %+v: want failed, its payload kept byte for byte", d2)
	}
	for _, c := range []struct {
		f    store.QueueFilter
		want []int64
	}{
		{store.QueueFilter{Lane: store.LaneWeChat}, []int64{a.ID, m.ID, b.ID}},
		{store.QueueFilter{Key: store.MessageKey("o1")}, []int64{a.ID, b.ID}},
		{store.QueueFilter{CaseID: k.ID}, []int64{a.ID, d1.ID, d2.ID}},
		{store.QueueFilter{Body: "bodyB"}, []int64{d2.ID}},
		{store.QueueFilter{State: store.QFailed}, []int64{m.ID, d2.ID}},
		{store.QueueFilter{State: store.QFailed, Lane: store.LaneWebhook}, []int64{d2.ID}},
		{store.QueueFilter{Newest: true, Limit: 2}, []int64{d2.ID, d1.ID}},
		{store.QueueFilter{Lane: store.LaneWeChat, Limit: 2}, []int64{a.ID, m.ID}},
		{store.QueueFilter{Key: store.MessageKey("nobody")}, nil},
	} {
		if got := itemIDs(e.items(c.f)); !slices.Equal(got, c.want) {
			t.Errorf("Items(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
}

// Any failed item can be retried, a keyed one too: untried again, it
// takes its place by id among its key's untried items, so a retried old
// message goes before the ones queued after it. Only a failed item: a
// sent one must not go out twice by a click.
func testQueueRetry(t *testing.T, e *env) {
	e.commit(store.Change{Outbound: []store.Outbound{
		{OpenID: "o1", Kind: store.OutText, Text: "a"}, {OpenID: "o1", Kind: store.OutText, Text: "b"},
	}})
	got := e.claimItems(store.LaneWeChat, at(0))
	if len(got) != 1 || got[0].Text != "a" {
		t.Fatalf("claimed %+v, want a", got)
	}
	a := got[0]
	if err := e.s.FinishItem(e.ctx, a.ID, store.ItemResult{State: store.QFailed, Err: "errcode 45015"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.RetryItem(e.ctx, a.ID, at(time.Minute)); err != nil {
		t.Fatalf("RetryItem(failed) = %v", err)
	}
	got = e.claimItems(store.LaneWeChat, at(time.Minute))
	if len(got) != 1 || got[0].ID != a.ID || got[0].Attempts != 1 {
		t.Fatalf("after the retry claimed %+v, want a again, attempt 1", got)
	}
	if err := e.s.FinishItem(e.ctx, a.ID, store.ItemResult{State: store.QSent, At: at(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.RetryItem(e.ctx, a.ID, at(time.Hour)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("RetryItem(sent) = %v, want ErrConflict", err)
	}
	if err := e.s.RetryItem(e.ctx, 98765, at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetryItem(unknown) = %v, want ErrNotFound", err)
	}
	if err := e.s.FinishItem(e.ctx, 98765, store.ItemResult{State: store.QSent}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishItem(unknown) = %v, want ErrNotFound", err)
	}
	if err := e.s.FinishItem(e.ctx, a.ID, store.ItemResult{State: "lost"}); err == nil {
		t.Errorf("FinishItem(state lost) accepted")
	}
	if got := e.claimItems(store.LaneWeChat, at(time.Hour)); len(got) != 1 || got[0].Text != "b" {
		t.Errorf("claimed %+v, want b", got)
	}
}

// Items are there after Close and a new open, state and key included, and
// the ordering rule holds across it.
func testQueuePersistence(t *testing.T, e *env) {
	k := e.referralCase("JF20261127-0001")
	e.commit(store.Change{
		Outbound:  []store.Outbound{{OpenID: "o1", Kind: store.OutText, Text: "a"}, {OpenID: "o1", Kind: store.OutText, Text: "b"}},
		Referrals: []store.Referral{mkReferral("d1", k.ID, "bodyA", at(0))},
	})
	held := e.claimItems(store.LaneWeChat, at(0))
	if len(held) != 1 {
		t.Fatalf("claimed %+v", held)
	}
	if err := e.s.FinishItem(e.ctx, held[0].ID, store.ItemResult{State: store.QHeld, Err: "outside window"}); err != nil {
		t.Fatal(err)
	}
	before := e.items(store.QueueFilter{})
	e.reopen()
	after := e.items(store.QueueFilter{})
	if len(after) != len(before) {
		t.Fatalf("after reopen %d items, want %d", len(after), len(before))
	}
	for i := range before {
		if before[i].ID != after[i].ID || before[i].State != after[i].State || before[i].Key != after[i].Key ||
			before[i].Lane != after[i].Lane || before[i].Attempts != after[i].Attempts {
			t.Errorf("item %d after reopen %+v, want %+v", i, after[i], before[i])
		}
	}
	if got := e.claimItems(store.LaneWeChat, at(time.Hour)); len(got) != 0 {
		t.Errorf("claimed %v behind a held item", itemKinds(got))
	}
	e.commit(store.Change{ReleaseHeld: "o1"})
	if got := e.claimItems(store.LaneWeChat, at(time.Hour)); len(got) != 1 || got[0].Text != "a" {
		t.Errorf("after the release claimed %+v, want a", got)
	}
	if got := e.claimItems(store.LaneWebhook, at(time.Hour)); len(got) != 1 || got[0].Delivery != "d1" {
		t.Errorf("webhook lane after reopen claimed %+v", got)
	}
}
