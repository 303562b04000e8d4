package wxsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// APIBase is the host every silenceper endpoint is hard-coded to.
const APIBase = "https://api.weixin.qq.com"

// RewriteURI returns a function for util.SetURIModifier that sends the
// library's calls to base (an httptest URL serving a Platform) instead of
// the real host.
func RewriteURI(base string) func(uri string) string {
	base = strings.TrimRight(base, "/")
	return func(uri string) string {
		if strings.HasPrefix(uri, APIBase) {
			return base + strings.TrimPrefix(uri, APIBase)
		}
		return uri
	}
}

// Platform stands in for api.weixin.qq.com. It is an http.Handler and is
// safe for concurrent use.
type Platform struct {
	// onPopup pushes the citizen's answer to the stand-in subscription
	// popup (jssdk.go) to the bot; set it with SetOnPopup.
	onPopup func(openID string, answers []PopupAnswer)

	// Now is the platform's clock; nil means time.Now. Set it before the
	// platform serves requests: the field itself is not guarded.
	Now func() time.Time

	appID, secret string

	mu sync.Mutex

	// tokens maps every token ever issued to its state so that stale ones
	// answer 40001/42001 like the real platform instead of "unknown".
	tokens    map[string]*token
	stable    *token
	classic   *token
	fetches   int
	failNext  []int
	failToken []int
	down      bool
	users     map[string]*user
	opened    map[string]time.Time
	templates map[string]bool
	// longTemplates are the long-term subscription templates (one
	// consent, many notices); the others in templates are one-time.
	longTemplates map[string]bool
	ticket        string // the jsapi_ticket, for the JS-SDK
	ticketUntil   time.Time
	ticketFetches int
	sentTpl       map[string]sentTemplate
	nextTplID     int64
	media         map[string]mediaItem
	menu          []byte
	deliveries    []Delivery
	seq           int64
	subscribers   map[int]chan Delivery
	nextSub       int
}

// NewPlatform returns a platform that accepts the given credentials.
func NewPlatform(appID, secret string) *Platform {
	return &Platform{
		appID:         appID,
		secret:        secret,
		tokens:        map[string]*token{},
		users:         map[string]*user{},
		opened:        map[string]time.Time{},
		templates:     map[string]bool{},
		longTemplates: map[string]bool{},
		sentTpl:       map[string]sentTemplate{},
		nextTplID:     2_000_000_000,
		media:         map[string]mediaItem{},
		subscribers:   map[int]chan Delivery{},
	}
}

func (p *Platform) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// FailNext makes the next n API calls (every endpoint except the two token
// endpoints) answer errcode, before any other check. Token endpoints have
// their own queue, FailNextToken, so a test of "send fails, bot refreshes
// the token, retries" is not upset by the refresh eating the failure.
func (p *Platform) FailNext(n int, errcode int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 0; i < n; i++ {
		p.failNext = append(p.failNext, errcode)
	}
}

// FailNextToken makes the next n calls to /cgi-bin/token or
// /cgi-bin/stable_token answer errcode (45009 quota, -1 system busy …).
func (p *Platform) FailNextToken(n int, errcode int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 0; i < n; i++ {
		p.failToken = append(p.failToken, errcode)
	}
}

// SetDown makes the platform unreachable: every request has its connection
// closed without an answer (HTTP 503 where the connection cannot be taken
// over). Nothing is recorded or consumed while down.
func (p *Platform) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// popFail takes the next injected failure from q, if any. Caller holds mu.
func popFail(q *[]int) (int, bool) {
	if len(*q) == 0 {
		return 0, false
	}
	code := (*q)[0]
	*q = (*q)[1:]
	return code, true
}

