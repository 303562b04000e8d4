package sqlite

import (
	"context"
	"fmt"
	"time"
)

// DedupReply returns the reply kept with an unexpired key.
func (s *Store) DedupReply(ctx context.Context, key string) (string, error) {
	var reply string
	err := s.r.QueryRowContext(ctx, `
		SELECT reply FROM dedup WHERE key = ? AND (expires_at = 0 OR expires_at > ?)`,
		key, time.Now().UnixMilli()).Scan(&reply)
	if err != nil {
		return "", notFound(err, "dedup key")
	}
	return reply, nil
}

// Purge deletes the keys whose time ran out at or before now.
func (s *Store) Purge(ctx context.Context, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM dedup WHERE expires_at <> 0 AND expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: purge: %w", err)
	}
	return nil
}
