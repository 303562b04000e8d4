package wxsim

import (
	"bytes"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"fmt"
)

// Article is one item of a news reply.
type Article struct {
	Title       string `xml:"Title"`
	Description string `xml:"Description"`
	PicURL      string `xml:"PicUrl"`
	URL         string `xml:"Url"`
}

// Reply is the bot's answer to one push. MsgType is empty when the bot
// answered "success" or an empty body (no passive reply).
type Reply struct {
	Status       int
	MsgType      string
	Content      string
	MediaID      string
	Articles     []Article
	ToUserName   string
	FromUserName string
	CreateTime   int64
	Encrypted    bool
	XML          []byte // the reply message, decrypted in the encrypted modes
	Raw          []byte // the body as received
}

type replyXML struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	Image        struct {
		MediaID string `xml:"MediaId"`
	} `xml:"Image"`
	Voice struct {
		MediaID string `xml:"MediaId"`
	} `xml:"Voice"`
	Video struct {
		MediaID string `xml:"MediaId"`
		Title   string `xml:"Title"`
	} `xml:"Video"`
	Music struct {
		Title    string `xml:"Title"`
		MusicURL string `xml:"MusicUrl"`
	} `xml:"Music"`
	ArticleCount int       `xml:"ArticleCount"`
	Articles     []Article `xml:"Articles>item"`

	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// replyTypes are the passive replies the platform can show.
var replyTypes = map[string]bool{
	"text": true, "image": true, "voice": true, "video": true, "music": true,
	"news": true, "transfer_customer_service": true,
}

// ParseReply checks a body the bot answered as the platform would and
// returns the reply it holds, for tests that post requests by hand.
func (c *Client) ParseReply(m *Message, status int, raw []byte) (*Reply, error) {
	rep := &Reply{Status: status, Raw: raw}
	return rep, c.parseReply(m, rep)
}

// parseReply fills rep from its Raw body, checking it as the platform does.
func (c *Client) parseReply(m *Message, rep *Reply) error {
	body := bytes.TrimSpace(rep.Raw)
	if len(body) == 0 || string(body) == "success" {
		return nil
	}
	var outer replyXML
	if err := xml.Unmarshal(body, &outer); err != nil {
		return fmt.Errorf("wxsim: reply is not XML: %w", err)
	}
	inner := body
	switch {
	case outer.Encrypt != "":
		if c.Mode == Plain {
			return errors.New("wxsim: encrypted reply in plain mode")
		}
		want := Sign(c.Token, outer.TimeStamp, outer.Nonce, outer.Encrypt)
		if subtle.ConstantTimeCompare([]byte(want), []byte(outer.MsgSignature)) != 1 {
			return fmt.Errorf("wxsim: reply MsgSignature %q does not match", outer.MsgSignature)
		}
		msg, appID, _, err := Decrypt(c.AESKey, outer.Encrypt)
		if err != nil {
			return fmt.Errorf("wxsim: reply does not decrypt: %w", err)
		}
		if appID != c.AppID {
			return fmt.Errorf("wxsim: reply encrypted for AppID %q, want %q", appID, c.AppID)
		}
		rep.Encrypted = true
		inner = msg
		outer = replyXML{}
		if err := xml.Unmarshal(msg, &outer); err != nil {
			return fmt.Errorf("wxsim: decrypted reply is not XML: %w", err)
		}
	case c.Mode == Safe:
		return errors.New("wxsim: plaintext reply in safe mode")
	}
	rep.XML = inner
	return checkReply(m, &outer, rep)
}

// checkReply copies the reply message into rep after the checks that make
// the platform show "该公众号暂时无法提供服务" instead of the reply.
func checkReply(m *Message, x *replyXML, rep *Reply) error {
	rep.MsgType, rep.Content = x.MsgType, x.Content
	rep.ToUserName, rep.FromUserName, rep.CreateTime = x.ToUserName, x.FromUserName, x.CreateTime
	switch {
	case !replyTypes[x.MsgType]:
		return fmt.Errorf("wxsim: reply MsgType %q is not a passive reply type", x.MsgType)
	case x.ToUserName != m.FromUserName:
		return fmt.Errorf("wxsim: reply ToUserName %q, want the sender %q", x.ToUserName, m.FromUserName)
	case x.FromUserName != m.ToUserName:
		return fmt.Errorf("wxsim: reply FromUserName %q, want the account %q", x.FromUserName, m.ToUserName)
	case x.CreateTime <= 0:
		return errors.New("wxsim: reply has no CreateTime")
	}
	switch x.MsgType {
	case "text":
		if x.Content == "" {
			return errors.New("wxsim: empty text reply")
		}
		if len(x.Content) > MaxTextBytes {
			return fmt.Errorf("wxsim: text reply of %d bytes exceeds %d", len(x.Content), MaxTextBytes)
		}
	case "image":
		rep.MediaID = x.Image.MediaID
	case "voice":
		rep.MediaID = x.Voice.MediaID
	case "video":
		rep.MediaID, rep.Content = x.Video.MediaID, x.Video.Title
	case "music":
		rep.Content = x.Music.Title
	case "news":
		if len(x.Articles) == 0 || len(x.Articles) > 8 || x.ArticleCount != len(x.Articles) {
			return fmt.Errorf("wxsim: news reply has ArticleCount %d and %d articles", x.ArticleCount, len(x.Articles))
		}
		rep.Articles = x.Articles
	}
	switch x.MsgType {
	case "image", "voice", "video":
		if rep.MediaID == "" {
			return fmt.Errorf("wxsim: %s reply without MediaId", x.MsgType)
		}
	}
	return nil
}