// errMsgs holds the platform's own wording, so a bot that logs errmsg sees
// what it would see in production.
var errMsgs = map[int]string{
	-1:    "system error",
	0:     "ok",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40004: "invalid media type",
	40007: "invalid media_id",
	40008: "invalid message type",
	40013: "invalid appid",
	40014: "invalid access_token",
	40016: "invalid button size",
	40037: "invalid template_id",
	40097: "invalid args",
	40125: "invalid appsecret",
	41001: "access_token missing",
	41002: "appid missing",
	41004: "appsecret missing",
	41005: "media data missing",
	42001: "access_token expired",
	43002: "require POST method",
	43004: "require subscribe",
	43101: "user refuse to accept the msg",
	44002: "empty post data",
	44004: "empty content",
	45002: "content size out of limit",
	45009: "reach max api daily quota limit",
	45011: "api minute-quota reach limit",
	45015: "response out of time limit or subscription is canceled",
	45047: "out of response count limit",
	46003: "menu no exist",
	47001: "data format error",
	47003: "argument invalid!",
	48001: "api unauthorized",
}

// errMsg returns the wording for code with a request id appended, as the
// real platform does for every error.
func errMsg(code int) string {
	msg, ok := errMsgs[code]
	if !ok {
		msg = "injected error"
	}
	if code == 0 {
		return msg
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s rid: %s-%s-%s", msg, h[:8], h[8:16], h[16:])
}

// writeJSON answers status 200 with v, the way the platform answers even
// its errors.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeErr(w http.ResponseWriter, code int) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": errMsg(code)})
}

func writeOK(w http.ResponseWriter, extra map[string]any) {
	m := map[string]any{"errcode": 0, "errmsg": "ok"}
	for k, v := range extra {
		m[k] = v
	}
	writeJSON(w, m)
}

// maxJSONBody bounds request bodies; the real limits are undocumented and a
// stand-in only needs to avoid unbounded reads.
const maxJSONBody = 1 << 20

// readJSON decodes the request body into v, answering 44002 or 47001 itself
// when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		writeErr(w, 44002)
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeErr(w, 47001)
		return false
	}
	return true
}

// route is one endpoint: the methods it accepts, whether it is a token
// endpoint, and its handler, which runs with mu held.
type route struct {
	post    bool
	get     bool
	tokenEP bool
	handle  func(p *Platform, w http.ResponseWriter, r *http.Request)
}

var routes = map[string]route{
	"/cgi-bin/token":                     {get: true, post: true, tokenEP: true, handle: (*Platform).handleToken},
	"/cgi-bin/stable_token":              {post: true, tokenEP: true, handle: (*Platform).handleStableToken},
	"/cgi-bin/message/custom/send":       {post: true, handle: (*Platform).handleCustomSend},
	"/cgi-bin/message/custom/typing":     {post: true, handle: (*Platform).handleTyping},
	"/cgi-bin/message/template/send":     {post: true, handle: (*Platform).handleTemplateSend},
	"/cgi-bin/message/subscribe/bizsend": {post: true, handle: (*Platform).handleBizSend},
	"/cgi-bin/ticket/getticket":          {get: true, handle: (*Platform).handleTicket},
	"/cgi-bin/media/get":                 {get: true, handle: (*Platform).handleMediaGet},
	"/cgi-bin/media/upload":              {post: true, handle: (*Platform).handleMediaUpload},
	"/cgi-bin/menu/create":               {post: true, handle: (*Platform).handleMenuCreate},
	"/cgi-bin/menu/get":                  {get: true, handle: (*Platform).handleMenuGet},
	"/cgi-bin/menu/delete":               {get: true, handle: (*Platform).handleMenuDelete},
	"/cgi-bin/user/info":                 {get: true, handle: (*Platform).handleUserInfo},
}

// ServeHTTP answers one API call. All state changes happen under one lock:
// the platform is a test fixture, so simplicity beats throughput.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		hangUp(w)
		return
	}
	if strings.HasPrefix(r.URL.Path, videoPath) {
		p.serveVideo(w, r)
		return
	}
	if p.serveJSSDK(w, r) {
		return
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	q := &p.failNext
	if rt.tokenEP {
		q = &p.failToken
	}
	if code, ok := popFail(q); ok {
		writeErr(w, code)
		return
	}
	switch {
	case r.Method == http.MethodPost && rt.post, r.Method == http.MethodGet && rt.get:
	case r.Method == http.MethodGet:
		writeErr(w, 43002)
		return
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	rt.handle(p, w, r)
}

// hangUp closes the connection without answering, which is what a client
// sees when the platform cannot be reached.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	w.Header().Set("Connection", "close")
	http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
}
