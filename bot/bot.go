// Package bot is the intake conversation: what a citizen said, what to ask
// next, when a case is made, and what is sent back. It also holds the
// outbound messenger and the only code that talks to silenceper/wechat.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"jiefen/caselink"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

// China has one time zone and no daylight saving: a fixed zone avoids
// depending on the host's tzdata for case numbers and times shown to people.
var chinaTime = time.FixedZone("CST", 8*3600)

// DedupTTL is how long a callback's dedup key holds. The platform retries
// within about 15 seconds; a day also covers retries across a long outage.
const DedupTTL = 24 * time.Hour

// StaleIntake is when an unfinished intake is forgotten: the bot starts afresh.
const StaleIntake = 72 * time.Hour

// Bot runs the conversation. It is safe for concurrent use: state lives in
// the store and each turn is committed with a version check.
type Bot struct {
	Store         store.Store
	Classifier    routing.Classifier
	Table         *routing.Table
	Cases         *workflow.Cases // what a message changes on a case: filing, thread, withdrawal, rating …
	Now           func() time.Time
	Links         caselink.Signer
	PublicURL     string       // base of links sent to citizens; "" = the callback's own host
	Kick          func()       // wakes the outbound messenger after a turn queued messages; may be nil
	KickReferrals func()       // wakes the webhook sender after a turn queued a referral; may be nil
	Log           *slog.Logger // for what happens after a callback was answered (late LLM answers)
	// AILabel marks text an AI model wrote (catalog.AILabel with the
	// configured model name and filing number); "" means the bare label.
	AILabel string
	// Subscribe lists the subscription-notice templates jiefen offers
	// (JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES): answers about others are ignored.
	Subscribe []SubscribeTemplate
}

// Inbound is one callback from the platform, independent of the library's types.
type Inbound struct {
	OpenID      string
	MsgID       int64
	CreateTime  int64
	Kind        string // text, voice, image, event, or another platform type
	Text        string
	Recognition string
	MediaID     string
	Event       string
	EventKey    string
	// Subscriptions are the answers a subscription event carries
	// (subscribe_msg_popup_event, subscribe_msg_change_event).
	Subscriptions []PopupAnswer
	BaseURL       string // how the platform reached us (https://host), for links when no public URL is configured
}

// PopupAnswer is a citizen's answer for one subscription template.
type PopupAnswer struct {
	TemplateID string
	Status     string // accept or reject
}

// DedupKey identifies the delivery, the same across the platform's retries:
// FromUserName+MsgId for messages, FromUserName+CreateTime+Event for events
// (MsgId alone collides across users).
func (in Inbound) DedupKey() string {
	if in.Kind == "event" {
		return "e:" + in.OpenID + ":" + strconv.FormatInt(in.CreateTime, 10) + ":" + in.Event + ":" + in.EventKey
	}
	return "m:" + in.OpenID + ":" + strconv.FormatInt(in.MsgID, 10)
}

// Handle runs one turn of the conversation and returns the passive reply ("" for none).
// A retried delivery gets the reply the first one got, and changes nothing.
func (b *Bot) Handle(ctx context.Context, in Inbound) (string, error) {
	if in.OpenID == "" {
		return "", errors.New("bot: message without sender")
	}
	// A concurrent turn of the same citizen moved the dialog: run again on
	// the new state. Conflicts need two messages within milliseconds, so a
	// few attempts are plenty.
	for attempt := 0; attempt < 5; attempt++ {
		reply, queued, referred, err := b.turn(ctx, in)
		switch {
		case errors.Is(err, store.ErrConflict):
			continue
		case errors.Is(err, store.ErrDuplicate):
			return b.Store.DedupReply(ctx, in.DedupKey(), b.Now())
		case err != nil:
			return "", err
		}
		if queued && b.Kick != nil {
			b.Kick()
		}
		if referred && b.KickReferrals != nil {
			b.KickReferrals()
		}
		return reply, nil
	}
	return "", fmt.Errorf("bot: dialog kept changing under concurrent messages")
}

func (b *Bot) turn(ctx context.Context, in Inbound) (reply string, queued, referred bool, err error) {
	t := &turn{b: b, ctx: ctx, in: in, now: b.Now()}
	if t.cit, t.dlg, err = b.Store.Conversation(ctx, in.OpenID); err != nil {
		return "", false, false, err
	}
	t.dlg.OpenID = in.OpenID
	t.known = !t.cit.LastInboundAt.IsZero()
	if t.dlg.Step != stepIdle && t.now.Sub(t.dlg.UpdatedAt) > StaleIntake {
		// Days later the citizen is most likely writing about something
		// new: an old half-told story must not swallow it.
		t.resetDialog()
	}
	if err := t.run(); err != nil {
		return "", false, false, err
	}
	t.finish()
	if err := b.Store.Commit(ctx, t.ch); err != nil {
		return "", false, false, err
	}
	// The risk early warning reads what the turn filed or added, once
	// it is stored, before the reply goes: an alert is in the store by
	// the time the citizen sees the case number.
	b.Cases.WatchLogged(ctx, t.ch)
	return t.reply, len(t.ch.Outbound) > 0, t.wakeReferrals, nil
}
