package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
)

// The due-time index (store.Change.Due): each case's hash holds its due
// time in the field due ('0': nothing due; absent: never set), and the
// zset T+"due" holds the cases with a time, scored by it, which commit.lua
// keeps in step with the field.

// DueCases is one ZRANGEBYSCORE of the index.
func (s *Store) DueCases(ctx context.Context, until time.Time, limit int) ([]store.DueCase, error) {
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.k.due(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(until.UnixMilli(), 10), Count: int64(max(limit, 0)),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: due cases: %w", err)
	}
	out := make([]store.DueCase, 0, len(zs))
	for _, z := range zs {
		id, ok := z.Member.(string)
		if !ok {
			return nil, fmt.Errorf("redis: due cases: member of type %T", z.Member)
		}
		out = append(out, store.DueCase{CaseID: id, At: store.FromUnixMS(int64(z.Score))})
	}
	return out, nil
}

// CasesWithoutDue is one script (lua/undue.lua) over the open cases'
// status indexes.
func (s *Store) CasesWithoutDue(ctx context.Context, limit int) ([]store.DueCase, error) {
	args := []any{s.k.t, max(limit, 0)}
	for _, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating} {
		args = append(args, string(st))
	}
	res, err := undueScript.Run(ctx, s.rdb, []string{s.k.due()}, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: cases without due time: %w", err)
	}
	out := make([]store.DueCase, 0, len(res))
	for _, v := range res {
		pair, _ := v.([]any)
		var id, due string
		if len(pair) == 2 {
			id, _ = pair[0].(string)
			due, _ = pair[1].(string)
		}
		at, err := strconv.ParseInt(due, 10, 64)
		if id == "" || err != nil {
			return nil, fmt.Errorf("redis: cases without due time: bad entry %v", v)
		}
		out = append(out, store.DueCase{CaseID: id, At: store.FromUnixMS(at)})
	}
	return out, nil
}
