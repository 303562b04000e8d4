package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"jiefen/store"
)

// Body webhook settings (store.WebhookSettings) live in one hash outside
// the transaction slot, like the console's users: a setting is only ever
// written alone, so each method is one command. Errors name the body
// only, never the URL or the secret.

// hookRecord is a setting as stored in the hooks hash, under its body id.
type hookRecord struct {
	URL       string `json:"url"`
	Secret    string `json:"secret"`
	UpdatedBy string `json:"by"`
	UpdatedAt int64  `json:"at"`
}

// PutBodyWebhook is one HSET of the whole record.
func (s *Store) PutBodyWebhook(ctx context.Context, w store.BodyWebhook) error {
	b, err := json.Marshal(hookRecord{URL: w.URL, Secret: w.Secret, UpdatedBy: w.UpdatedBy, UpdatedAt: store.UnixMS(w.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("redis: put webhook of %s: %w", w.Body, err)
	}
	if err := s.rdb.HSet(ctx, s.k.hooks(), w.Body, b).Err(); err != nil {
		return fmt.Errorf("redis: put webhook of %s: %w", w.Body, err)
	}
	return nil
}

func bodyWebhookOf(body, v string) (store.BodyWebhook, error) {
	var r hookRecord
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		// Not the unmarshal error's text: it may quote the record.
		return store.BodyWebhook{}, fmt.Errorf("redis: webhook of %s: malformed record", body)
	}
	return store.BodyWebhook{Body: body, URL: r.URL, Secret: r.Secret, UpdatedBy: r.UpdatedBy,
		UpdatedAt: store.FromUnixMS(r.UpdatedAt)}, nil
}

// BodyWebhook is one HGET.
func (s *Store) BodyWebhook(ctx context.Context, body string) (store.BodyWebhook, error) {
	v, err := s.rdb.HGet(ctx, s.k.hooks(), body).Result()
	if err != nil {
		return store.BodyWebhook{}, wrap(err, "webhook of "+body)
	}
	return bodyWebhookOf(body, v)
}

// BodyWebhooks is one HGETALL, sorted here by body id in byte order, as
// SQLite's ORDER BY sorts them. A city has a few dozen bodies.
func (s *Store) BodyWebhooks(ctx context.Context) ([]store.BodyWebhook, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.hooks()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: webhooks: %w", err)
	}
	out := make([]store.BodyWebhook, 0, len(m))
	for body, v := range m {
		w, err := bodyWebhookOf(body, v)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b store.BodyWebhook) int { return cmp.Compare(a.Body, b.Body) })
	return out, nil
}
