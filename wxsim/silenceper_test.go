package wxsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// silenceper's outbound calls, pointed at the Platform through its global
// hooks, get the answers the bot will have to handle. This shows the
// stand-in speaks the wire format the library expects.
func TestSilenceperAgainstPlatform(t *testing.T) {
	p := platformForSilenceper(t)

	cache := newMapCache()
	oa := officialaccount.NewOfficialAccount(&config.Config{AppID: botAppID, AppSecret: testSecret, Token: botToken, EncodingAESKey: botAESKey, Cache: cache, UseStableAK: true})
	custom := oa.GetCustomerMessageManager()
	tpl := oa.GetTemplate()
	mn := oa.GetMenu()

	err := custom.Send(message.NewCustomerTextMessage("oA", "hello"))
	if err == nil || !strings.Contains(err.Error(), "errcode=40003") {
		t.Errorf("send to unknown openid: %v", err)
	}

	bot := silenceperBot(t, nil)
	c := newClient(bot.URL, Safe, p)
	if _, err := c.Deliver(context.Background(), c.Text("oA", "我要投诉")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < MessageQuota; i++ {
		if err := custom.Send(message.NewCustomerTextMessage("oA", "进度更新")); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	err = custom.Send(message.NewCustomerTextMessage("oA", "too many"))
	if err == nil || !strings.Contains(err.Error(), "errcode=45047") {
		t.Errorf("sixth send: %v", err)
	}
	if p.TokenFetches() != 1 {
		t.Errorf("TokenFetches = %d, want 1 (cached)", p.TokenFetches())
	}

	p.AddTemplate("TPL_STATUS")
	msg := &message.TemplateMessage{ToUser: "oA", TemplateID: "TPL_STATUS", URL: "https://case.example/c/9", ClientMsgID: "c9-s1",
		Data: map[string]*message.TemplateDataItem{"thing2": {Value: "已分派调解员"}}}
	id1, err := tpl.Send(msg)
	if err != nil || id1 == 0 {
		t.Fatalf("template: %d, %v", id1, err)
	}
	if id2, err := tpl.Send(msg); err != nil || id2 != id1 {
		t.Errorf("template resend: %d, %v (want %d)", id2, err, id1)
	}

	if err := mn.SetMenu([]*menu.Button{menu.NewClickButton("我要投诉", "COMPLAIN")}); err != nil {
		t.Fatalf("menu: %v", err)
	}
	if !strings.Contains(string(p.Menu()), "COMPLAIN") {
		t.Errorf("menu = %s", p.Menu())
	}

	// An invalidated token is not refreshed by the library: the bot must
	// handle 40001 itself, which this makes visible.
	p.InvalidateTokens()
	err = custom.Send(message.NewCustomerTextMessage("oA", "x"))
	if err == nil || !strings.Contains(err.Error(), "errcode=40001") {
		t.Errorf("after invalidation: %v", err)
	}

	var kinds []string
	for _, d := range p.Deliveries("oA") {
		kinds = append(kinds, d.Kind)
	}
	if got := strings.Join(kinds, ","); got != "text,text,text,text,text,text,template" {
		t.Errorf("deliveries = %s", got)
	}
}

// platformForSilenceper serves a Platform and points silenceper's global
// hooks (its URLs and HTTP client) at it for the test's length.
func platformForSilenceper(t *testing.T) *Platform {
	t.Helper()
	p := NewPlatform(botAppID, testSecret)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	util.SetURIModifier(RewriteURI(srv.URL))
	oldClient := util.DefaultHTTPClient
	util.DefaultHTTPClient = &http.Client{Timeout: 5 * time.Second}
	t.Cleanup(func() {
		util.SetURIModifier(nil)
		util.DefaultHTTPClient = oldClient
	})
	return p
}
