package wxsim

import (
	"net/http"
	"strings"
	"time"
)

// Customer-service (客服) window rules as published by the platform: a
// citizen message allows 5 sends within 48 hours; a follow, menu click or
// QR scan allows 3 within one minute.
const (
	MessageWindow = 48 * time.Hour
	MessageQuota  = 5
	EventWindow   = time.Minute
	EventQuota    = 3
)

// window is one grant of customer-service sends.
type window struct {
	until time.Time
	left  int
}

func (w window) open(now time.Time) bool { return now.Before(w.until) }

// user is what the platform knows about one follower. A message window and
// an event window are kept apart because a click does not shorten the 48 h
// grant a message gave, and a message does not cancel the click's grant.
type user struct {
	following  bool
	followedAt time.Time
	long       window
	short      window
	// consents counts one-time subscription-notification consents per
	// template id.
	consents map[string]int
	// longConsents are the long-term templates the citizen accepted: each
	// serves every notice until refused.
	longConsents map[string]bool
}

// userFor returns the record for openID, creating a follower. Caller holds mu.
func (p *Platform) userFor(openID string, now time.Time) *user {
	u := p.users[openID]
	if u == nil {
		u = &user{following: true, followedAt: now, consents: map[string]int{}, longConsents: map[string]bool{}}
		p.users[openID] = u
	}
	return u
}

// AddUser registers openID as a follower without opening any window, for
// citizens who followed long ago (template messages reach them; 客服 does
// not).
func (p *Platform) AddUser(openID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.userFor(openID, p.now())
}

// Window kinds accepted by Opened besides message types and event names.
const (
	KindMessage     = "message"
	KindSubscribe   = "subscribe"
	KindClick       = "CLICK"
	KindUnsubscribe = "unsubscribe"
)

// Opened tells the platform that the citizen did something that opens a
// customer-service window. kind is a message type (text, image, voice,
// video, shortvideo, location, link, or "message") for the 48 h window; an
// event name (subscribe, CLICK, SCAN, scancode_push, scancode_waitmsg) for
// the one-minute window; "unsubscribe" ends the follow. Other kinds only
// register the citizen. Each call grants a fresh quota.
func (p *Platform) Opened(openID, kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open(openID, kind, p.now())
}

// openOnce is Opened for one specific callback: a message the platform
// pushes twice (a retry, or a test resending it) opens its window only once.
func (p *Platform) openOnce(openID, kind, key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, at := range p.opened {
		if now.Sub(at) > MessageWindow {
			delete(p.opened, k)
		}
	}
	k := openID + "\x00" + key
	if _, seen := p.opened[k]; seen {
		return
	}
	p.opened[k] = now
	p.open(openID, kind, now)
}

// open applies kind to openID. Caller holds mu.
func (p *Platform) open(openID, kind string, now time.Time) {
	u := p.userFor(openID, now)
	switch k := strings.ToLower(kind); k {
	case KindMessage, "text", "image", "voice", "video", "shortvideo", "location", "link":
		u.following = true
		u.long = window{until: now.Add(MessageWindow), left: MessageQuota}
	case "subscribe", "click", "scan", "scancode_push", "scancode_waitmsg":
		if k == "subscribe" && !u.following {
			u.followedAt = now
		}
		u.following = true
		u.short = window{until: now.Add(EventWindow), left: EventQuota}
	case "unsubscribe":
		u.following = false
		u.long, u.short = window{}, window{}
		u.consents = map[string]int{}
		u.longConsents = map[string]bool{}
	}
}

// takeWindow spends one customer-service send for u, or returns the
// platform's errcode: 45015 when no window is open (or the citizen left),
// 45047 when the open windows are used up. The window that closes first is
// spent first. Caller holds mu.
func takeWindow(u *user, now time.Time) int {
	if !u.following {
		return 45015
	}
	var open []*window
	for _, w := range []*window{&u.short, &u.long} {
		if w.open(now) {
			open = append(open, w)
		}
	}
	if len(open) == 0 {
		return 45015
	}
	if len(open) == 2 && open[1].until.Before(open[0].until) {
		open[0], open[1] = open[1], open[0]
	}
	for _, w := range open {
		if w.left > 0 {
			w.left--
			return 0
		}
	}
	return 45047
}

// WindowLeft reports how many customer-service sends openID has left now
// and when the last open window closes, so a test can assert on what a
// mediator would be shown.
func (p *Platform) WindowLeft(openID string) (left int, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[openID]
	if u == nil || !u.following {
		return 0, time.Time{}
	}
	now := p.now()
	for _, w := range []window{u.short, u.long} {
		if w.open(now) {
			left += w.left
			if w.until.After(until) {
				until = w.until
			}
		}
	}
	return left, until
}

// handleUserInfo answers /cgi-bin/user/info. Since 2021 the platform no
// longer returns nickname, avatar, sex or region, so neither does this.
func (p *Platform) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	openID := r.URL.Query().Get("openid")
	u := p.users[openID]
	if u == nil {
		writeErr(w, 40003)
		return
	}
	if !u.following {
		writeJSON(w, map[string]any{"subscribe": 0, "openid": openID})
		return
	}
	writeJSON(w, map[string]any{
		"subscribe":       1,
		"openid":          openID,
		"language":        "zh_CN",
		"subscribe_time":  u.followedAt.Unix(),
		"remark":          "",
		"groupid":         0,
		"tagid_list":      []int{},
		"subscribe_scene": "ADD_SCENE_SEARCH",
		"qr_scene":        0,
		"qr_scene_str":    "",
	})
}
