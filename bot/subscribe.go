package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"jiefen/store"
)

// Subscription notices (订阅通知): after the 48-hour customer-service
// window a message may still reach a citizen who consented, on the case
// page, to a template's notices. The platform tells the answer by a
// subscribe_msg_popup_event (and a later cancel in WeChat's settings by a
// subscribe_msg_change_event); bizsend sends one.

// SubscribeTemplate is a subscription-notice template chosen in the
// official account's console, with the data fields jiefen fills.
type SubscribeTemplate struct {
	ID string
	// Long is a long-term template (长期订阅, open to government and
	// public services): one consent serves every later notice until the
	// citizen cancels. Otherwise each consent serves one notice.
	Long bool
	// CaseField holds the case number (a character_string field, up to 32
	// letters, digits and symbols); TextField the message, shortened to
	// 20 characters (a thing field). The notice links to the case page,
	// where the whole message is.
	CaseField, TextField string
}

// Default data fields of a subscription template.
const (
	DefaultSubscribeCaseField = "character_string1"
	DefaultSubscribeTextField = "thing2"
)

var (
	templateIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	fieldRe      = regexp.MustCompile(`^[a-z_]+[0-9]+$`)
)

// ParseSubscribeTemplates reads JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES: entries
// separated by commas, each ID, ID:long or ID:once (long when not said),
// optionally followed by the case-number and message fields, e.g.
// "Vx1…:long:character_string1:thing2".
func ParseSubscribeTemplates(v string) ([]SubscribeTemplate, error) {
	var out []SubscribeTemplate
	for _, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		f := strings.Split(entry, ":")
		t := SubscribeTemplate{ID: f[0], Long: true, CaseField: DefaultSubscribeCaseField, TextField: DefaultSubscribeTextField}
		if !templateIDRe.MatchString(t.ID) {
			return nil, fmt.Errorf("%q is not a template id", t.ID)
		}
		if len(f) >= 2 {
			switch f[1] {
			case "long":
			case "once":
				t.Long = false
			default:
				return nil, fmt.Errorf("template %s: %q: say long (长期订阅) or once (一次性订阅)", t.ID, f[1])
			}
		}
		switch len(f) {
		case 1, 2:
		case 4:
			t.CaseField, t.TextField = f[2], f[3]
			if !fieldRe.MatchString(t.CaseField) || !fieldRe.MatchString(t.TextField) {
				return nil, fmt.Errorf("template %s: fields %q and %q are not field names such as character_string1 and thing2", t.ID, f[2], f[3])
			}
		default:
			return nil, fmt.Errorf("template %s: write ID, ID:long|once or ID:long|once:<case field>:<message field>", t.ID)
		}
		for _, o := range out {
			if o.ID == t.ID {
				return nil, fmt.Errorf("template %s is listed twice", t.ID)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// SendSubscribe sends a subscription notice linking to page.
func (a *Account) SendSubscribe(ctx context.Context, openID, templateID, page string, data map[string]string) error {
	msg := &message.SubscribeMessage{ToUser: openID, TemplateID: templateID, Page: page, Data: map[string]*message.SubscribeDataItem{}}
	for k, v := range data {
		msg.Data[k] = &message.SubscribeDataItem{Value: v}
	}
	return a.withToken(func() error { return a.subscribe.Send(msg) })
}

// JSConfig is what a page needs for wx.config (WeChat's JS-SDK), which
// the subscription button (the wx-open-subscribe open tag) requires.
type JSConfig struct {
	AppID     string
	Timestamp int64
	NonceStr  string
	Signature string
}

// JSConfig signs pageURL (the page's address as the browser has it,
// without its #fragment) with the account's jsapi_ticket, which is
// fetched once and kept in the token cache, shared by instances.
func (a *Account) JSConfig(ctx context.Context, pageURL string) (JSConfig, error) {
	var c JSConfig
	err := a.withToken(func() error {
		cfg, err := a.js.GetConfigContext(ctx, pageURL)
		if err != nil {
			return err
		}
		c = JSConfig{AppID: cfg.AppID, Timestamp: cfg.Timestamp, NonceStr: cfg.NonceStr, Signature: cfg.Signature}
		return nil
	})
	return c, err
}

// subscriptionAnswers are the citizen's answers an event carries.
func (t *turn) subscriptionAnswers() {
	for _, a := range t.in.Subscriptions {
		tpl, ok := t.b.subscribeTemplate(a.TemplateID)
		if !ok {
			continue // a template jiefen does not use: nothing to remember
		}
		accept := strings.EqualFold(a.Status, "accept")
		t.ch.Subscriptions = append(t.ch.Subscriptions, store.SubscriptionAnswer{OpenID: t.in.OpenID,
			TemplateID: tpl.ID, Accept: accept, Long: tpl.Long, At: t.now})
		if accept {
			// Messages held for want of a window may go as notices now.
			t.ch.ReleaseHeld = t.in.OpenID
		}
	}
}

func (b *Bot) subscribeTemplate(id string) (SubscribeTemplate, bool) {
	for _, t := range b.Subscribe {
		if t.ID == id {
			return t, true
		}
	}
	return SubscribeTemplate{}, false
}

// noticeText is what a notice's message field (a thing field: 20
// characters, one line) says of a message: its first line, without the
// case number (the notice has a field of its own for it) and with a
// mediator's heading as "调解员：", so what is left is what matters.
func noticeText(caseID, text string) string {
	prefix := ""
	if strings.HasPrefix(text, "【") {
		if head, rest, ok := strings.Cut(text, "】"); ok {
			if strings.Contains(head, "调解员") {
				prefix = "调解员："
			}
			text = rest
		}
	}
	text = strings.TrimSpace(text)
	if line, _, ok := strings.Cut(text, "\n"); ok {
		text = line
	}
	text = strings.ReplaceAll(text, "您的案件 "+caseID+" ", "案件")
	text = strings.TrimSpace(strings.ReplaceAll(text, caseID, ""))
	return clip(prefix+text, 20)
}
