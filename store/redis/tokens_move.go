package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// moveTokens moves the API tokens of before the tokens hash (one key
// P+"tok:"+hash each, holding user and at) into it, giving each the life
// a new token gets (store.TokenLife from its creation). Once done it sets
// P+"tokmoved", so later starts cost one EXISTS. Instances starting
// together may both move a token: each writes the same record, then
// deletes the old key, so that is harmless.
func (s *Store) moveTokens(ctx context.Context) error {
	n, err := s.rdb.Exists(ctx, s.k.tokensMoved()).Result()
	if err != nil {
		return fmt.Errorf("redis: move tokens: %w", err)
	}
	if n > 0 {
		return nil
	}
	var (
		mu   sync.Mutex
		keys []string
	)
	collect := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, s.k.oldToken("*"), 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	// The old keys are spread over a cluster's shards: scan each master.
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, collect)
	case *redis.Client:
		err = collect(ctx, c)
	default:
		err = fmt.Errorf("unexpected client %T", s.rdb)
	}
	if err != nil {
		return fmt.Errorf("redis: move tokens: %w", err)
	}
	for _, key := range keys {
		m, err := s.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return fmt.Errorf("redis: move tokens: %w", err)
		}
		if len(m) > 0 {
			r := &record{m: m}
			created := r.int("at")
			rec := tokenRecord{User: r.str("user"), CreatedAt: created}
			if created > 0 {
				rec.Expires = created + store.TokenLife.Milliseconds()
			}
			if r.err != nil {
				return fmt.Errorf("redis: move tokens: %w", r.err)
			}
			b, _ := json.Marshal(rec)
			// HSETNX: a token the new code wrote meanwhile under the same
			// hash is newer than the old key.
			if err := s.rdb.HSetNX(ctx, s.k.tokens(), strings.TrimPrefix(key, s.k.oldToken("")), b).Err(); err != nil {
				return fmt.Errorf("redis: move tokens: %w", err)
			}
		}
		if err := s.rdb.Del(ctx, key).Err(); err != nil {
			return fmt.Errorf("redis: move tokens: %w", err)
		}
	}
	if err := s.rdb.Set(ctx, s.k.tokensMoved(), "1", 0).Err(); err != nil {
		return fmt.Errorf("redis: move tokens: %w", err)
	}
	return nil
}
