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

// The webhook outbox: referrals to agencies (store.Referrals).
//
// Design: like the outbound queue without its one-per-citizen rule. Each
// referral is a hash (T+"rf:"+id), queued by Commit's script with the
// case it is about; a sorted set (T+"rfq") holds every pending referral at
// the time it may be claimed, the later of its NotBefore and its lease
// end. A claim moves the score to the lease end, so a dead sender's
// referrals come due again by themselves. Index sets by case, body and
// state, scored by id, serve the console's listing newest first. Every
// change to a referral and its sets is one script in the transaction
// slot, so they cannot drift apart.

// referralOf decodes a referral from a script's {id, field, value, …}.
func referralOf(v any) (store.Referral, error) {
	id, r, err := idRecord(v, "referral")
	if err != nil {
		return store.Referral{}, err
	}
	ref := store.Referral{ID: id, Delivery: r.str("dlv"), CaseID: r.str("case"), Body: r.str("body"),
		URL: r.str("url"), Payload: []byte(r.str("payload")), State: r.str("state"), Attempts: int(r.int("att")),
		NotBefore: r.time("nb"), LastError: r.str("err"), CreatedAt: r.time("at"), DeliveredAt: r.time("done")}
	if r.err != nil {
		return store.Referral{}, fmt.Errorf("referral %d: %w", id, r.err)
	}
	return ref, nil
}

func referralsOf(res []any) ([]store.Referral, error) { return decodeAll(res, referralOf) }

// ClaimReferrals leases up to max due referrals, most overdue first
// (lua/rfclaim.lua): one round trip.
func (s *Store) ClaimReferrals(ctx context.Context, now time.Time, lease time.Duration, max int) ([]store.Referral, error) {
	if max <= 0 {
		return nil, nil
	}
	res, err := rfClaimScript.Run(ctx, s.rdb, []string{s.k.referralDue()},
		s.k.t, now.UnixMilli(), now.Add(lease).UnixMilli(), max).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: claim referrals: %w", err)
	}
	out, err := referralsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: claim referrals: %w", err)
	}
	// Hand them out oldest first, as the SQLite store does.
	slices.SortFunc(out, func(a, b store.Referral) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishReferral records an attempt's outcome and ends the lease
// (lua/rffinish.lua).
func (s *Store) FinishReferral(ctx context.Context, id int64, state string, notBefore time.Time, lastErr string, now time.Time) error {
	nb := ""
	switch state {
	case store.RefPending:
		nb = strconv.FormatInt(store.UnixMS(notBefore), 10)
	case store.RefDelivered, store.RefFailed:
	default:
		return fmt.Errorf("redis: finish referral %d: unknown state %q", id, state)
	}
	n, err := rfFinishScript.Run(ctx, s.rdb, []string{s.k.referral(id)},
		s.k.t, id, state, nb, lastErr, store.UnixMS(now)).Int()
	if err != nil {
		return fmt.Errorf("redis: finish referral %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: finish referral %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// RetryReferral makes a failed referral pending again, due at now
// (lua/rfretry.lua).
func (s *Store) RetryReferral(ctx context.Context, id int64, now time.Time) error {
	n, err := rfRetryScript.Run(ctx, s.rdb, []string{s.k.referral(id)}, s.k.t, id, now.UnixMilli()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redis: retry referral %d: %w", id, err)
	case n == 0:
		return fmt.Errorf("redis: retry referral %d: %w", id, store.ErrNotFound)
	case n < 0:
		return fmt.Errorf("redis: retry referral %d: not failed: %w", id, store.ErrConflict)
	}
	return nil
}

// ListReferrals intersects the index sets the filter names and reads the
// referrals newest first, in one script (lua/rflist.lua). It walks the
// smallest set named, so a case's referrals cost what that case has.
func (s *Store) ListReferrals(ctx context.Context, f store.ReferralFilter) ([]store.Referral, error) {
	idx := []string{s.k.referralIndex("", "")}
	for _, c := range []struct{ field, v string }{{"c", f.CaseID}, {"b", f.Body}, {"s", f.State}} {
		if c.v != "" {
			idx = append(idx, s.k.referralIndex(c.field, c.v))
		}
	}
	res, err := rfListScript.Run(ctx, s.rdb, idx, s.k.t, max(f.Limit, 0)).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: referrals: %w", err)
	}
	out, err := referralsOf(res)
	if err != nil {
		return nil, fmt.Errorf("redis: referrals: %w", err)
	}
	return out, nil
}
