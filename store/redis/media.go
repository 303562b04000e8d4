package redisstore

import (
	"context"
	"fmt"

	"jiefen/store"
)

// PutMedia stores a file, replacing one kept under the same id (a retried
// download must not fail). Every field is written, so nothing of the old
// file survives. The key has its own slot: media are most of the bytes,
// and spread over a cluster's shards.
func (s *Store) PutMedia(ctx context.Context, m store.Media) error {
	if m.CaseID != "" {
		// Indexed first, so Anonymize finds every file of the case: a
		// crash in between leaves an id without a file, which is harmless.
		if err := s.rdb.SAdd(ctx, s.k.caseMedia(m.CaseID), m.MediaID).Err(); err != nil {
			return fmt.Errorf("redis: put media: %w", err)
		}
	}
	err := s.rdb.HSet(ctx, s.k.media(m.MediaID),
		"openid", m.OpenID, "case", m.CaseID, "type", m.ContentType, "data", m.Data, "at", store.UnixMS(m.At)).Err()
	if err != nil {
		return fmt.Errorf("redis: put media: %w", err)
	}
	return nil
}

// Media is one HGETALL.
func (s *Store) Media(ctx context.Context, mediaID string) (store.Media, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.media(mediaID)).Result()
	if err != nil {
		return store.Media{}, wrap(err, "media")
	}
	if len(m) == 0 {
		return store.Media{}, fmt.Errorf("redis: media: %w", store.ErrNotFound)
	}
	r := &record{m: m}
	out := store.Media{MediaID: mediaID, OpenID: r.str("openid"), CaseID: r.str("case"),
		ContentType: r.str("type"), Data: []byte(r.str("data")), At: r.time("at")}
	if r.err != nil {
		return store.Media{}, fmt.Errorf("redis: media: %w", r.err)
	}
	return out, nil
}
