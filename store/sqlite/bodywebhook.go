package sqlite

import (
	"context"
	"fmt"

	"jiefen/store"
)

// Body webhook settings (store.WebhookSettings): one row per body, each
// written by one statement on the writer pool like the console's records.
// Errors name the body only, never the URL or the secret.

// PutBodyWebhook creates or replaces a body's setting.
func (s *Store) PutBodyWebhook(ctx context.Context, w store.BodyWebhook) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO body_webhooks (body, url, secret, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (body) DO UPDATE SET url = excluded.url, secret = excluded.secret,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		w.Body, w.URL, w.Secret, w.UpdatedBy, store.UnixMS(w.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put webhook of %s: %w", w.Body, err)
	}
	return nil
}

const bodyWebhookColumns = `body, url, secret, updated_by, updated_at`

func scanBodyWebhook(row scanner) (store.BodyWebhook, error) {
	var w store.BodyWebhook
	var at int64
	err := row.Scan(&w.Body, &w.URL, &w.Secret, &w.UpdatedBy, &at)
	w.UpdatedAt = store.FromUnixMS(at)
	return w, err
}

// BodyWebhook returns one body's setting.
func (s *Store) BodyWebhook(ctx context.Context, body string) (store.BodyWebhook, error) {
	w, err := scanBodyWebhook(s.r.QueryRowContext(ctx, `SELECT `+bodyWebhookColumns+` FROM body_webhooks WHERE body = ?`, body))
	if err != nil {
		return store.BodyWebhook{}, notFound(err, "webhook of "+body)
	}
	return w, nil
}

// BodyWebhooks lists every setting by body id, in byte order.
func (s *Store) BodyWebhooks(ctx context.Context) ([]store.BodyWebhook, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+bodyWebhookColumns+` FROM body_webhooks ORDER BY body`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhooks: %w", err)
	}
	defer rows.Close()
	var out []store.BodyWebhook
	for rows.Next() {
		w, err := scanBodyWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: webhooks: %w", err)
	}
	return out, nil
}
