package referral

import (
	"context"
	"errors"
	"time"

	"jiefen/routing"
	"jiefen/store"
)

// Where a body's webhook comes from.
const (
	FromTable   = "table"   // the routing table: url, and secret_env naming the secret's variable
	FromConsole = "console" // an administrator's setting in the console
)

// Hooks tells a body's webhook: the administrator's setting when there is
// one (a removal included), else the routing table's, with its secret
// from the environment. It is the one place that decides, used both when a
// referral is queued and at every attempt to send one.
//
// Nothing is cached: the setting is read from the store each time (one
// small read per new case and per attempt), so an administrator's change
// is seen at once by every instance sharing the store.
type Hooks struct {
	Store store.WebhookSettings
	Table *routing.Table
	// Secret reads a table webhook's secret by its secret_env; nil means
	// EnvSecret.
	Secret func(env string) string
}

// Hook is a body's webhook as it applies now.
type Hook struct {
	Body   string
	URL    string // "" when the body has none: nothing is queued for it, and a queued referral fails
	Secret string // "" when none is set: nothing is ever sent unsigned
	Source string // FromTable or FromConsole (a removal too); "" when neither gives the body a webhook
	// Who set it in the console and when (FromConsole only, removals too).
	UpdatedBy string
	UpdatedAt time.Time
	// Removed is an administrator's removal, over any webhook in the table.
	Removed bool
}

// String leaves the secret and the URL (which may carry a token) out.
func (h Hook) String() string {
	return "webhook of " + h.Body + " from " + h.Source
}

// Of returns a body's webhook now. The error is the store's: an unknown
// body, or one without a webhook, is a Hook with an empty URL.
func (h *Hooks) Of(ctx context.Context, body string) (Hook, error) {
	if h.Store != nil {
		w, err := h.Store.BodyWebhook(ctx, body)
		if err == nil {
			return fromConsole(w), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Hook{}, err
		}
	}
	return h.fromTable(body), nil
}

// All returns the webhook of every body of the table, in table order.
func (h *Hooks) All(ctx context.Context) ([]Hook, error) {
	set := map[string]store.BodyWebhook{}
	if h.Store != nil {
		ws, err := h.Store.BodyWebhooks(ctx)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			set[w.Body] = w
		}
	}
	var out []Hook
	for _, b := range h.Table.Bodies() {
		if w, ok := set[b.ID]; ok {
			out = append(out, fromConsole(w))
		} else {
			out = append(out, h.fromTable(b.ID))
		}
	}
	return out, nil
}

func fromConsole(w store.BodyWebhook) Hook {
	return Hook{Body: w.Body, URL: w.URL, Secret: w.Secret, Source: FromConsole, UpdatedBy: w.UpdatedBy,
		UpdatedAt: w.UpdatedAt, Removed: w.URL == ""}
}

func (h *Hooks) fromTable(body string) Hook {
	b, ok := h.Table.Body(body)
	if !ok || b.Webhook == nil {
		return Hook{Body: body}
	}
	read := h.Secret
	if read == nil {
		read = EnvSecret
	}
	return Hook{Body: body, URL: b.Webhook.URL, Secret: read(b.Webhook.SecretEnv), Source: FromTable}
}
