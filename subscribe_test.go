package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"jiefen/bot"
	"jiefen/wxsim"
)

var jsConfigRe = regexp.MustCompile(`id="subscribe" data-appid="([^"]*)" data-timestamp="(\d+)" data-nonce="([^"]*)" data-signature="([0-9a-f]*)"`)

// The citizen's page offers subscription notices: the open tag with the
// configured templates, and a wx.config the WeChat client accepts (signed
// over the page's public address with the account's jsapi_ticket, fetched
// once); the page may load the JS-SDK. Once the citizen subscribed (the
// platform's popup event), the page says so, and so does the mediator's
// case page when the window is closed. Both stores.
func TestCitizenPageOffersSubscription(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe, publicURL: "https://jiefen.example.cn",
		subscribe: []bot.SubscribeTemplate{{ID: "tplLongNotice", Long: true, CaseField: bot.DefaultSubscribeCaseField, TextField: bot.DefaultSubscribeTextField}}},
		func(t *testing.T, o envOptions) {
			e := newEnv(t, o)
			e.addUser("liuhe", "mediator", "lh-labor")
			const who = "oSubscribePage"
			id := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给")
			var link string
			for _, d := range e.platform.Deliveries(who) {
				if l := linkRe.FindString(d.Text); l != "" {
					link = l
				}
			}
			path := strings.TrimPrefix(link, "https://jiefen.example.cn")
			get := func() (http.Header, string) {
				resp, err := http.Get(e.srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("case page: %d", resp.StatusCode)
				}
				return resp.Header, string(b)
			}
			h, page := get()
			mustContain(t, page, `<wx-open-subscribe template="tplLongNotice"`, "订阅进展通知", handlersSDK)
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' https://res.wx.qq.com") {
				t.Fatalf("the page may not load the JS-SDK: %q", csp)
			}
			m := jsConfigRe.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no wx.config on the page")
			}
			ts, _ := strconv.ParseInt(m[2], 10, 64)
			if bad := e.platform.CheckJSConfig(m[1], ts, m[3], m[4], link); bad != "" {
				t.Fatalf("the WeChat client refuses the page's wx.config: %s", bad)
			}
			if bad := e.platform.CheckJSConfig(m[1], ts, m[3], m[4], link+"?x=1"); bad == "" {
				t.Fatal("a signature that fits another address")
			}
			get()
			if n := e.platform.TicketFetches(); n != 1 {
				t.Fatalf("the jsapi_ticket was fetched %d times for two views", n)
			}

			e.deliver(e.client.SubscribePopup(who, wxsim.PopupAnswer{TemplateID: "tplLongNotice", Status: "accept"},
				wxsim.PopupAnswer{TemplateID: "tplNotOurs", Status: "accept"}))
			_, page = get()
			mustContain(t, page, "您已订阅进展通知")

			// The mediator's page, once the window is closed, says how a reply will go.
			if err := e.app.store.CloseWindow(context.Background(), who, e.app.server.Web.Now()); err != nil {
				t.Fatal(err)
			}
			b := e.browser()
			b.login("liuhe", "password-liuhe")
			_, casePage := b.get("/console/cases/" + id)
			mustContain(t, casePage, "市民订阅了进展通知")
			if code := b.post("/console/cases/"+id+"/reply", url.Values{"csrf": {b.csrf}, "text": {"请问您明天方便来调解中心吗"}}); code != http.StatusSeeOther {
				t.Fatalf("reply: %d", code)
			}
			eventually(t, "the notice at the platform", func() bool {
				for _, d := range e.platform.Deliveries(who) {
					if d.Kind == "subscribe" && d.Data["character_string1"] == id && strings.Contains(d.Data["thing2"], "明天方便") &&
						strings.HasPrefix(d.URL, "https://jiefen.example.cn/c/"+id+"/") {
						return true
					}
				}
				return false
			})
			eventually(t, "the console's delivery state", func() bool {
				_, p := b.get("/console/cases/" + id)
				return strings.Contains(p, "已通过订阅通知送达")
			})
		})
}

const handlersSDK = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
