package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"jiefen/queue"
	"jiefen/store"
)

// Platform is what the messenger needs of the platform API (*Account).
type Platform interface {
	SendText(ctx context.Context, openID, text string) error
	SendTemplate(ctx context.Context, openID, templateID, link, clientMsgID string, data map[string]string) error
	SendSubscribe(ctx context.Context, openID, templateID, page string, data map[string]string) error
	FetchMedia(ctx context.Context, mediaID string) (contentType string, data []byte, err error)
}

// Messenger delivers the queue's WeChat lane (the outbound queue): its
// loop is a queue.Worker, its handlers the platform calls below. Items
// live in the store until delivered, so a crash or an unreachable
// platform delays them but loses none: a claimed item whose sender died
// is claimed again when its lease runs out.
type Messenger struct {
	Store      store.Store
	API        Platform
	TemplateID string // template for messages outside the window; "" = hold them instead
	// Subscribe lists the subscription-notice templates, tried in order
	// outside the window before the template message: a citizen who
	// consented gets the message as a notice.
	Subscribe []SubscribeTemplate
	CaseLink  func(caseID string) string // the citizen's case page, carried by template messages; may be nil
	Now       func() time.Time
	Log       *slog.Logger
	Poll      time.Duration // how often to look for due items without a kick
	Lease     time.Duration // how long a claimed item is ours before another instance may take it

	once sync.Once
	w    *queue.Worker
}

const (
	maxAttempts = 40 // with backoff capped at 30 minutes: well over 24 hours of trying
	maxBackoff  = 30 * time.Minute
)

func (m *Messenger) init() {
	m.once.Do(func() {
		h := func(ctx context.Context, it store.Item) store.ItemResult {
			return m.deliver(ctx, store.OutboundOf(it)).Result()
		}
		m.w = &queue.Worker{Store: m.Store, Lane: store.LaneWeChat, Now: m.Now, Log: m.Log, Poll: m.Poll, Lease: m.Lease,
			Handlers: map[string]queue.Handler{store.OutText: h, store.OutVideoReminder: h, store.OutFetchMedia: h}}
	})
}

// Kick wakes the messenger: something was queued.
func (m *Messenger) Kick() {
	m.init()
	m.w.Kick()
}

// Run delivers until ctx is done. An item in flight when ctx ends is
// finished or left leased, to be claimed again.
func (m *Messenger) Run(ctx context.Context) {
	m.init()
	m.w.Run(ctx)
}

// RunOnce claims and delivers one batch, and returns how many items it took.
func (m *Messenger) RunOnce(ctx context.Context) (int, error) {
	m.init()
	return m.w.RunOnce(ctx)
}

func (m *Messenger) deliver(ctx context.Context, o store.Outbound) store.OutboundResult {
	switch o.Kind {
	case store.OutText:
		return m.deliverText(ctx, o)
	case store.OutVideoReminder:
		k, err := m.Store.Case(ctx, o.CaseID)
		if err != nil {
			return m.retry(o, err)
		}
		if k.VideoAt.UTC().Format(time.RFC3339) != o.MediaID || !k.Status.Open() || !m.Now().Before(k.VideoAt) {
			// Rescheduled, cancelled, ended, or too late (held past the
			// start by a closed window): nothing to remind of.
			return store.OutboundResult{State: store.OutSent, Via: "obsolete"}
		}
		return m.deliverText(ctx, o)
	case store.OutFetchMedia:
		ct, data, err := m.API.FetchMedia(ctx, o.MediaID)
		if err != nil {
			return m.failure(o, err)
		}
		err = m.Store.PutMedia(ctx, store.Media{MediaID: o.MediaID, OpenID: o.OpenID, CaseID: o.CaseID,
			ContentType: ct, Data: data, At: m.Now()})
		if err != nil {
			return m.retry(o, err)
		}
		return store.OutboundResult{State: store.OutSent, Via: "media"}
	}
	return store.OutboundResult{State: store.OutFailed, Err: "unknown outbound kind " + o.Kind}
}

func (m *Messenger) deliverText(ctx context.Context, o store.Outbound) store.OutboundResult {
	now := m.Now()
	cit, err := m.Store.Citizen(ctx, o.OpenID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return m.retry(o, err)
	}
	if cit.Remaining(now) == 0 {
		// Known in advance: the window is closed or its quota used.
		return m.outsideWindow(ctx, o)
	}
	err = m.API.SendText(ctx, o.OpenID, o.Text)
	switch Code(err) {
	case 0:
		if err == nil {
			// Counted once sent, so a failed attempt costs no quota. Two
			// instances racing for the last slot may both send: the
			// platform then answers 45047 to one, handled below.
			if _, rerr := m.Store.ReserveSend(ctx, o.OpenID, now); rerr != nil {
				m.Log.Warn("counting a send", "err", rerr)
			}
			return store.OutboundResult{State: store.OutSent, Via: "custom"}
		}
	case CodeOutOfWindow, CodeOverQuota:
		// The platform knows better than our count (e.g. the citizen
		// unfollowed): record the window as over and fall back.
		if cerr := m.Store.CloseWindow(ctx, o.OpenID, now); cerr != nil {
			return m.retry(o, cerr)
		}
		return m.outsideWindow(ctx, o)
	}
	return m.failure(o, err)
}

