package redisstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"jiefen/store"
)

// The queue (store.Queue); the outbound queue and the webhook outbox are
// views of it (store.QueueViews).
//
// Design: each item is a hash (T+"q:"+id); ids come from one counter, so
// they follow the order items were queued. Per ordering key, a list holds
// the open (pending or held) ids: first the one already tried and still
// open, if any (in flight, held, or waiting out a retry), then the untried
// ones, oldest first (lua/queue.lua). A tried head is the only item of its
// key that can be sent, which keeps a citizen's messages in order and lets
// a held head block what follows; otherwise the first untried item that is
// due is, so an item queued for later (a video reminder) does not hold
// back what was queued after it. Each lane has a sorted set of what may be
// claimed and when: each key with an item that may be, at the later of a
// tried head's NotBefore and its lease end or the earliest NotBefore of
// the untried items; each pending item without a key, at the later of its
// NotBefore and its lease end. ClaimItems is one script: take what is due
// at now (most overdue first), bump each candidate's Attempts, move it to
// its key's head and the score to the lease end. Index sets by lane, key,
// case, body and state, scored by id, serve the listings. Every change to
// an item, its lists and its sets happens in the same script, in one slot,
// so they cannot drift apart.
//
// A dead instance's items come back by themselves: its claims are scores
// at their lease ends, and once now passes a lease end the item is due
// again and any instance claims it (Attempts + 1). Nothing has to notice
// the death. As with any lease, an instance that sent and then died before
// FinishItem makes the item go out twice; one that died before sending
// loses nothing.
//
// Why not Streams with consumer groups: XAUTOCLAIM gives the same
// recovery, but a stream delivers entries in arrival order to whoever
// reads next. It has no NotBefore (retries at a later time), no "one per
// key, in the key's order", no held items that stop a key until released,
// and no per-item state to list. Each would need the structures above
// beside the stream, and two sources of truth to keep in step; the lease
// score is the whole mechanism.

// itemOf decodes an item from a script's {id, field, value, …}.
func itemOf(v any) (store.Item, error) {
	id, r, err := idRecord(v, "item")
	if err != nil {
		return store.Item{}, err
	}
	it := store.Item{ID: id, Kind: r.str("kind"), Lane: r.str("lane"), Key: r.str("key"), CaseID: r.str("case"),
		OpenID: r.str("openid"), Text: r.str("text"), MediaID: r.str("media"), Delivery: r.str("dlv"),
		Body: r.str("body"), URL: r.str("url"), State: r.str("state"), Attempts: int(r.int("att")),
		NotBefore: r.time("nb"), LastError: r.str("err"), Via: r.str("via"), CreatedAt: r.time("at"),
		DoneAt: r.time("done")}
	if p := r.str("payload"); p != "" {
		it.Payload = []byte(p)
	} else {
		it.Payload = []byte{}
	}
	if r.err != nil {
		return store.Item{}, fmt.Errorf("item %d: %w", id, r.err)
	}
	return it, nil
}

func itemsOf(res []any) ([]store.Item, error) { return decodeAll(res, itemOf) }

// ClaimItems leases up to max due items of lane, at most one per key
// (lua/qclaim.lua): one script, so one round trip, and atomic.
func (s *Store) ClaimItems(ctx context.Context, lane string, now time.Time, lease time.Duration, max int) ([]store.Item, error) {
	if max <= 0 {
		return nil, nil
	}
	res, err := claimScript.Run(ctx, s.rdb, []string{s.k.queueDue(lane)},
		s.k.t, now.UnixMilli(), now.Add(lease).UnixMilli(), max, lane).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: claim %s: %w", lane, err)
	}
	out, err := itemsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: claim %s: %w", lane, err)
	}
	// The script takes what is most overdue first; hand the items out
	// oldest first, as the SQLite store does.
	slices.SortFunc(out, func(a, b store.Item) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishItem records an attempt's outcome and ends the lease
// (lua/qfinish.lua). An empty Err or Via keeps what an earlier attempt
// recorded; sent and delivered stamp DoneAt.
func (s *Store) FinishItem(ctx context.Context, id int64, r store.ItemResult) error {
	nb, done := "", ""
	switch r.State {
	case store.QPending:
		nb = strconv.FormatInt(store.UnixMS(r.NotBefore), 10)
	case store.QSent, store.QDelivered:
		done = strconv.FormatInt(store.UnixMS(r.At), 10)
	case store.QHeld, store.QFailed:
	default:
		return fmt.Errorf("redis: finish item %d: unknown state %q", id, r.State)
	}
	n, err := finishScript.Run(ctx, s.rdb, []string{s.k.item(id)}, s.k.t, id, r.State, nb, r.Err, r.Via, done).Int()
	if err != nil {
		return fmt.Errorf("redis: finish item %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: finish item %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// RetryItem makes a failed item pending again, due at now (lua/qretry.lua).
func (s *Store) RetryItem(ctx context.Context, id int64, now time.Time) error {
	n, err := retryScript.Run(ctx, s.rdb, []string{s.k.item(id)}, s.k.t, id, now.UnixMilli()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redis: retry item %d: %w", id, err)
	case n == 0:
		return fmt.Errorf("redis: retry item %d: %w", id, store.ErrNotFound)
	case n < 0:
		return fmt.Errorf("redis: retry item %d: not failed: %w", id, store.ErrConflict)
	}
	return nil
}

// Items intersects the index sets the filter names and reads the items in
// id order, in one script (lua/qlist.lua). It walks the smallest set
// named, so a citizen's or a case's items cost what they have.
func (s *Store) Items(ctx context.Context, f store.QueueFilter) ([]store.Item, error) {
	idx := []string{s.k.queueIndex("", "")}
	for _, c := range []struct{ field, v string }{{"l", f.Lane}, {"k", f.Key}, {"c", f.CaseID}, {"b", f.Body}, {"s", f.State}} {
		if c.v != "" {
			idx = append(idx, s.k.queueIndex(c.field, c.v))
		}
	}
	newest := "0"
	if f.Newest {
		newest = "1"
	}
	res, err := listScript.Run(ctx, s.rdb, idx, s.k.t, max(f.Limit, 0), newest).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: items: %w", err)
	}
	out, err := itemsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: items: %w", err)
	}
	return out, nil
}
