package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// DedupReply is a GET of the key and of its expiry, pipelined: one round
// trip. A key whose expiry (on the committing caller's clock) is at or
// before now is expired, as in the SQLite store, even if the server, on
// its own clock, has not dropped it yet.
func (s *Store) DedupReply(ctx context.Context, key string, now time.Time) (string, error) {
	var get *redis.StringCmd
	var exp *redis.FloatCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, s.k.dedup(key))
		exp = p.ZScore(ctx, s.k.dedupExpiry(), key)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("redis: dedup key: %w", err)
	}
	r, err := get.Result()
	if err != nil {
		return "", wrap(err, "dedup key")
	}
	if e, err := exp.Result(); err == nil && int64(e) <= now.UnixMilli() {
		return "", fmt.Errorf("redis: dedup key: %w", store.ErrNotFound)
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
// are kept in T+"ddx", counted from the committing Change's At, the
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
