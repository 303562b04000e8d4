package wxsim

import (
	"context"
	"errors"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// The JS-SDK and subscription notices as silenceper sees them: the
// jsapi_ticket from getticket signs a wx.config the platform accepts (and
// only for that page); bizsend needs a consent, which the popup event the
// pusher sends records: a long-term one serves every notice, a one-time
// one a single notice, a refusal none (43101).
func TestSubscriptionAgainstSilenceper(t *testing.T) {
	p := platformForSilenceper(t)
	oa := officialaccount.NewOfficialAccount(&config.Config{AppID: botAppID, AppSecret: testSecret, Token: botToken,
		EncodingAESKey: botAESKey, Cache: newMapCache(), UseStableAK: true})

	const page = "https://jiefen.example.cn/c/JF20261127-0042/sig?sent=1"
	cfg, err := oa.GetJs().GetConfig(page)
	if err != nil {
		t.Fatal(err)
	}
	if bad := p.CheckJSConfig(cfg.AppID, cfg.Timestamp, cfg.NonceStr, cfg.Signature, page+"#top"); bad != "" {
		t.Fatalf("wx.config refused: %s", bad)
	}
	if bad := p.CheckJSConfig(cfg.AppID, cfg.Timestamp, cfg.NonceStr, cfg.Signature, "https://jiefen.example.cn/other"); bad == "" {
		t.Fatal("a signature accepted for another page")
	}
	if _, err := oa.GetJs().GetConfig(page); err != nil || p.TicketFetches() != 1 {
		t.Fatalf("the ticket was fetched %d times (%v), want once (cached)", p.TicketFetches(), err)
	}

	p.AddSubscribeTemplate("LONG", true)
	p.AddSubscribeTemplate("ONCE", false)
	sub := oa.GetSubscribe()
	send := func(tpl string) error {
		return sub.Send(&message.SubscribeMessage{ToUser: "oS", TemplateID: tpl, Page: page,
			Data: map[string]*message.SubscribeDataItem{"character_string1": {Value: "JF20261127-0042"}, "thing2": {Value: "有新进展：已受理"}}})
	}
	refused := func(err error) bool {
		var ce *util.CommonError
		return errors.As(err, &ce) && ce.ErrCode == 43101
	}
	bot := silenceperBot(t, nil)
	c := newClient(bot.URL, Safe, p)
	p.AddUser("oS")
	if err := send("LONG"); !refused(err) {
		t.Fatalf("a notice without consent: %v", err)
	}
	m := c.SubscribePopup("oS", PopupAnswer{TemplateID: "LONG", Status: "accept"}, PopupAnswer{TemplateID: "ONCE", Status: "accept"})
	for i := 0; i < 2; i++ { // the platform's retry records nothing more
		if _, err := c.Deliver(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if err := send("LONG"); err != nil {
			t.Fatalf("long-term notice %d: %v", i+1, err)
		}
	}
	if err := send("ONCE"); err != nil {
		t.Fatalf("one-time notice: %v", err)
	}
	if err := send("ONCE"); !refused(err) {
		t.Fatalf("a second notice on one consent: %v", err)
	}
	if _, err := c.Deliver(context.Background(), c.SubscribeCancel("oS", "LONG")); err != nil {
		t.Fatal(err)
	}
	if err := send("LONG"); !refused(err) {
		t.Fatalf("a notice after the citizen turned them off: %v", err)
	}
	n := 0
	for _, d := range p.Deliveries("oS") {
		if d.Kind == "subscribe" {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d notices delivered, want 4", n)
	}
}
