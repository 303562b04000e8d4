package store

import (
	"context"
	"fmt"
	"time"
)

// The queue: one durable mechanism for everything that leaves the process,
// WeChat sends and media fetches as well as webhook deliveries. An item is
// queued by Commit with the rest of a Change (Change.Outbound,
// Change.Referrals), claimed by a worker for a lease, and finished with a
// state that stays visible: nothing is dropped silently.
//
// What an item carries:
//   - a Kind (OutText, OutFetchMedia, OutVideoReminder, KindReferral, …),
//     which says which handler delivers it;
//   - a Lane, derived from the kind (LaneOf): what one worker claims.
//     Lanes keep one slow destination from holding up another: an
//     agency that is down does not delay WeChat sends, nor the reverse;
//   - an optional ordering Key: the items of one key go out one at a time,
//     in order (a citizen's messages, "om:"+openid). Items without a key
//     (webhooks) are independent of one another. All items of one key are
//     of one lane, since the key's prefix comes from the kind's family;
//   - a NotBefore, attempts, a lease while claimed, the last error, and a
//     final state: QSent or QDelivered, QFailed; QHeld waits for a release.
//
// The ordering rule within a key, the same in both backends: an item that
// was tried and is still open (in flight, held, waiting out a retry's
// backoff) holds back all the key's other items; otherwise the oldest due
// untried item goes. One not yet due holds back nothing, so a reminder
// queued for tomorrow never delays a reply queued after it.

// Lanes.
const (
	LaneWeChat  = "wechat"  // calls to the platform API on a citizen's behalf
	LaneWebhook = "webhook" // signed HTTP deliveries to agencies
)

// KindReferral is a case referred to an agency's webhook (Referral).
const KindReferral = "referral"

// LaneOf is the lane of an item kind: webhook kinds go to the webhook lane,
// everything else is a WeChat call.
func LaneOf(kind string) string {
	switch kind {
	case KindReferral:
		return LaneWebhook
	}
	return LaneWeChat
}

// Item states. The outbound and referral names (OutSent, RefDelivered, …)
// are the same strings.
const (
	QPending   = "pending"
	QHeld      = "held"      // waits for Change.ReleaseHeld of its citizen
	QSent      = "sent"      // a WeChat call done
	QDelivered = "delivered" // a webhook answered 2xx
	QFailed    = "failed"    // given up (or unsendable); RetryItem may put it back
)

// QOpen reports whether an item in state s may still go out.
func QOpen(s string) bool { return s == QPending || s == QHeld }

// Item is one entry of the queue. Which of the payload fields are used
// depends on the kind: OpenID, Text and MediaID for WeChat calls;
// Delivery, Body, URL and Payload for webhooks.
type Item struct {
	ID       int64 // assigned by the store, increasing in the order items were queued
	Kind     string
	Lane     string // LaneOf(Kind), set by the store
	Key      string // the ordering key; "" for none
	CaseID   string // "" when not about a case
	OpenID   string
	Text     string
	MediaID  string
	Delivery string // a webhook's delivery id, unique across the store; "" for none
	Body     string
	URL      string
	Payload  []byte
	State    string
	Attempts int // attempts begun (a claim counts one)
	// NotBefore is when the item may be claimed (again, after a retry).
	NotBefore time.Time
	// LastError is what went wrong last; never secrets, URLs, message
	// text or personal data. Kept after a later success.
	LastError string
	Via       string // how it went: "custom", "template", "media", "obsolete", …
	CreatedAt time.Time
	DoneAt    time.Time // when it was sent or delivered; zero until then
}

// NeedsCase reports whether the item must name a case that exists (or
// that the same Change makes): a referral is about a case, and is
// refused with the Change otherwise.
func (it Item) NeedsCase() bool { return it.Kind == KindReferral }

// ItemResult is the outcome of one attempt.
type ItemResult struct {
	State     string    // QPending (retry at NotBefore), QHeld, QSent, QDelivered or QFailed
	NotBefore time.Time // for a retry
	Err       string    // "" keeps the one recorded before
	Via       string    // "" keeps the one recorded before
	At        time.Time // when it ended; stamps DoneAt when sent or delivered
}

// QueueFilter selects items; empty fields match all.
type QueueFilter struct {
	Lane   string
	Key    string
	CaseID string
	Body   string
	State  string
	Newest bool // newest first; otherwise oldest first
	Limit  int  // 0: no limit
}

// Queue is the queue's side of Store.
type Queue interface {
	// ClaimItems leases up to max items of lane due at now for lease,
	// counting one attempt each, and returns them oldest first. Due: pending,
	// NotBefore reached, no live lease, and, for an item with a Key, the
	// key's candidate under the ordering rule (see above), so at most one
	// item per key is ever in flight. An item whose lease ran out (its
	// worker died) is due again.
	ClaimItems(ctx context.Context, lane string, now time.Time, lease time.Duration, max int) ([]Item, error)
	// FinishItem records what became of an attempt and ends the lease, so
	// a retry is due at its NotBefore rather than at the lease's end.
	// ErrNotFound for an unknown id.
	FinishItem(ctx context.Context, id int64, r ItemResult) error
	// Items lists the items matching f, by id.
	Items(ctx context.Context, f QueueFilter) ([]Item, error)
	// RetryItem puts a failed item back to pending, due at now, with its
	// attempts counted from zero so it gets a full round of retries (the
	// console's retry button). ErrNotFound for an unknown id, ErrConflict
	// when the item is not failed: a sent one must not go out twice by a
	// click.
	RetryItem(ctx context.Context, id int64, now time.Time) error
}

