package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiefen/store"
)

// The webhook outbox: referrals to agencies (store.Referrals).

const referralColumns = `id, delivery, case_id, body, url, payload, state, attempts, not_before, last_error, created_at, delivered_at`

func scanReferral(row scanner) (store.Referral, error) {
	var r store.Referral
	var notBefore, created, delivered int64
	err := row.Scan(&r.ID, &r.Delivery, &r.CaseID, &r.Body, &r.URL, &r.Payload, &r.State, &r.Attempts,
		&notBefore, &r.LastError, &created, &delivered)
	r.NotBefore, r.CreatedAt, r.DeliveredAt = store.FromUnixMS(notBefore), store.FromUnixMS(created), store.FromUnixMS(delivered)
	return r, err
}

// enqueueReferral adds a referral as pending, whatever the caller filled
// in: it has not been tried yet. The unique delivery column and the
// foreign key on the case refuse, with the whole Change, a delivery id
// used before and a case that does not exist (a missing one the op's
// Validate refused already).
func enqueueReferral(ctx context.Context, tx *tx, r store.ReferralOp) error {
	payload := r.Payload
	if payload == nil {
		payload = []byte{} // NOT NULL: an empty body is still a body
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO referrals (delivery, case_id, body, url, payload, state, attempts, not_before, lease_until, last_error, created_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, 0, '', ?, 0)`,
		r.Delivery, r.CaseID, r.Body, r.URL, payload, store.UnixMS(r.NotBefore), store.UnixMS(r.CreatedAt))
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlite: referral of case %s: %w", r.CaseID, store.ErrNotFound)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("sqlite: referral of case %s: delivery id %s is taken", r.CaseID, r.Delivery)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: referral of case %s: %w", r.CaseID, err)
	}
	return nil
}

// ClaimReferrals is one UPDATE … RETURNING, so choosing and leasing are
// one transaction and two workers never take the same referral. The most
// overdue go first, so a backlog drains in the order it built up.
func (s *Store) ClaimReferrals(ctx context.Context, now time.Time, lease time.Duration, max int) ([]store.Referral, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := s.w.QueryContext(ctx, `
		UPDATE referrals SET attempts = attempts + 1, lease_until = ?1
		WHERE id IN (
			SELECT id FROM referrals
			WHERE state = 'pending' AND not_before <= ?2 AND lease_until <= ?2
			ORDER BY max(not_before, lease_until), id LIMIT ?3)
		RETURNING `+referralColumns,
		now.Add(lease).UnixMilli(), now.UnixMilli(), max)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim referrals: %w", err)
	}
	out, err := collectReferrals(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim referrals: %w", err)
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(out, func(a, b store.Referral) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func collectReferrals(rows *sql.Rows) ([]store.Referral, error) {
	defer rows.Close()
	var out []store.Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FinishReferral records an attempt's outcome and ends the lease, so a
// retry is due at its NotBefore rather than when the lease would end.
func (s *Store) FinishReferral(ctx context.Context, id int64, state string, notBefore time.Time, lastErr string, now time.Time) error {
	var nb, delivered any // NULL keeps the stored value
	switch state {
	case store.RefPending:
		nb = store.UnixMS(notBefore)
	case store.RefDelivered:
		delivered = store.UnixMS(now)
	case store.RefFailed:
	default:
		return fmt.Errorf("sqlite: finish referral %d: unknown state %q", id, state)
	}
	res, err := s.w.ExecContext(ctx, `
		UPDATE referrals SET state = ?, not_before = coalesce(?, not_before), lease_until = 0,
			last_error = coalesce(nullif(?, ''), last_error), delivered_at = coalesce(?, delivered_at)
		WHERE id = ?`,
		state, nb, lastErr, delivered, id)
	return oneReferral(res, err, "finish", id)
}

// RetryReferral makes a failed referral pending again, due at now, with a
// fresh count of attempts. Only a failed one: a delivered referral must
// not reach its agency twice by a click.
func (s *Store) RetryReferral(ctx context.Context, id int64, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `
		UPDATE referrals SET state = 'pending', attempts = 0, not_before = ?, lease_until = 0
		WHERE id = ? AND state = 'failed'`,
		now.UnixMilli(), id)
	if err := oneReferral(res, err, "retry", id); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// Nothing changed: tell an unknown id from one that is not failed.
	var one int
	err = s.r.QueryRowContext(ctx, `SELECT 1 FROM referrals WHERE id = ?`, id).Scan(&one)
	if err != nil {
		return notFound(err, fmt.Sprintf("retry referral %d", id))
	}
	return fmt.Errorf("sqlite: retry referral %d: not failed: %w", id, store.ErrConflict)
}

// oneReferral checks that an UPDATE of one referral found it.
func oneReferral(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("sqlite: %s referral %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %s referral %d: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: %s referral %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// ListReferrals returns the matching referrals, newest first.
func (s *Store) ListReferrals(ctx context.Context, f store.ReferralFilter) ([]store.Referral, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"case_id", f.CaseID}, {"body", f.Body}, {"state", f.State}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + referralColumns + ` FROM referrals`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: referrals: %w", err)
	}
	out, err := collectReferrals(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: referrals: %w", err)
	}
	return out, nil
}