// outsideWindow sends a subscription notice when the citizen consented to
// one, else a template message with a link to the case page when one is
// configured, and otherwise holds the message until the citizen next
// writes or subscribes (Change.ReleaseHeld).
func (m *Messenger) outsideWindow(ctx context.Context, o store.Outbound) store.OutboundResult {
	if res, ok := m.bySubscription(ctx, o); ok {
		return res
	}
	// A template carries only a short text: without a link to the case
	// page, where the whole message can be read, it would cut the message.
	if m.TemplateID == "" || o.CaseID == "" || m.CaseLink == nil {
		// The citizen may have written since the window was read: that
		// message's commit released the held items, but not this one, in
		// flight then, which would stay held until they write again. So
		// the window is read once more just before holding; what is left
		// is the moment between this read and the finish.
		if cit, err := m.Store.Citizen(ctx, o.OpenID); err == nil && cit.Remaining(m.Now()) > 0 {
			return store.OutboundResult{State: store.OutPending, NotBefore: m.Now()}
		}
		why := "outside the customer-service window"
		if len(m.Subscribe) > 0 {
			why += ", no subscription to notices"
		}
		return store.OutboundResult{State: store.OutHeld, Err: why}
	}
	link := m.CaseLink(o.CaseID)
	err := m.API.SendTemplate(ctx, o.OpenID, m.TemplateID, link, "jf-out-"+strconv.FormatInt(o.ID, 10),
		map[string]string{"keyword1": o.CaseID, "keyword2": clip(o.Text, 20)})
	if err != nil {
		return m.failure(o, err)
	}
	return store.OutboundResult{State: store.OutSent, Via: "template"}
}

// bySubscription sends o as a subscription notice under the first
// template the citizen consented to; ok is false when there is none (or
// the platform says the consent is gone), for the next channel to try.
// A notice carries a short text, so, like a template message, it needs a
// case page to link to.
func (m *Messenger) bySubscription(ctx context.Context, o store.Outbound) (res store.OutboundResult, ok bool) {
	if len(m.Subscribe) == 0 || o.CaseID == "" || m.CaseLink == nil {
		return res, false
	}
	subs, err := m.Store.Subscriptions(ctx, o.OpenID)
	if err != nil {
		return m.retry(o, err), true
	}
	for _, tpl := range m.Subscribe {
		i := slices.IndexFunc(subs, func(s store.Subscription) bool { return s.TemplateID == tpl.ID })
		if i < 0 || !subs[i].Usable() {
			continue
		}
		err := m.API.SendSubscribe(ctx, o.OpenID, tpl.ID, m.CaseLink(o.CaseID),
			map[string]string{tpl.CaseField: o.CaseID, tpl.TextField: noticeText(o.CaseID, o.Text)})
		switch {
		case err == nil:
			// Spent once sent, like the window's quota: two instances
			// racing for the last one-time consent may both send, and the
			// platform answers 43101 to one, handled below.
			if uerr := m.Store.UseSubscription(ctx, o.OpenID, tpl.ID); uerr != nil {
				m.Log.Warn("spending a subscription", "err", uerr)
			}
			return store.OutboundResult{State: store.OutSent, Via: "subscribe"}, true
		case Code(err) == CodeRefused:
			// The platform has no consent (used up, or cancelled in
			// WeChat's settings without our hearing): forget it, try the next.
			now := m.Now()
			err := m.Store.Commit(ctx, store.Change{Subscriptions: []store.SubscriptionAnswer{{OpenID: o.OpenID,
				TemplateID: tpl.ID, Long: tpl.Long, At: now}}})
			if err != nil {
				return m.retry(o, err), true
			}
		default:
			return m.failure(o, err), true
		}
	}
	return res, false
}

// failure decides between retrying and giving up. Only errors about this
// one message give up at once: retrying cannot change them. Everything
// else is retried with backoff: busy (-1), network and HTTP errors, token
// trouble, and account-wide refusals an operator can fix (an IP missing
// from the whitelist, 40164; a used-up daily quota, 45009), which are
// logged as errors so someone notices.
func (m *Messenger) failure(o store.Outbound, err error) store.OutboundResult {
	switch code := Code(err); code {
	case codeUnknownOpenID, codeNotFollower, codeTooLong, CodeInvalidMedia, codeBadTemplate, codeBadTemplateData:
		m.Log.Error("outbound failed", "id", o.ID, "kind", o.Kind, "errcode", code)
		return store.OutboundResult{State: store.OutFailed, Err: err.Error()}
	case 0, CodeBusy, CodeInvalidToken, CodeBadToken, CodeTokenExpired:
	default:
		m.Log.Error("platform refuses; will retry", "id", o.ID, "kind", o.Kind, "errcode", code, "err", err)
	}
	return m.retry(o, err)
}

func (m *Messenger) retry(o store.Outbound, err error) store.OutboundResult {
	if o.Attempts >= maxAttempts {
		m.Log.Error("outbound gave up", "id", o.ID, "kind", o.Kind, "attempts", o.Attempts, "err", err)
		return store.OutboundResult{State: store.OutFailed, Err: err.Error()}
	}
	return store.OutboundResult{State: store.OutPending, NotBefore: m.Now().Add(backoff(o.Attempts)), Err: err.Error()}
}

// backoff doubles from one second up to maxBackoff, with up to 20% jitter so
// instances coming back together do not retry in lockstep.
func backoff(attempts int) time.Duration {
	d := maxBackoff
	if attempts < 20 {
		d = min(time.Second<<attempts, maxBackoff)
	}
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// clip shortens s to n characters for template fields, which fold longer text.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
