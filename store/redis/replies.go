package redisstore

import (
	"context"
	"encoding/json"
	"fmt"

	"jiefen/store"
)

// Quick replies (store.QuickReplies) live in one hash outside the
// transaction slot, like the webhook settings: each is written alone.

type repliesRecord struct {
	Replies   []string `json:"r"`
	UpdatedBy string   `json:"by"`
	UpdatedAt int64    `json:"at"`
}

// PutBodyReplies is one HSET of the whole record.
func (s *Store) PutBodyReplies(ctx context.Context, r store.BodyReplies) error {
	b, err := json.Marshal(repliesRecord{Replies: r.Replies, UpdatedBy: r.UpdatedBy, UpdatedAt: store.UnixMS(r.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("redis: quick replies of %s: %w", r.Body, err)
	}
	if err := s.rdb.HSet(ctx, s.k.replies(), r.Body, b).Err(); err != nil {
		return fmt.Errorf("redis: quick replies of %s: %w", r.Body, err)
	}
	return nil
}

// BodyReplies is one HGET.
func (s *Store) BodyReplies(ctx context.Context, body string) (store.BodyReplies, error) {
	v, err := s.rdb.HGet(ctx, s.k.replies(), body).Result()
	if err != nil {
		return store.BodyReplies{}, wrap(err, "quick replies of "+body)
	}
	var rec repliesRecord
	if err := json.Unmarshal([]byte(v), &rec); err != nil {
		return store.BodyReplies{}, fmt.Errorf("redis: quick replies of %s: malformed record", body)
	}
	return store.BodyReplies{Body: body, Replies: rec.Replies, UpdatedBy: rec.UpdatedBy, UpdatedAt: store.FromUnixMS(rec.UpdatedAt)}, nil
}
