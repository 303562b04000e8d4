package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// Presence (store.Presence) is one sorted set per case, outside the
// transaction slot (it is written alone): viewer → until (ms, the
// caller's clock). Entries of a page whose instance died are never
// removed by it; they stop counting when their time passes, the next
// Present of the case drops them, and the key expires with its last
// entry. A change in who is there is published on the notices channel
// like a Commit's, so every instance's console hears it.

// Present adds or refreshes viewer and drops what expired at now; it
// publishes when someone came or went.
func (s *Store) Present(ctx context.Context, caseID, viewer string, until, now time.Time) error {
	k := s.k.presence(caseID)
	var added, pruned *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		added = p.ZAdd(ctx, k, redis.Z{Score: float64(until.UnixMilli()), Member: viewer})
		pruned = p.ZRemRangeByScore(ctx, k, "-inf", strconv.FormatInt(now.UnixMilli(), 10))
		p.PExpire(ctx, k, max(until.Sub(now), time.Millisecond))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: presence: %w", err)
	}
	if added.Val()+pruned.Val() > 0 {
		return s.announcePresence(ctx, caseID)
	}
	return nil
}

// Absent removes viewer's entry, publishing when there was one.
func (s *Store) Absent(ctx context.Context, caseID, viewer string) error {
	n, err := s.rdb.ZRem(ctx, s.k.presence(caseID), viewer).Result()
	if err != nil {
		return fmt.Errorf("redis: presence: %w", err)
	}
	if n > 0 {
		return s.announcePresence(ctx, caseID)
	}
	return nil
}

// Viewers lists the entries whose time is after now.
func (s *Store) Viewers(ctx context.Context, caseID string, now time.Time) ([]string, error) {
	vs, err := s.rdb.ZRangeByScore(ctx, s.k.presence(caseID), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(now.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: presence: %w", err)
	}
	slices.Sort(vs)
	return vs, nil
}

func (s *Store) announcePresence(ctx context.Context, caseID string) error {
	b, _ := json.Marshal(store.Notice{CaseID: caseID, Presence: true})
	if err := s.rdb.Publish(ctx, s.k.notices(), b).Err(); err != nil {
		return fmt.Errorf("redis: presence: %w", err)
	}
	return nil
}
