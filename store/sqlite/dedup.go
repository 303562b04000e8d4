package sqlite

import (
	"context"
	"fmt"
	"time"

	"jiefen/store"
)

// DedupReply returns the reply kept with a key unexpired at now.
func (s *Store) DedupReply(ctx context.Context, key string, now time.Time) (string, error) {
	var reply string
	err := s.r.QueryRowContext(ctx, `
		SELECT reply FROM dedup WHERE key = ? AND (expires_at = 0 OR expires_at > ?)`,
		key, now.UnixMilli()).Scan(&reply)
	if err != nil {
		return "", notFound(err, "dedup key")
	}
	return reply, nil
}

// Purge deletes the dedup keys whose time ran out at or before now, and,
// because SQLite has no expiry of its own, what the Redis store lets the
// server expire: console sessions that ended at or before now, and failed
// logins whose window has passed, and callback nonces past theirs. Readers already ignore all of these;
// Purge only keeps the tables from growing.
func (s *Store) Purge(ctx context.Context, now time.Time) error {
	for _, q := range []string{
		`DELETE FROM dedup WHERE expires_at <> 0 AND expires_at <= ?`,
		`DELETE FROM sessions WHERE expires_at <= ?`,
		`DELETE FROM login_failures WHERE until <= ?`,
		`DELETE FROM nonces WHERE expires_at <= ?`,
	} {
		if _, err := s.w.ExecContext(ctx, q, now.UnixMilli()); err != nil {
			return fmt.Errorf("sqlite: purge: %w", err)
		}
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM dialogs WHERE updated_at <> 0 AND updated_at <= ?`, now.Add(-store.StaleDialog).UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: purge: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		// Cached conversations may hold the deleted dialogs: start the
		// cache afresh (a turn that read one meanwhile finds its version
		// gone at commit, and runs again on a fresh read).
		s.conv.reset()
	}
	return nil
}
