package sqlite

import (
	"context"
	"fmt"

	"jiefen/store"
)

// Subscriptions (store.Subscriptions): one row per citizen and template.

// subscribe records an answer within a Commit: an accept of a long-term
// template stands, of a one-time template adds a use; a refusal clears both.
func subscribe(ctx context.Context, tx *tx, o store.SubscribeOp) error {
	var long, uses, refused int
	switch {
	case !o.Accept:
		refused = 1
	case o.Long:
		long = 1
	default:
		uses = 1
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO subscriptions (openid, template, long, uses, refused, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (openid, template) DO UPDATE SET
			long = CASE WHEN ?5 = 1 THEN 0 WHEN ?3 = 1 THEN 1 ELSE long END,
			uses = CASE WHEN ?5 = 1 THEN 0 ELSE uses + ?4 END,
			refused = ?5, at = ?6`,
		o.OpenID, o.TemplateID, long, uses, refused, store.UnixMS(o.At))
	if err != nil {
		return fmt.Errorf("sqlite: subscription: %w", err)
	}
	return nil
}

// Subscriptions lists a citizen's consents by template id.
func (s *Store) Subscriptions(ctx context.Context, openID string) ([]store.Subscription, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT template, long, uses, refused, at FROM subscriptions WHERE openid = ? ORDER BY template`, openID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []store.Subscription
	for rows.Next() {
		sub := store.Subscription{OpenID: openID}
		var at int64
		if err := rows.Scan(&sub.TemplateID, &sub.Long, &sub.Uses, &sub.Refused, &at); err != nil {
			return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
		}
		sub.At = store.FromUnixMS(at)
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	return out, nil
}

// UseSubscription spends one use of a one-time consent.
func (s *Store) UseSubscription(ctx context.Context, openID, templateID string) error {
	_, err := s.w.ExecContext(ctx, `
		UPDATE subscriptions SET uses = uses - 1 WHERE openid = ? AND template = ? AND long = 0 AND uses > 0`,
		openID, templateID)
	if err != nil {
		return fmt.Errorf("sqlite: use subscription: %w", err)
	}
	return nil
}
