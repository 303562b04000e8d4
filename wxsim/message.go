package wxsim

import (
	"bytes"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Message is one callback the platform pushes. Its fields are exported so a
// test can resend the identical message (same MsgID and CreateTime), as the
// platform's retries do.
type Message struct {
	ToUserName   string // the account's gh_… id
	FromUserName string // the citizen's openid
	CreateTime   int64
	MsgType      string // text, image, voice, event, …
	Content      string
	MsgID        int64 // 0 for events, which carry none
	MediaID      string
	Format       string
	Recognition  string
	PicURL       string
	Event        string
	EventKey     string
	// Popup holds the answers of a subscription event
	// (subscribe_msg_popup_event, subscribe_msg_change_event).
	Popup []PopupAnswer
}

// msgIDs hands out MsgIds. They start from the clock so that ids from a new
// process do not repeat ones a bot may still hold in a dedupe store from
// the last run; real MsgIds are 19-digit numbers of the same size.
var msgIDs atomic.Int64

func init() {
	msgIDs.Store(6_000_000_000_000_000_000 + time.Now().UnixNano())
}

func nextMsgID() int64 { return msgIDs.Add(1) }

func (c *Client) base(openID, msgType string) *Message {
	return &Message{ToUserName: c.AccountID, FromUserName: openID, CreateTime: c.now().Unix(), MsgType: msgType}
}

// Text is a citizen's text message.
func (c *Client) Text(openID, content string) *Message {
	m := c.base(openID, "text")
	m.Content, m.MsgID = content, nextMsgID()
	return m
}

// Event is an event push: subscribe, unsubscribe, CLICK (eventKey is the
// button key), VIEW, SCAN, …
func (c *Client) Event(openID, event, eventKey string) *Message {
	m := c.base(openID, "event")
	m.Event, m.EventKey = event, eventKey
	return m
}

// Voice is a voice message; recognition is the platform's transcript, which
// is often empty nowadays.
func (c *Client) Voice(openID, mediaID, recognition string) *Message {
	m := c.base(openID, "voice")
	m.MediaID, m.Format, m.Recognition, m.MsgID = mediaID, "amr", recognition, nextMsgID()
	return m
}

// Image is an image message.
func (c *Client) Image(openID, mediaID, picURL string) *Message {
	m := c.base(openID, "image")
	m.MediaID, m.PicURL, m.MsgID = mediaID, picURL, nextMsgID()
	return m
}

// cdata writes s as CDATA; "]]>" inside is split across two sections, the
// only way to carry it.
func cdata(b *bytes.Buffer, name, s string) {
	b.WriteString("<" + name + "><![CDATA[")
	b.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></" + name + ">\n")
}

func num(b *bytes.Buffer, name string, n int64) {
	b.WriteString("<" + name + ">" + strconv.FormatInt(n, 10) + "</" + name + ">\n")
}

// fields writes the plaintext elements in the platform's order, one per
// line as in the official samples.
func (m *Message) fields(b *bytes.Buffer) {
	cdata(b, "ToUserName", m.ToUserName)
	cdata(b, "FromUserName", m.FromUserName)
	num(b, "CreateTime", m.CreateTime)
	cdata(b, "MsgType", m.MsgType)
	switch m.MsgType {
	case "text":
		cdata(b, "Content", m.Content)
	case "image":
		cdata(b, "PicUrl", m.PicURL)
		cdata(b, "MediaId", m.MediaID)
	case "voice":
		cdata(b, "MediaId", m.MediaID)
		cdata(b, "Format", m.Format)
		if m.Recognition != "" {
			cdata(b, "Recognition", m.Recognition)
		}
	case "event":
		cdata(b, "Event", m.Event)
		if m.EventKey != "" || m.Event == "CLICK" || m.Event == "VIEW" {
			cdata(b, "EventKey", m.EventKey)
		}
		if len(m.Popup) > 0 {
			m.popupFields(b)
		}
	default:
		if m.Content != "" {
			cdata(b, "Content", m.Content)
		}
		if m.MediaID != "" {
			cdata(b, "MediaId", m.MediaID)
		}
	}
	if m.MsgID != 0 {
		num(b, "MsgId", m.MsgID)
	}
}

// XML is the message's plaintext body, the form that is encrypted in the
// encrypted modes.
func (m *Message) XML() []byte {
	var b bytes.Buffer
	b.WriteString("<xml>")
	m.fields(&b)
	b.WriteString("</xml>")
	return b.Bytes()
}

// windowKind is what the message tells the platform about the
// customer-service window, and dedupeKey identifies the message the way
// the platform documents for deduplication.
func (m *Message) windowKind() string {
	if m.MsgType == "event" {
		return m.Event
	}
	return m.MsgType
}

func (m *Message) dedupeKey() string {
	if m.MsgID != 0 {
		return "m" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e" + strconv.FormatInt(m.CreateTime, 10) + m.Event + "\x00" + m.EventKey
}
