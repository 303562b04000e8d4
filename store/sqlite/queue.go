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

// The queue (store.Queue): one table, queue, for every item that leaves the
// process, whatever its kind or lane. The outbound queue and the webhook
// outbox are views of it (store.QueueViews).

const itemColumns = `id, kind, lane, okey, case_id, openid, text, media_id, delivery, body, url, payload,
	state, attempts, not_before, last_error, via, created_at, done_at`

func scanItem(row scanner) (store.Item, error) {
	var it store.Item
	var notBefore, created, done int64
	err := row.Scan(&it.ID, &it.Kind, &it.Lane, &it.Key, &it.CaseID, &it.OpenID, &it.Text, &it.MediaID,
		&it.Delivery, &it.Body, &it.URL, &it.Payload, &it.State, &it.Attempts, &notBefore, &it.LastError, &it.Via,
		&created, &done)
	it.NotBefore, it.CreatedAt, it.DoneAt = store.FromUnixMS(notBefore), store.FromUnixMS(created), store.FromUnixMS(done)
	return it, err
}

func collectItems(rows *sql.Rows) ([]store.Item, error) {
	defer rows.Close()
	var out []store.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// enqueue adds an item as pending and untried, whatever state the caller
// filled in, in its kind's lane. Ids increase (AUTOINCREMENT: never
// reused, since the console's retry button and template messages' client
// ids name an item by id), and "oldest" below means lowest id, the order
// the items were queued in. The partial unique index on delivery refuses,
// with the whole Change, a delivery id used before.
func enqueue(ctx context.Context, tx *tx, o store.EnqueueOp) error {
	if store.Item(o).NeedsCase() {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?`, o.CaseID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: %s of case %s: %w", o.Kind, o.CaseID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: %s of case %s: %w", o.Kind, o.CaseID, err)
		}
	}
	payload := o.Payload
	if payload == nil {
		payload = []byte{} // NOT NULL: an empty body is still a body
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO queue (kind, lane, okey, case_id, openid, text, media_id, delivery, body, url, payload,
			state, attempts, not_before, lease_until, last_error, via, created_at, done_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, '', '', ?, 0)`,
		o.Kind, store.LaneOf(o.Kind), o.Key, o.CaseID, o.OpenID, o.Text, o.MediaID, o.Delivery, o.Body, o.URL, payload,
		store.UnixMS(o.NotBefore), store.UnixMS(o.CreatedAt))
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return fmt.Errorf("sqlite: %s of case %s: delivery id %s is taken", o.Kind, o.CaseID, o.Delivery)
	}
	if err != nil {
		return fmt.Errorf("sqlite: enqueue %s: %w", o.Kind, err)
	}
	return nil
}

// releaseHeld makes a citizen's held items pending again.
func releaseHeld(ctx context.Context, tx *tx, openID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE queue SET state = 'pending' WHERE okey = ? AND okey <> '' AND state = 'held'`,
		store.MessageKey(openID))
	if err != nil {
		return fmt.Errorf("sqlite: release held: %w", err)
	}
	return nil
}

// ClaimItems is one UPDATE … RETURNING: choosing the items and leasing
// them is a single statement, hence a single write transaction, so two
// workers (or instances sharing the file) cannot take the same item, nor
// two items of one key.
//
// An item without a key is a candidate on its own. Each key has at most
// one candidate:
//   - an open item that has been tried (Attempts > 0, or held), if any:
//     in flight, held until the citizen writes, or waiting out a retry's
//     backoff. It holds back all the key's other items, so only one is
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
// A candidate of the lane is claimed when it is pending, due and not
// leased; the most overdue go first, so a backlog drains in the order it
// built up. The per-key choice does not look at lanes: a key's items are
// all of one lane (store.Item), and the partial index queue_keyed serves
// it as it stands.
func (s *Store) ClaimItems(ctx context.Context, lane string, now time.Time, lease time.Duration, max int) ([]store.Item, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := s.w.QueryContext(ctx, `
		UPDATE queue SET attempts = attempts + 1, lease_until = ?1
		WHERE id IN (
			SELECT id FROM queue
			WHERE lane = ?4 AND state = 'pending' AND not_before <= ?2 AND lease_until <= ?2
				AND (okey = '' OR id IN (
					SELECT coalesce(
						min(CASE WHEN attempts > 0 OR state = 'held' THEN id END),
						min(CASE WHEN not_before <= ?2 THEN id END))
					FROM queue WHERE state IN ('pending', 'held') AND okey <> '' GROUP BY okey))
			ORDER BY max(not_before, lease_until), id LIMIT ?3)
		RETURNING `+itemColumns,
		now.Add(lease).UnixMilli(), now.UnixMilli(), max, lane)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim %s: %w", lane, err)
	}
	out, err := collectItems(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim %s: %w", lane, err)
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(out, func(a, b store.Item) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FinishItem records an attempt's outcome and ends the lease, so a retry
// is due at its NotBefore rather than when the lease would have run out.
// An empty Err or Via keeps what an earlier attempt recorded; sent and
// delivered stamp DoneAt.
func (s *Store) FinishItem(ctx context.Context, id int64, r store.ItemResult) error {
	var notBefore, done any // NULL keeps the stored value
	switch r.State {
	case store.QPending:
		notBefore = store.UnixMS(r.NotBefore)
	case store.QSent, store.QDelivered:
		done = store.UnixMS(r.At)
	case store.QHeld, store.QFailed:
	default:
		return fmt.Errorf("sqlite: finish item %d: unknown state %q", id, r.State)
	}
	res, err := s.w.ExecContext(ctx, `
		UPDATE queue SET state = ?, not_before = coalesce(?, not_before), lease_until = 0,
			last_error = coalesce(nullif(?, ''), last_error), via = coalesce(nullif(?, ''), via),
			done_at = coalesce(?, done_at)
		WHERE id = ?`,
		r.State, notBefore, r.Err, r.Via, done, id)
	return oneItem(res, err, "finish", id)
}

// RetryItem makes a failed item pending again, due at now, with a fresh
// count of attempts. Only a failed one: a sent item must not go out twice
// by a click.
func (s *Store) RetryItem(ctx context.Context, id int64, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `
		UPDATE queue SET state = 'pending', attempts = 0, not_before = ?, lease_until = 0
		WHERE id = ? AND state = 'failed'`,
		now.UnixMilli(), id)
	if err := oneItem(res, err, "retry", id); !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// Nothing changed: tell an unknown id from one that is not failed.
	var one int
	err = s.r.QueryRowContext(ctx, `SELECT 1 FROM queue WHERE id = ?`, id).Scan(&one)
	if err != nil {
		return notFound(err, fmt.Sprintf("retry item %d", id))
	}
	return fmt.Errorf("sqlite: retry item %d: not failed: %w", id, store.ErrConflict)
}

// oneItem checks that an UPDATE of one item found it.
func oneItem(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("sqlite: %s item %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %s item %d: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: %s item %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// Items returns the matching items by id.
func (s *Store) Items(ctx context.Context, f store.QueueFilter) ([]store.Item, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{
		{"lane", f.Lane}, {"okey", f.Key}, {"case_id", f.CaseID}, {"body", f.Body}, {"state", f.State},
	} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + itemColumns + ` FROM queue`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Newest {
		q += ` ORDER BY id DESC`
	} else {
		q += ` ORDER BY id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
	}
	out, err := collectItems(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
	}
	return out, nil
}
