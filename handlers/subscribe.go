package handlers

import (
	"context"
	"net/http"
	"strings"

	"jiefen/bot"
	"jiefen/dispute"
)

// The citizen's case page offers WeChat's subscription notices (订阅通知)
// through the wx-open-subscribe open tag, so that updates reach the
// citizen after the 48-hour window. The tag needs the JS-SDK configured
// with a signature over the page's address (wx.config); the answer comes
// back to the callback as a subscribe_msg_popup_event (bot).

// JSSDK signs a page for WeChat's JS-SDK: *bot.Account, which alone talks
// to the platform.
type JSSDK interface {
	JSConfig(ctx context.Context, pageURL string) (bot.JSConfig, error)
}

// DefaultJSSDKURL is WeChat's JS-SDK (1.6.0 has the open tags).
const DefaultJSSDKURL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"

// subscribeView is what the page's subscription card needs.
type subscribeView struct {
	Templates  string // the template ids, comma-separated, for the open tag
	Config     bot.JSConfig
	SDK        string // the JS-SDK script
	Subscribed bool   // a standing (long-term) consent: updates will reach them
}

// subscription is the card for k's page, or nil when there is none to
// offer (not configured, the case long over, the platform unreachable).
func (c *casePage) subscription(r *http.Request, k dispute.Case, writable bool) *subscribeView {
	if c.JSSDK == nil || len(c.SubscribeTemplates) == 0 || (!k.Status.Open() && !writable) {
		return nil
	}
	cfg, err := c.JSSDK.JSConfig(r.Context(), c.pageURL(r))
	if err != nil {
		c.Log.Warn("case page: JS-SDK config", "err", err)
		return nil
	}
	v := &subscribeView{Templates: strings.Join(c.SubscribeTemplates, ","), Config: cfg, SDK: c.JSSDKURL}
	if v.SDK == "" {
		v.SDK = DefaultJSSDKURL
	}
	if subs, err := c.Store.Subscriptions(r.Context(), k.OpenID); err == nil {
		for _, s := range subs {
			v.Subscribed = v.Subscribed || (s.Long && s.Usable())
		}
	}
	return v
}

// pageURL is the page's address as the citizen's browser has it, which
// the JS-SDK signature covers: under the public URL when one is set, else
// as the request reached us (through a trusted proxy, as it forwarded it).
func (c *casePage) pageURL(r *http.Request) string {
	if c.Cases != nil && c.Cases.PublicURL != "" {
		return strings.TrimRight(c.Cases.PublicURL, "/") + r.URL.RequestURI()
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(forwarded(r, "X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if h := forwarded(r, "X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host + r.URL.RequestURI()
}

// citizenCSP lets the case page load the JS-SDK, which may call home
// (and the open tag's own inline style), when it offers subscriptions;
// nothing else is loosened.
func citizenCSP(sdk string) string {
	origin := sdk
	if i := strings.Index(sdk, "://"); i >= 0 {
		if j := strings.IndexByte(sdk[i+3:], '/'); j >= 0 {
			origin = sdk[:i+3+j]
		}
	}
	return "default-src 'self'; script-src 'self' " + origin + "; connect-src 'self' " + origin +
		"; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
}
