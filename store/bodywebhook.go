package store

import (
	"context"
	"time"
)

// WebhookSettings keeps the webhook of a body as an administrator set it
// in the console, over the routing table's. Part of Store; each setting
// is written alone, never with a Change.
type WebhookSettings interface {
	// PutBodyWebhook creates or replaces a body's setting (by Body).
	PutBodyWebhook(ctx context.Context, w BodyWebhook) error
	// BodyWebhook returns a body's setting, or ErrNotFound when no
	// administrator set one (the routing table's webhook then applies).
	BodyWebhook(ctx context.Context, body string) (BodyWebhook, error)
	// BodyWebhooks lists every setting, by body id.
	BodyWebhooks(ctx context.Context) ([]BodyWebhook, error)
}

// BodyWebhook is a body's webhook as an administrator set it. An empty
// URL is a webhook removed on purpose: it overrides the table's too.
//
// The secret is kept as given, not hashed like tokens: every request is
// signed with it. It must never reach a log, an error or a page after the
// one that shows a new secret once.
type BodyWebhook struct {
	Body      string // the routing table's body id
	URL       string // "" when removed
	Secret    string // the HMAC key of X-Jiefen-Signature; "" when removed
	UpdatedBy string // the console user who set it
	UpdatedAt time.Time
}

// String leaves the secret out, so a setting printed by mistake (%v in
// an error or a log line) does not give it away.
func (w BodyWebhook) String() string {
	set := "no secret"
	if w.Secret != "" {
		set = "secret set"
	}
	return "webhook of " + w.Body + " (" + set + ", by " + w.UpdatedBy + ")"
}
