package bot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// Callback answers the platform's callbacks through silenceper's server.
// The HTTP guards silenceper lacks (body limit, timestamp window, signature
// refusal with a 4xx, panic recovery) sit in front of it, in handlers.
type Callback struct {
	Account *Account
	Bot     *Bot
	Log     *slog.Logger
}

// ServeHTTP runs one callback. silenceper writes straight to its writer and
// always with status 200 (even "success" before we know whether the store
// took the message), so it writes into a buffer and we decide what is sent.
func (c *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := &bufferedWriter{header: http.Header{}}
	srv := c.Account.oa.GetServer(r, buf)
	var handleErr error
	noSender := false
	srv.SetMessageHandler(func(m *message.MixMessage) (reply *message.Reply) {
		if m.FromUserName == "" {
			noSender = true
			return nil
		}
		defer func() {
			// The library does not recover panics in the handler.
			if p := recover(); p != nil {
				handleErr = fmt.Errorf("panic in conversation: %v", p)
				reply = nil
			}
		}()
		in := inbound(m)
		in.Subscriptions = subscriptionAnswers(srv.RequestRawXMLMsg, m)
		in.BaseURL = baseURL(r)
		text, err := c.Bot.Handle(r.Context(), in)
		if err != nil {
			handleErr = err
			return nil
		}
		if text == "" {
			return nil
		}
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(text)}
	})
	if err := srv.Serve(); err != nil {
		// Bad msg_signature, undecryptable or malformed body: nothing was
		// handled or stored.
		c.Log.Warn("callback refused", "reason", err.Error())
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if noSender {
		c.Log.Warn("callback refused", "reason", "message without sender")
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if handleErr != nil {
		// A 5xx, so the platform retries rather than the message being lost.
		c.Log.Error("callback not stored", "err", handleErr)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if srv.ResponseMsg != nil {
		// Only with a reply: Send after a nil reply in safe mode would write
		// an encrypted empty message, which the platform shows as an error.
		if err := srv.Send(); err != nil {
			c.Log.Error("callback reply", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	if buf.body.Len() == 0 {
		// Safe mode with no reply: "success" tells the platform not to retry.
		buf.header.Set("Content-Type", "text/plain; charset=utf-8")
		buf.body.WriteString("success")
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.body.Bytes())
}

func inbound(m *message.MixMessage) Inbound {
	return Inbound{
		OpenID: string(m.FromUserName), MsgID: m.MsgID, CreateTime: m.CreateTime, Kind: string(m.MsgType),
		Text: m.Content, Recognition: m.Recognition, MediaID: m.MediaID,
		Event: string(m.Event), EventKey: m.EventKey,
	}
}

// subscriptionAnswers reads the answers of a subscription event from the
// message's XML: silenceper maps one <List> of subscribe_msg_popup_event
// only (the last, when the citizen answered for several templates) and
// none of subscribe_msg_change_event.
func subscriptionAnswers(raw []byte, m *message.MixMessage) []PopupAnswer {
	if m.MsgType != message.MsgTypeEvent {
		return nil
	}
	type list struct {
		List []struct {
			TemplateID string `xml:"TemplateId"`
			Status     string `xml:"SubscribeStatusString"`
		} `xml:"List"`
	}
	var x struct {
		Popup  []list `xml:"SubscribeMsgPopupEvent"`
		Change []list `xml:"SubscribeMsgChangeEvent"`
	}
	var out []PopupAnswer
	if xml.Unmarshal(raw, &x) == nil {
		for _, l := range append(x.Popup, x.Change...) {
			for _, a := range l.List {
				out = append(out, PopupAnswer{TemplateID: strings.TrimSpace(a.TemplateID), Status: strings.TrimSpace(a.Status)})
			}
		}
	}
	if len(out) == 0 {
		// A JSON body: what the library made of it.
		for _, a := range m.GetSubscribeMsgPopupEvents() {
			out = append(out, PopupAnswer{TemplateID: a.TemplateID, Status: a.SubscribeStatusString})
		}
	}
	return out
}

// bufferedWriter holds what silenceper writes until the callback knows its outcome.
type bufferedWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(int)             {}

// baseURL is how the platform reached this server: behind a TLS proxy the
// scheme comes from X-Forwarded-Proto.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
