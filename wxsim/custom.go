package wxsim

import (
	"net/http"
	"strings"
)

// MaxTextBytes is the longest customer-service text the platform accepts;
// longer gives 45002. The real limit is undocumented; 2048 bytes is the
// figure community reports converge on.
const MaxTextBytes = 2048

type mediaRef struct {
	MediaID string `json:"media_id"`
}

type customArticle struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	PicURL      string `json:"picurl"`
}

// customMessage is the body of /cgi-bin/message/custom/send.
type customMessage struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image *mediaRef `json:"image"`
	Voice *mediaRef `json:"voice"`
	Video *struct {
		MediaID     string `json:"media_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"video"`
	Music *struct {
		Title    string `json:"title"`
		MusicURL string `json:"musicurl"`
	} `json:"music"`
	News *struct {
		Articles []customArticle `json:"articles"`
	} `json:"news"`
	MPNews        *mediaRef `json:"mpnews"`
	MPNewsArticle *struct {
		ArticleID string `json:"article_id"`
	} `json:"mpnewsarticle"`
	MsgMenu *struct {
		HeadContent string `json:"head_content"`
		List        []struct {
			ID      string `json:"id"`
			Content string `json:"content"`
		} `json:"list"`
		TailContent string `json:"tail_content"`
	} `json:"msgmenu"`
	WxCard *struct {
		CardID string `json:"card_id"`
	} `json:"wxcard"`
	MiniProgramPage *struct {
		Title    string `json:"title"`
		PagePath string `json:"pagepath"`
	} `json:"miniprogrampage"`
}

// toDelivery validates the message body for its msgtype and turns it into
// what the citizen would see; a non-zero errcode means the platform rejects
// it. Caller holds mu.
func (p *Platform) toDelivery(m *customMessage) (Delivery, int) {
	d := Delivery{OpenID: m.ToUser, Kind: m.MsgType}
	media := func(ref *mediaRef) int {
		if ref == nil || ref.MediaID == "" {
			return 40007
		}
		if _, ok := p.liveMedia(ref.MediaID); !ok {
			return 40007
		}
		d.MediaID = ref.MediaID
		return 0
	}
	switch m.MsgType {
	case "text":
		if m.Text == nil || m.Text.Content == "" {
			return d, 44004
		}
		if len(m.Text.Content) > MaxTextBytes {
			return d, 45002
		}
		d.Text = m.Text.Content
	case "image":
		return d, media(m.Image)
	case "voice":
		return d, media(m.Voice)
	case "video":
		if m.Video == nil {
			return d, 40007
		}
		d.Text = m.Video.Title
		return d, media(&mediaRef{MediaID: m.Video.MediaID})
	case "music":
		if m.Music == nil {
			return d, 47001
		}
		d.Text, d.URL = m.Music.Title, m.Music.MusicURL
	case "news":
		if m.News == nil || len(m.News.Articles) == 0 {
			return d, 47001
		}
		a := m.News.Articles[0]
		d.Text = strings.TrimSpace(a.Title + "\n" + a.Description)
		d.URL = a.URL
	case "mpnews":
		if m.MPNews == nil || m.MPNews.MediaID == "" {
			return d, 40007
		}
		d.MediaID = m.MPNews.MediaID
	case "mpnewsarticle":
		if m.MPNewsArticle == nil || m.MPNewsArticle.ArticleID == "" {
			return d, 47001
		}
		d.MediaID = m.MPNewsArticle.ArticleID
	case "msgmenu":
		if m.MsgMenu == nil || len(m.MsgMenu.List) == 0 {
			return d, 47001
		}
		lines := []string{m.MsgMenu.HeadContent}
		for _, it := range m.MsgMenu.List {
			lines = append(lines, it.Content)
		}
		lines = append(lines, m.MsgMenu.TailContent)
		d.Text = strings.TrimSpace(strings.Join(lines, "\n"))
		if len(d.Text) > MaxTextBytes {
			return d, 45002
		}
	case "wxcard":
		if m.WxCard == nil || m.WxCard.CardID == "" {
			return d, 47001
		}
		d.MediaID = m.WxCard.CardID
	case "miniprogrampage":
		if m.MiniProgramPage == nil {
			return d, 47001
		}
		d.Text, d.URL = m.MiniProgramPage.Title, m.MiniProgramPage.PagePath
	default:
		return d, 40008
	}
	return d, 0
}

// handleCustomSend answers /cgi-bin/message/custom/send, enforcing the
// customer-service window: the message is checked in full before a send is
// spent, so a rejected message never uses up quota.
func (p *Platform) handleCustomSend(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	var m customMessage
	if !readJSON(w, r, &m) {
		return
	}
	u := p.users[m.ToUser]
	if u == nil {
		writeErr(w, 40003)
		return
	}
	d, code := p.toDelivery(&m)
	if code != 0 {
		writeErr(w, code)
		return
	}
	if code := takeWindow(u, p.now()); code != 0 {
		writeErr(w, code)
		return
	}
	p.record(d)
	writeOK(w, nil)
}

// handleTyping answers /cgi-bin/message/custom/typing. It needs a live
// window like a send but spends none of its quota, and is not a delivery.
func (p *Platform) handleTyping(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	var req struct {
		ToUser  string `json:"touser"`
		Command string `json:"command"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	u := p.users[req.ToUser]
	if u == nil {
		writeErr(w, 40003)
		return
	}
	if req.Command != "Typing" && req.Command != "CancelTyping" {
		writeErr(w, 47001)
		return
	}
	now := p.now()
	if !u.following || (!u.long.open(now) && !u.short.open(now)) {
		writeErr(w, 45015)
		return
	}
	writeOK(w, nil)
}
