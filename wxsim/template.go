package wxsim

import (
	"net/http"
	"time"
)

// ClientMsgIDWindow is how long the platform remembers a template message's
// client_msg_id and answers a repeat with the first msgid.
const ClientMsgIDWindow = 10 * time.Minute

type sentTemplate struct {
	msgID int64
	at    time.Time
}

// AddTemplate registers a template id (used by both template messages and
// subscription notifications); others answer 40037.
func (p *Platform) AddTemplate(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.templates[id] = true
}

// AllowSubscription records that openID accepted one subscription
// notification for templateID (a one-time 订阅通知 consent); each bizsend
// spends one, and none left answers 43101.
func (p *Platform) AllowSubscription(openID, templateID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.userFor(openID, p.now()).consents[templateID]++
}

type dataItem struct {
	Value string `json:"value"`
}

func flatten(data map[string]dataItem) map[string]string {
	out := make(map[string]string, len(data))
	for k, v := range data {
		out[k] = v.Value
	}
	return out
}

// handleTemplateSend answers /cgi-bin/message/template/send. It is outside
// the customer-service window but reaches followers only.
func (p *Platform) handleTemplateSend(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	var req struct {
		ToUser      string              `json:"touser"`
		TemplateID  string              `json:"template_id"`
		URL         string              `json:"url"`
		Data        map[string]dataItem `json:"data"`
		ClientMsgID string              `json:"client_msg_id"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	u := p.users[req.ToUser]
	switch {
	case u == nil:
		writeErr(w, 40003)
		return
	case !p.templates[req.TemplateID]:
		writeErr(w, 40037)
		return
	case !u.following:
		writeErr(w, 43004)
		return
	}
	now := p.now()
	for k, s := range p.sentTpl {
		if now.Sub(s.at) >= ClientMsgIDWindow {
			delete(p.sentTpl, k)
		}
	}
	if req.ClientMsgID != "" {
		if s, ok := p.sentTpl[req.ClientMsgID]; ok {
			writeOK(w, map[string]any{"msgid": s.msgID})
			return
		}
	}
	p.nextTplID++
	id := p.nextTplID
	if req.ClientMsgID != "" {
		p.sentTpl[req.ClientMsgID] = sentTemplate{msgID: id, at: now}
	}
	p.record(Delivery{OpenID: req.ToUser, Kind: "template", TemplateID: req.TemplateID, URL: req.URL, Data: flatten(req.Data)})
	writeOK(w, map[string]any{"msgid": id})
}

// handleBizSend answers /cgi-bin/message/subscribe/bizsend, the
// subscription notification: it needs a consent for that template.
func (p *Platform) handleBizSend(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	var req struct {
		ToUser     string              `json:"touser"`
		TemplateID string              `json:"template_id"`
		Page       string              `json:"page"`
		Data       map[string]dataItem `json:"data"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	u := p.users[req.ToUser]
	switch {
	case u == nil:
		writeErr(w, 40003)
		return
	case !p.templates[req.TemplateID]:
		writeErr(w, 40037)
		return
	case u.longConsents[req.TemplateID]:
		// A long-term consent serves every notice until refused.
	case u.consents[req.TemplateID] <= 0:
		writeErr(w, 43101)
		return
	default:
		u.consents[req.TemplateID]--
	}
	p.record(Delivery{OpenID: req.ToUser, Kind: "subscribe", TemplateID: req.TemplateID, URL: req.Page, Data: flatten(req.Data)})
	writeOK(w, nil)
}
