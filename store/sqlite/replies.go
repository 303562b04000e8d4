package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"jiefen/store"
)

// Quick replies (store.QuickReplies): one row per body, the list as JSON.

// PutBodyReplies creates or replaces a body's quick replies.
func (s *Store) PutBodyReplies(ctx context.Context, r store.BodyReplies) error {
	list, err := json.Marshal(r.Replies)
	if err != nil {
		return fmt.Errorf("sqlite: quick replies of %s: %w", r.Body, err)
	}
	_, err = s.w.ExecContext(ctx, `
		INSERT INTO body_replies (body, replies, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (body) DO UPDATE SET replies = excluded.replies, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`,
		r.Body, string(list), r.UpdatedBy, store.UnixMS(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: quick replies of %s: %w", r.Body, err)
	}
	return nil
}

// BodyReplies returns one body's quick replies.
func (s *Store) BodyReplies(ctx context.Context, body string) (store.BodyReplies, error) {
	r := store.BodyReplies{Body: body}
	var list string
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT replies, updated_by, updated_at FROM body_replies WHERE body = ?`, body).
		Scan(&list, &r.UpdatedBy, &at)
	if err != nil {
		return store.BodyReplies{}, notFound(err, "quick replies of "+body)
	}
	if err := json.Unmarshal([]byte(list), &r.Replies); err != nil {
		return store.BodyReplies{}, fmt.Errorf("sqlite: quick replies of %s: malformed record", body)
	}
	r.UpdatedAt = store.FromUnixMS(at)
	return r, nil
}