// MessageKey is the ordering key of a citizen's WeChat items: they go out
// one at a time, in order.
func MessageKey(openID string) string {
	if openID == "" {
		return ""
	}
	return "om:" + openID
}

// ItemOfOutbound is the queue item an outbound entry is.
func ItemOfOutbound(o Outbound) Item {
	return Item{ID: o.ID, Kind: o.Kind, Lane: LaneOf(o.Kind), Key: MessageKey(o.OpenID), CaseID: o.CaseID, OpenID: o.OpenID,
		Text: o.Text, MediaID: o.MediaID, State: o.State, Attempts: o.Attempts, NotBefore: o.NotBefore,
		LastError: o.LastError, Via: o.Via, CreatedAt: o.CreatedAt}
}

// OutboundOf is the outbound view of a WeChat item.
func OutboundOf(it Item) Outbound {
	return Outbound{ID: it.ID, OpenID: it.OpenID, CaseID: it.CaseID, Kind: it.Kind, Text: it.Text, MediaID: it.MediaID,
		State: it.State, Attempts: it.Attempts, NotBefore: it.NotBefore, LastError: it.LastError, Via: it.Via,
		CreatedAt: it.CreatedAt}
}

// ItemOfReferral is the queue item a referral is.
func ItemOfReferral(r Referral) Item {
	return Item{ID: r.ID, Kind: KindReferral, Lane: LaneWebhook, CaseID: r.CaseID, Delivery: r.Delivery, Body: r.Body,
		URL: r.URL, Payload: r.Payload, State: r.State, Attempts: r.Attempts, NotBefore: r.NotBefore,
		LastError: r.LastError, CreatedAt: r.CreatedAt, DoneAt: r.DeliveredAt}
}

// ReferralOf is the referral view of a webhook item.
func ReferralOf(it Item) Referral {
	return Referral{ID: it.ID, Delivery: it.Delivery, CaseID: it.CaseID, Body: it.Body, URL: it.URL, Payload: it.Payload,
		State: it.State, Attempts: it.Attempts, NotBefore: it.NotBefore, LastError: it.LastError,
		CreatedAt: it.CreatedAt, DeliveredAt: it.DoneAt}
}

// Result is the queue's form of an outbound attempt's outcome.
func (r OutboundResult) Result() ItemResult {
	return ItemResult{State: r.State, NotBefore: r.NotBefore, Err: r.Err, Via: r.Via}
}

// QueueViews gives the outbound queue and the webhook outbox their
// long-standing methods (ClaimOutbound, ListReferrals, …) on top of a
// backend's one queue. Each backend embeds it with Q set to itself, so
// the views are written once, here, and there is one mechanism under them.
type QueueViews struct{ Q Queue }

// ClaimOutbound claims WeChat items (Store.ClaimOutbound).
func (v QueueViews) ClaimOutbound(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Outbound, error) {
	items, err := v.Q.ClaimItems(ctx, LaneWeChat, now, lease, max)
	return mapItems(items, OutboundOf), err
}

// FinishOutbound finishes a WeChat item (Store.FinishOutbound).
func (v QueueViews) FinishOutbound(ctx context.Context, id int64, r OutboundResult) error {
	switch r.State {
	case OutPending, OutSent, OutHeld, OutFailed:
	default:
		return badState("outbound", id, r.State)
	}
	return v.Q.FinishItem(ctx, id, r.Result())
}

// Outbounds lists a citizen's WeChat items ("" for everyone's), oldest first.
func (v QueueViews) Outbounds(ctx context.Context, openID string) ([]Outbound, error) {
	f := QueueFilter{Lane: LaneWeChat}
	if openID != "" {
		f.Key = MessageKey(openID)
	}
	items, err := v.Q.Items(ctx, f)
	return mapItems(items, OutboundOf), err
}

// ClaimReferrals claims webhook items (Referrals.ClaimReferrals).
func (v QueueViews) ClaimReferrals(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Referral, error) {
	items, err := v.Q.ClaimItems(ctx, LaneWebhook, now, lease, max)
	return mapItems(items, ReferralOf), err
}

// FinishReferral finishes a webhook item (Referrals.FinishReferral).
func (v QueueViews) FinishReferral(ctx context.Context, id int64, state string, notBefore time.Time, lastErr string, now time.Time) error {
	switch state {
	case RefPending, RefDelivered, RefFailed:
	default:
		return badState("referral", id, state)
	}
	return v.Q.FinishItem(ctx, id, ItemResult{State: state, NotBefore: notBefore, Err: lastErr, At: now})
}

// ListReferrals lists webhook items, newest first (Referrals.ListReferrals).
func (v QueueViews) ListReferrals(ctx context.Context, f ReferralFilter) ([]Referral, error) {
	items, err := v.Q.Items(ctx, QueueFilter{Lane: LaneWebhook, CaseID: f.CaseID, Body: f.Body, State: f.State,
		Newest: true, Limit: f.Limit})
	return mapItems(items, ReferralOf), err
}

// RetryReferral puts a failed referral back (Referrals.RetryReferral).
func (v QueueViews) RetryReferral(ctx context.Context, id int64, now time.Time) error {
	return v.Q.RetryItem(ctx, id, now)
}

func mapItems[T any](items []Item, f func(Item) T) []T {
	if items == nil {
		return nil
	}
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

// FinishStateOK reports whether s is a state an attempt may end in.
func FinishStateOK(s string) bool {
	switch s {
	case QPending, QHeld, QSent, QDelivered, QFailed:
		return true
	}
	return false
}

// badState refuses a state an attempt of that view cannot end in.
func badState(what string, id int64, state string) error {
	return fmt.Errorf("store: finish %s %d: unknown state %q", what, id, state)
}
