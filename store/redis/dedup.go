package redisstore

import (
	"context"
	"fmt"
	"time"

	"jiefen/store"
)

// DedupReply is one GET. Redis expires the key itself (PX), so an expired
// key is simply gone.
func (s *Store) DedupReply(ctx context.Context, key string) (string, error) {
	r, err := s.rdb.Get(ctx, s.k.dedup(key)).Result()
	if err != nil {
		return "", wrap(err, "dedup key")
	}
	return r, nil
}

// purgeBatch bounds the work of one Purge script, so a long backlog does
// not hold the server for long.
const purgeBatch = 1000

// Purge deletes the keys whose time ran out at or before now, and the
// dialogs last saved store.StaleDialog or longer before now. Redis has
// expired most of them already; what Purge adds is the contract's "at or
// before now" for a now that is not the server's (the dedup keys' expiries
// are kept in T+"ddx", on the clock of the process that took them, the
// dialogs' save times in T+"dlgx", on the caller's), and the trimming of
// those indexes, which would otherwise keep one entry per expired key.
func (s *Store) Purge(ctx context.Context, now time.Time) error {
	stale := now.Add(-store.StaleDialog).UnixMilli()
	for {
		n, err := purgeScript.Run(ctx, s.rdb, []string{s.k.dedupExpiry()}, s.k.t, now.UnixMilli(), purgeBatch, stale).Int()
		if err != nil {
			return fmt.Errorf("redis: purge: %w", err)
		}
		if n < purgeBatch {
			return nil
		}
	}
}
