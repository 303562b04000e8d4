package wxsim

import (
	"maps"
	"time"
)

// Delivery is one message that reached a citizen's chat.
type Delivery struct {
	Seq    int64
	OpenID string
	// Kind is the message type: "text", "image", "voice", "video", "music",
	// "news", "mpnews", "msgmenu", … for customer-service sends and passive
	// replies; "template" for template messages; "subscribe" for
	// subscription notifications.
	Kind       string
	Text       string
	MediaID    string
	TemplateID string
	URL        string
	Data       map[string]string
	// Passive is true for the bot's direct answer to a callback (delivered
	// by Client), false for API sends.
	Passive bool
	At      time.Time
}

// subscriberBuffer is how far a live viewer may fall behind before it
// starts missing deliveries; the platform never waits for it.
const subscriberBuffer = 256

// record stores d and fans it out. Caller holds mu.
func (p *Platform) record(d Delivery) Delivery {
	p.seq++
	d.Seq = p.seq
	d.At = p.now()
	p.deliveries = append(p.deliveries, d)
	for _, ch := range p.subscribers {
		select {
		case ch <- cloneDelivery(d):
		default:
		}
	}
	return d
}

func cloneDelivery(d Delivery) Delivery {
	if d.Data != nil {
		d.Data = maps.Clone(d.Data)
	}
	return d
}

// Deliveries returns what reached openID ("" for everyone), oldest first.
func (p *Platform) Deliveries(openID string) []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Delivery
	for _, d := range p.deliveries {
		if openID == "" || d.OpenID == openID {
			out = append(out, cloneDelivery(d))
		}
	}
	return out
}

// Subscribe returns a channel that receives every later delivery and a
// function that ends the subscription and closes the channel. A subscriber
// that does not keep up loses deliveries rather than stalling the platform.
func (p *Platform) Subscribe() (<-chan Delivery, func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan Delivery, subscriberBuffer)
	id := p.nextSub
	p.nextSub++
	p.subscribers[id] = ch
	return ch, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, ok := p.subscribers[id]; ok {
			delete(p.subscribers, id)
			close(ch)
		}
	}
}

// passiveReply records the bot's answer to a callback as delivered.
func (p *Platform) passiveReply(openID string, r *Reply) {
	if r.MsgType == "transfer_customer_service" {
		// A hand-over to human agents shows the citizen nothing.
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := Delivery{OpenID: openID, Kind: r.MsgType, Text: r.Content, MediaID: r.MediaID, Passive: true}
	if len(r.Articles) > 0 {
		d.Text = r.Articles[0].Title
		d.URL = r.Articles[0].URL
	}
	p.record(d)
}
