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

// The outbound queue.
//
// Design: each item is a hash (T+"ob:"+id) holding its state; ids come from
// one counter, so they follow the order items were queued. Per citizen, a
// list holds the open (pending or held) ids: first the one already tried
// and still open, if any (in flight, held, or waiting out a retry), then
// the untried ones, oldest first (lua/due.lua). A tried head is the only
// item of its citizen that can be sent, which keeps a citizen's messages
// in order and lets a held head block what follows; otherwise the first
// untried item that is due is, so an item queued for later (a video
// reminder) does not hold back what was queued after it. A sorted set
// holds, for each citizen with an item that may be claimed, when: the
// later of a tried head's NotBefore and its lease end, or the earliest
// NotBefore of the untried items. ClaimOutbound is one script: take the
// citizens due at now (most overdue first), bump each one's candidate's
// Attempts, move it to the head and the citizen's score to the lease end.
// Every change to an item, its list and the set happens in the same
// script, in one slot, so they cannot drift apart.
//
// A dead instance's items come back by themselves: its claims are scores
// at their lease ends, and once now passes a lease end the citizen is due
// again and any instance claims the same item (Attempts + 1). Nothing has
// to notice the death. As with any lease, an instance that sent and then
// died before FinishOutbound makes the item go out twice; one that died
// before sending loses nothing.
//
// Why not Streams with consumer groups: XAUTOCLAIM gives the same recovery,
// but a stream delivers entries in arrival order to whoever reads next. It
// has no NotBefore (retries at a later time), no "one per citizen, in the
// citizen's order", no held items that stop a citizen's queue until
// released, and no per-item state to list in Outbounds. Each would need the
// structures above beside the stream, and two sources of truth to keep in
// step; the lease score is the whole mechanism.

// itemOf decodes an outbound item from a script's {id, field, value, …}.
func itemOf(v any) (store.Outbound, error) {
	id, r, err := idRecord(v, "item")
	if err != nil {
		return store.Outbound{}, err
	}
	o := store.Outbound{ID: id, OpenID: r.str("openid"), CaseID: r.str("case"), Kind: r.str("kind"),
		Text: r.str("text"), MediaID: r.str("media"), State: r.str("state"), Attempts: int(r.int("att")),
		NotBefore: r.time("nb"), LastError: r.str("err"), Via: r.str("via"), CreatedAt: r.time("at")}
	if r.err != nil {
		return store.Outbound{}, fmt.Errorf("item %d: %w", id, r.err)
	}
	return o, nil
}

func itemsOf(res []any) ([]store.Outbound, error) { return decodeAll(res, itemOf) }

// ClaimOutbound leases up to max due items, at most one per citizen
// (lua/claim.lua): one script, so one round trip, and atomic.
func (s *Store) ClaimOutbound(ctx context.Context, now time.Time, lease time.Duration, max int) ([]store.Outbound, error) {
	if max <= 0 {
		return nil, nil
	}
	res, err := claimScript.Run(ctx, s.rdb, []string{s.k.outboundDue()},
		s.k.t, now.UnixMilli(), now.Add(lease).UnixMilli(), max).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: claim outbound: %w", err)
	}
	out, err := itemsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: claim outbound: %w", err)
	}
	// The script takes citizens most overdue first; hand the items out
	// oldest first, as the SQLite store does.
	slices.SortFunc(out, func(a, b store.Outbound) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishOutbound records an attempt's outcome and ends the lease
// (lua/finish.lua). An empty Err or Via keeps what an earlier attempt
// recorded.
func (s *Store) FinishOutbound(ctx context.Context, id int64, r store.OutboundResult) error {
	notBefore := ""
	switch r.State {
	case store.OutPending:
		notBefore = strconv.FormatInt(store.UnixMS(r.NotBefore), 10)
	case store.OutSent, store.OutHeld, store.OutFailed:
	default:
		return fmt.Errorf("redis: finish outbound %d: unknown state %q", id, r.State)
	}
	n, err := finishScript.Run(ctx, s.rdb, []string{s.k.outbound(id)},
		s.k.t, id, r.State, notBefore, r.Err, r.Via).Int()
	if err != nil {
		return fmt.Errorf("redis: finish outbound %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: finish outbound %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// Outbounds lists a citizen's items ("" for everyone's), oldest first, in
// one script (lua/outbounds.lua): one round trip.
func (s *Store) Outbounds(ctx context.Context, openID string) ([]store.Outbound, error) {
	res, err := outboundsScript.Run(ctx, s.rdb, []string{s.k.outboundList(openID)}, s.k.t).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: outbounds: %w", err)
	}
	out, err := itemsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: outbounds: %w", err)
	}
	return out, nil
}
