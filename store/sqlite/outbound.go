package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"jiefen/store"
)

const outboundColumns = `id, openid, case_id, kind, text, media_id, state, attempts, not_before, last_error, via, created_at`

func scanOutbound(row scanner) (store.Outbound, error) {
	var o store.Outbound
	var notBefore, created int64
	err := row.Scan(&o.ID, &o.OpenID, &o.CaseID, &o.Kind, &o.Text, &o.MediaID, &o.State, &o.Attempts,
		&notBefore, &o.LastError, &o.Via, &created)
	o.NotBefore, o.CreatedAt = store.FromUnixMS(notBefore), store.FromUnixMS(created)
	return o, err
}

// enqueue adds an item as pending whatever state the caller filled in:
// a new item has not been tried yet. Ids increase, and "oldest" below
// means lowest id, the order the items were queued in.
func enqueue(ctx context.Context, tx *tx, o store.OutboundOp) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbound (openid, case_id, kind, text, media_id, state, attempts, not_before, lease_until, last_error, via, created_at)
		VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, 0, '', '', ?)`,
		o.OpenID, o.CaseID, o.Kind, o.Text, o.MediaID, store.UnixMS(o.NotBefore), store.UnixMS(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: enqueue: %w", err)
	}
	return nil
}

func releaseHeld(ctx context.Context, tx *tx, openID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbound SET state = 'pending' WHERE openid = ? AND state = 'held'`, openID)
	if err != nil {
		return fmt.Errorf("sqlite: release held: %w", err)
	}
	return nil
}

// ClaimOutbound is one UPDATE … RETURNING: choosing the items and leasing
// them is a single statement, hence a single write transaction, so two
// workers (or instances sharing the file) cannot take the same item, nor
// two items of one citizen.
//
// Each citizen has at most one candidate:
//   - an open item that has been tried (Attempts > 0, or held), if any:
//     in flight, held until the citizen writes, or waiting out a retry's
//     backoff. It holds back all the citizen's other items, so only one is
//     ever in flight and what was due first goes out first. A retry is not
//     due during its backoff, yet it still blocks: it was due, and tried,
//     before the items behind it, and letting them overtake it over a
//     passing fault would scramble the conversation (a rating request
//     before the result it asks about). Backoff is capped (bot/messenger.go),
//     and a fault that lasts is usually the account's, blocking all sends
//     anyway.
//   - otherwise the oldest (lowest id) untried item that is due. An item
//     queued for later (a video reminder, NotBefore a day ahead) is skipped
//     until then instead of holding back the mediator's replies, notices
//     and the rating request queued after it.
//
// The candidate is claimed when it is pending, due and not leased.
func (s *Store) ClaimOutbound(ctx context.Context, now time.Time, lease time.Duration, max int) ([]store.Outbound, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := s.w.QueryContext(ctx, `
		UPDATE outbound SET attempts = attempts + 1, lease_until = ?1
		WHERE id IN (
			SELECT id FROM outbound
			WHERE id IN (
				SELECT coalesce(
					min(CASE WHEN attempts > 0 OR state = 'held' THEN id END),
					min(CASE WHEN not_before <= ?2 THEN id END))
				FROM outbound WHERE state IN ('pending', 'held') GROUP BY openid)
				AND state = 'pending' AND not_before <= ?2 AND lease_until <= ?2
			ORDER BY id LIMIT ?3)
		RETURNING `+outboundColumns,
		now.Add(lease).UnixMilli(), now.UnixMilli(), max)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim outbound: %w", err)
	}
	defer rows.Close()
	var out []store.Outbound
	for rows.Next() {
		o, err := scanOutbound(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: claim outbound: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: claim outbound: %w", err)
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(out, func(a, b store.Outbound) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishOutbound records an attempt's outcome and ends the lease, so a
// retry is due at its NotBefore rather than when the lease would have run
// out. An empty Err or Via keeps what an earlier attempt recorded.
func (s *Store) FinishOutbound(ctx context.Context, id int64, r store.OutboundResult) error {
	var notBefore any // NULL keeps the stored value
	switch r.State {
	case store.OutPending:
		notBefore = store.UnixMS(r.NotBefore)
	case store.OutSent, store.OutHeld, store.OutFailed:
	default:
		return fmt.Errorf("sqlite: finish outbound %d: unknown state %q", id, r.State)
	}
	res, err := s.w.ExecContext(ctx, `
		UPDATE outbound SET state = ?, not_before = coalesce(?, not_before), lease_until = 0,
			last_error = coalesce(nullif(?, ''), last_error), via = coalesce(nullif(?, ''), via)
		WHERE id = ?`,
		r.State, notBefore, r.Err, r.Via, id)
	if err != nil {
		return fmt.Errorf("sqlite: finish outbound %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: finish outbound %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: finish outbound %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// Outbounds lists a citizen's items ("" for everyone's), oldest first.
func (s *Store) Outbounds(ctx context.Context, openID string) ([]store.Outbound, error) {
	q := `SELECT ` + outboundColumns + ` FROM outbound`
	var args []any
	if openID != "" {
		q += ` WHERE openid = ?`
		args = append(args, openID)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbounds: %w", err)
	}
	defer rows.Close()
	var out []store.Outbound
	for rows.Next() {
		o, err := scanOutbound(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: outbounds: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: outbounds: %w", err)
	}
	return out, nil
}
