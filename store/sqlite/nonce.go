package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"jiefen/store"
)

// schemaNonces adds the signed callback URLs seen (store.Nonces).
func schemaNonces(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE nonces (
			key        TEXT PRIMARY KEY,
			body       TEXT NOT NULL,    -- a digest of the body it came with
			expires_at INTEGER NOT NULL  -- ms, the URL's timestamp plus the window
		) WITHOUT ROWID`,
		`CREATE INDEX nonces_expiry ON nonces (expires_at)`,
	)
}

// TakeNonce takes the key when it is free or expired at n.At, in one
// statement; when it was not free, the body it is held with tells a retry
// from a replay. Nothing but an expiry frees a key, so the read that
// follows sees what refused it.
func (s *Store) TakeNonce(ctx context.Context, n store.Nonce) (bool, error) {
	res, err := s.w.ExecContext(ctx, `
		INSERT INTO nonces (key, body, expires_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (key) DO UPDATE SET body = excluded.body, expires_at = excluded.expires_at
		WHERE nonces.expires_at <= ?4`,
		n.Key, n.Body, store.UnixMS(n.Until), store.UnixMS(n.At))
	if err != nil {
		return false, fmt.Errorf("sqlite: nonce: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("sqlite: nonce: %w", err)
	} else if k == 1 {
		return false, nil
	}
	var body string
	if err := s.w.QueryRowContext(ctx, `SELECT body FROM nonces WHERE key = ?`, n.Key).Scan(&body); err != nil {
		return false, fmt.Errorf("sqlite: nonce: %w", err)
	}
	return body != n.Body, nil
}
