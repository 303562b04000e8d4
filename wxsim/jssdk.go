package wxsim

import (
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A stand-in of WeChat's JS-SDK, for pages opened in a browser rather
// than in WeChat (the demo, the browser tests): served at JSSDKPath of
// the platform, it checks wx.config's signature the way the WeChat client
// does (against the platform's jsapi_ticket) and renders the
// wx-open-subscribe open tag; a click shows a stand-in of the
// subscription popup, and the answer is pushed to the bot as the
// platform would (SetOnPopup). The citizen is whoever the browser says
// (localStorage "wxsim-openid"): the WeChat client knows who is reading.

// JSSDKPath is where the stand-in script is served, as on res.wx.qq.com.
const JSSDKPath = "/open/js/jweixin-1.6.0.js"

//go:embed jssdk.js
var jssdkJS []byte

// serveJSSDK answers the stand-in's script and its two calls; ok is
// false for any other path.
func (p *Platform) serveJSSDK(w http.ResponseWriter, r *http.Request) (ok bool) {
	if strings.HasPrefix(r.URL.Path, "/wxsim/") {
		// Called from the page, on another origin (the WeChat client
		// makes these calls itself; a browser needs leave).
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	switch r.URL.Path {
	case JSSDKPath:
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(jssdkJS)
	case "/wxsim/jssdk/config":
		var c struct {
			AppID     string `json:"appId"`
			Timestamp int64  `json:"timestamp"`
			NonceStr  string `json:"nonceStr"`
			Signature string `json:"signature"`
			URL       string `json:"url"`
		}
		if !readJSON(w, r, &c) {
			return true
		}
		msg := "config:ok"
		if bad := p.CheckJSConfig(c.AppID, c.Timestamp, c.NonceStr, c.Signature, c.URL); bad != "" {
			msg = bad
		}
		writeJSON(w, map[string]string{"errMsg": msg})
	case "/wxsim/subscribe":
		var a struct {
			OpenID    string   `json:"openid"`
			Templates []string `json:"templates"`
			Status    string   `json:"status"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
		if json.Unmarshal(body, &a) != nil || a.OpenID == "" || (a.Status != "accept" && a.Status != "reject") {
			writeErr(w, 40097)
			return true
		}
		answers := make([]PopupAnswer, 0, len(a.Templates))
		for _, t := range a.Templates {
			answers = append(answers, PopupAnswer{TemplateID: t, Status: a.Status})
		}
		p.mu.Lock()
		hook := p.onPopup
		p.mu.Unlock()
		if hook != nil {
			// The pusher records the answers as it pushes the event.
			hook(a.OpenID, answers)
		} else {
			p.answerOnce(a.OpenID, "popup"+strconv.FormatInt(time.Now().UnixNano(), 10), answers)
		}
		writeOK(w, nil)
	default:
		return false
	}
	return true
}

// SetOnPopup sets what happens when the citizen answers the stand-in
// popup: normally a Client pushing SubscribePopup to the bot.
func (p *Platform) SetOnPopup(f func(openID string, answers []PopupAnswer)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onPopup = f
}
