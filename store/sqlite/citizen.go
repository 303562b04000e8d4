package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Citizen returns what is known of a citizen.
func (s *Store) Citizen(ctx context.Context, openID string) (dispute.Citizen, error) {
	var consent, inbound, until int64
	c := dispute.Citizen{OpenID: openID}
	err := s.r.QueryRowContext(ctx, `
		SELECT consent_at, consent_version, last_inbound_at, window_until, quota, sent FROM citizens WHERE openid = ?`,
		openID).Scan(&consent, &c.ConsentVersion, &inbound, &until, &c.Quota, &c.Sent)
	if err != nil {
		return dispute.Citizen{}, notFound(err, "citizen")
	}
	c.ConsentAt, c.LastInboundAt, c.WindowUntil = store.FromUnixMS(consent), store.FromUnixMS(inbound), store.FromUnixMS(until)
	return c, nil
}

func upsertCitizen(ctx context.Context, tx *tx, c dispute.Citizen) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO citizens (openid, consent_at, consent_version, last_inbound_at, window_until, quota, sent)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (openid) DO UPDATE SET
			consent_at = excluded.consent_at, consent_version = excluded.consent_version, last_inbound_at = excluded.last_inbound_at,
			window_until = excluded.window_until, quota = excluded.quota, sent = excluded.sent`,
		c.OpenID, store.UnixMS(c.ConsentAt), c.ConsentVersion, store.UnixMS(c.LastInboundAt), store.UnixMS(c.WindowUntil), c.Quota, c.Sent)
	if err != nil {
		return fmt.Errorf("sqlite: citizen: %w", err)
	}
	return nil
}

// ReserveSend is one conditional UPDATE: the check and the count happen
// together on the single writer, so concurrent senders cannot overshoot
// the quota. A citizen never seen has no window, hence no room.
func (s *Store) ReserveSend(ctx context.Context, openID string, now time.Time) (bool, error) {
	// After the write: a cached conversation must not outlive it.
	defer s.conv.drop(openID)
	res, err := s.w.ExecContext(ctx, `
		UPDATE citizens SET sent = sent + 1 WHERE openid = ? AND window_until > ? AND sent < quota`,
		openID, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("sqlite: reserve send: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: reserve send: %w", err)
	}
	return n == 1, nil
}

// CloseWindow ends the window at now (never later than it already ends),
// which leaves no room whatever Sent says. An unknown citizen has no window
// to close.
func (s *Store) CloseWindow(ctx context.Context, openID string, now time.Time) error {
	defer s.conv.drop(openID)
	_, err := s.w.ExecContext(ctx, `UPDATE citizens SET window_until = ?1 WHERE openid = ?2 AND window_until > ?1`,
		now.UnixMilli(), openID)
	if err != nil {
		return fmt.Errorf("sqlite: close window: %w", err)
	}
	return nil
}

// Conversation reads the citizen and the dialog in one query: a callback
// needs both, and each query is a round through database/sql and the driver.
func (s *Store) Conversation(ctx context.Context, openID string) (dispute.Citizen, store.Dialog, error) {
	if e, ok := s.conv.get(openID); ok && ctx.Err() == nil {
		return e.c, e.d, nil
	}
	var consent, inbound, until, updated int64
	var draft string
	c := dispute.Citizen{OpenID: openID}
	d := store.Dialog{}
	err := s.r.QueryRowContext(ctx, `
		SELECT coalesce(c.consent_at, 0), coalesce(c.consent_version, ''), coalesce(c.last_inbound_at, 0), coalesce(c.window_until, 0),
			coalesce(c.quota, 0), coalesce(c.sent, 0),
			coalesce(d.version, 0), coalesce(d.step, ''), coalesce(d.draft, ''), coalesce(d.updated_at, 0)
		FROM (SELECT ?1 AS openid) AS k
		LEFT JOIN citizens AS c ON c.openid = k.openid
		LEFT JOIN dialogs AS d ON d.openid = k.openid`,
		openID).Scan(&consent, &c.ConsentVersion, &inbound, &until, &c.Quota, &c.Sent, &d.Version, &d.Step, &draft, &updated)
	if err != nil {
		return dispute.Citizen{}, store.Dialog{}, fmt.Errorf("sqlite: conversation: %w", err)
	}
	c.ConsentAt, c.LastInboundAt, c.WindowUntil = store.FromUnixMS(consent), store.FromUnixMS(inbound), store.FromUnixMS(until)
	if d.Version == 0 {
		return c, store.Dialog{}, nil
	}
	if err := json.Unmarshal([]byte(draft), &d.Draft); err != nil {
		return dispute.Citizen{}, store.Dialog{}, fmt.Errorf("sqlite: dialog draft: %w", err)
	}
	d.OpenID, d.UpdatedAt = openID, store.FromUnixMS(updated)
	return c, d, nil
}

// saveDialog is optimistic locking: the row is written only if its version
// is still the one the caller read (0: no row yet), and the write bumps it.
func saveDialog(ctx context.Context, tx *tx, d store.Dialog) error {
	draft, err := json.Marshal(d.Draft)
	if err != nil {
		return fmt.Errorf("sqlite: dialog draft: %w", err)
	}
	var res sql.Result
	if d.Version == 0 {
		res, err = tx.ExecContext(ctx, `
			INSERT INTO dialogs (openid, version, step, draft, updated_at) VALUES (?, 1, ?, ?, ?)
			ON CONFLICT (openid) DO NOTHING`,
			d.OpenID, d.Step, string(draft), store.UnixMS(d.UpdatedAt))
	} else {
		res, err = tx.ExecContext(ctx, `
			UPDATE dialogs SET version = version + 1, step = ?, draft = ?, updated_at = ?
			WHERE openid = ? AND version = ?`,
			d.Step, string(draft), store.UnixMS(d.UpdatedAt), d.OpenID, d.Version)
	}
	if err != nil {
		return fmt.Errorf("sqlite: dialog: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: dialog: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: dialog of version %d: %w", d.Version, store.ErrConflict)
	}
	return nil
}
