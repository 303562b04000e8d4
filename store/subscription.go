package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Subscriptions keeps citizens' consents to subscription notices (订阅通知),
// per citizen and template: what lets a message reach a citizen after the
// 48-hour customer-service window closed. An answer from the platform's
// popup is written with its callback's Change (Change.Subscriptions), so a
// retried event counts once; a send spends a one-time consent alone.
type Subscriptions interface {
	// Subscriptions lists a citizen's consents, by template id.
	Subscriptions(ctx context.Context, openID string) ([]Subscription, error)
	// UseSubscription spends one use of a one-time consent once a notice
	// went out under it (never below none); a long-term consent stays.
	UseSubscription(ctx context.Context, openID, templateID string) error
}

// Subscription is what a citizen allowed for one template.
type Subscription struct {
	OpenID, TemplateID string
	Long               bool // a long-term consent: every notice may use it until refused
	Uses               int  // one-time consents not used yet
	Refused            bool // the last answer was no (or the platform refused a send)
	At                 time.Time
}

// Usable reports whether a notice may be sent under s.
func (s Subscription) Usable() bool { return !s.Refused && (s.Long || s.Uses > 0) }

// SubscriptionAnswer is a citizen's answer for one template: an accept of a
// long-term template stands until refused, an accept of a one-time template
// adds one use, and a refusal clears both.
type SubscriptionAnswer struct {
	OpenID, TemplateID string
	Accept             bool
	Long               bool // the template is long-term (configuration says)
	At                 time.Time
}

// SubscribeOp records a SubscriptionAnswer.
type SubscribeOp SubscriptionAnswer

func (SubscribeOp) OpKind() OpKind         { return OpSubscribe }
func (SubscribeOp) Notice() (Notice, bool) { return Notice{}, false }
func (o SubscribeOp) Validate() error {
	if o.OpenID == "" || o.TemplateID == "" {
		return fmt.Errorf("store: subscription without a citizen or template")
	}
	return nil
}

func (o SubscribeOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op       OpKind `json:"op"`
		OpenID   string `json:"openid"`
		Template string `json:"tpl"`
		Accept   bool   `json:"accept"`
		Long     bool   `json:"long"`
		At       int64  `json:"at,string"`
	}{OpSubscribe, o.OpenID, o.TemplateID, o.Accept, o.Long, UnixMS(o.At)})
}
