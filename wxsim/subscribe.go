package wxsim

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Subscription notices (订阅通知) and the JS-SDK they need: the citizen's
// page configures wx.config with a signature over its address made with
// the jsapi_ticket (/cgi-bin/ticket/getticket), shows the
// wx-open-subscribe button, and the citizen's answer comes to the bot as a
// subscribe_msg_popup_event; later bizsends need that consent.

// TicketLife is how long a jsapi_ticket lives, as the platform says.
const TicketLife = 7200 * time.Second

// AddSubscribeTemplate registers a subscription-notice template: long for
// a long-term one (one consent, many notices), else one-time (each
// consent, one notice).
func (p *Platform) AddSubscribeTemplate(id string, long bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.templates[id] = true
	if long {
		p.longTemplates[id] = true
	}
}

// PopupAnswer is a citizen's answer for one template in the subscription
// popup: Status "accept" or "reject".
type PopupAnswer struct {
	TemplateID string
	Status     string
}

// SubscribePopup is the event the platform pushes when the citizen
// answers the popup of wx-open-subscribe on a web page (PopupScene 1).
func (c *Client) SubscribePopup(openID string, answers ...PopupAnswer) *Message {
	m := c.Event(openID, "subscribe_msg_popup_event", "")
	m.Popup = answers
	return m
}

// SubscribeCancel is the event the platform pushes when the citizen turns
// a template's notices off in WeChat's settings (only refusals come).
func (c *Client) SubscribeCancel(openID string, templateIDs ...string) *Message {
	m := c.Event(openID, "subscribe_msg_change_event", "")
	for _, id := range templateIDs {
		m.Popup = append(m.Popup, PopupAnswer{TemplateID: id, Status: "reject"})
	}
	return m
}

// popupFields writes the answers the way the platform's XML has them.
func (m *Message) popupFields(b *bytes.Buffer) {
	wrap := "SubscribeMsgPopupEvent"
	if m.Event == "subscribe_msg_change_event" {
		wrap = "SubscribeMsgChangeEvent"
	}
	b.WriteString("<" + wrap + ">\n")
	for _, a := range m.Popup {
		b.WriteString("<List>\n")
		cdata(b, "TemplateId", a.TemplateID)
		cdata(b, "SubscribeStatusString", a.Status)
		if wrap == "SubscribeMsgPopupEvent" {
			num(b, "PopupScene", 1)
		}
		b.WriteString("</List>\n")
	}
	b.WriteString("</" + wrap + ">\n")
}

// answerOnce records the citizen's answers before the event is pushed
// (the platform has them first), once per message however often it is
// pushed. An accept of a long-term template stands until refused; of a
// one-time template it adds one notice; a refusal clears both.
func (p *Platform) answerOnce(openID, key string, answers []PopupAnswer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	k := openID + "\x00popup\x00" + key
	if _, seen := p.opened[k]; seen {
		return
	}
	p.opened[k] = now
	u := p.userFor(openID, now)
	for _, a := range answers {
		switch {
		case a.Status != "accept":
			delete(u.consents, a.TemplateID)
			delete(u.longConsents, a.TemplateID)
		case p.longTemplates[a.TemplateID]:
			u.longConsents[a.TemplateID] = true
		default:
			u.consents[a.TemplateID]++
		}
	}
}

// handleTicket answers /cgi-bin/ticket/getticket?type=jsapi: one ticket
// at a time, renewed when its life is over.
func (p *Platform) handleTicket(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	if r.URL.Query().Get("type") != "jsapi" {
		writeErr(w, 40097)
		return
	}
	now := p.now()
	if p.ticket == "" || !now.Before(p.ticketUntil) {
		var b [32]byte
		_, _ = rand.Read(b[:])
		p.ticket, p.ticketUntil = hex.EncodeToString(b[:]), now.Add(TicketLife)
	}
	p.ticketFetches++
	writeOK(w, map[string]any{"ticket": p.ticket, "expires_in": int(TicketLife.Seconds())})
}

// TicketFetches counts getticket calls: instances sharing a cache fetch once.
func (p *Platform) TicketFetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ticketFetches
}

// CheckJSConfig checks a page's wx.config the way the WeChat client does:
// the signature is sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")
// with the current ticket, and the page's address without its fragment.
// It returns "" when valid, else the client's complaint.
func (p *Platform) CheckJSConfig(appID string, timestamp int64, nonce, signature, pageURL string) string {
	p.mu.Lock()
	ticket := p.ticket
	p.mu.Unlock()
	if appID != p.appID {
		return "config:invalid appid"
	}
	if ticket == "" {
		return "config:invalid signature (no ticket was ever fetched)"
	}
	if i := bytes.IndexByte([]byte(pageURL), '#'); i >= 0 {
		pageURL = pageURL[:i]
	}
	s := fmt.Sprintf("jsapi_ticket=%s&noncestr=%s&timestamp=%s&url=%s", ticket, nonce, strconv.FormatInt(timestamp, 10), pageURL)
	sum := sha1.Sum([]byte(s))
	if hex.EncodeToString(sum[:]) != signature {
		return "config:invalid signature"
	}
	return ""
}
