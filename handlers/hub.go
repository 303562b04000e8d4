package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/store"
	"jiefen/workflow"
)

// The hub fans case changes out to the console's and the API's websocket
// clients. It listens to store.Subscribe, which carries every instance's
// commits (on Redis, across instances), and sends each client only the
// cases its user may see. Publishing never blocks: a client whose buffer
// is full is disconnected (its page reconnects and reloads).
type hub struct {
	c *Web

	mu      sync.Mutex
	clients map[*wsClient]struct{}
}

type wsClient struct {
	user    store.User
	session string    // the session's id hash; "" for an API token
	token   string    // the API token's hash; "" for a session
	expires time.Time // when the session ends; zero for an API token
	send    chan []byte
	done    chan struct{} // closed once when the client is dropped; send is never closed
	conn    *websocket.Conn
	once    sync.Once

	// page names this connection among those open on a case (presence);
	// watch is the case its page shows ("" on the queue), set by the
	// page's {"watch": id} message.
	page    string
	watchMu sync.Mutex
	watch   string
}

func (cl *wsClient) watching() string {
	cl.watchMu.Lock()
	defer cl.watchMu.Unlock()
	return cl.watch
}

const (
	clientBuffer = 64
	writeWait    = 10 * time.Second
	pongWait     = 60 * time.Second
	pingEvery    = 25 * time.Second
	// recheckEvery is how often an idle stream re-reads its user and
	// session or token: a user moved, demoted or signed out elsewhere
	// loses the stream within seconds, not at the next event.
	recheckEvery = 3 * time.Second
)

func newHub(c *Web) *hub { return &hub{c: c, clients: map[*wsClient]struct{}{}} }

// streamEvent is what a client receives when a case it may see changes.
type streamEvent struct {
	Case       string   `json:"case"`
	New        bool     `json:"new,omitempty"`
	Gone       bool     `json:"gone,omitempty"` // the case left the client's body
	StatusName string   `json:"status_name"`
	Data       caseJSON `json:"data"`
}

// Listen feeds the console's and the API's streams until ctx ends,
// subscribing again when the store's subscription breaks (Redis
// restarted, say).
func (c *Web) Listen(ctx context.Context) {
	c.init()
	for ctx.Err() == nil {
		notices, err := c.Store.Subscribe(ctx)
		if err != nil {
			c.Log.Warn("case stream: subscribe", "err", err)
		} else {
			for n := range notices {
				c.hub.publish(ctx, n)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (h *hub) publish(ctx context.Context, n store.Notice) {
	if n.Presence {
		h.publishPresence(ctx, n.CaseID)
		return
	}
	if n.Alert != "" {
		h.publishAlert(ctx, n.Alert)
		return
	}
	k, err := h.c.Store.Case(ctx, n.CaseID)
	if err != nil {
		h.c.Log.Warn("case stream: read case", "case", n.CaseID, "err", err)
		return
	}
	now := h.c.Now()
	h.mu.Lock()
	var targets, gone []*wsClient
	for cl := range h.clients {
		if cl.session != "" && !now.Before(cl.expires) {
			continue // the session ended; its writer closes it at the next ping
		}
		if h.c.Cases.CanSee(cl.user, k) {
			targets = append(targets, cl)
		} else if n.Left != "" && cl.user.Body == n.Left {
			gone = append(gone, cl)
		}
	}
	h.mu.Unlock()
	// Those whose body the case just left learn only that it is gone.
	if len(gone) > 0 {
		b, _ := json.Marshal(streamEvent{Case: k.ID, Gone: true})
		for _, cl := range gone {
			h.offer(cl, b)
		}
	}
	// Encoded per client outside the lock: what is masked depends on who.
	for _, cl := range targets {
		b, err := json.Marshal(streamEvent{Case: k.ID, New: n.New, StatusName: k.Status.Name(), Data: h.c.caseOut(cl.user, k)})
		if err != nil {
			continue
		}
		h.offer(cl, b)
	}
}

// alertEvent is what a client that may see alerts receives when one is
// opened or changes.
type alertEvent struct {
	Alert string            `json:"alert"`
	Data  workflow.AlertOut `json:"data"`
}

// publishAlert sends an alert to the clients whose users may see alerts
// (admins and the duty desk's staff).
func (h *hub) publishAlert(ctx context.Context, id string) {
	a, err := h.c.Store.Alert(ctx, id)
	if err != nil {
		h.c.Log.Warn("case stream: read alert", "alert", id, "err", err)
		return
	}
	b, err := json.Marshal(alertEvent{Alert: a.ID, Data: workflow.Out(a)})
	if err != nil {
		return
	}
	now := h.c.Now()
	h.mu.Lock()
	var targets []*wsClient
	for cl := range h.clients {
		if (cl.session == "" || now.Before(cl.expires)) && h.c.Cases.CanSeeAlerts(cl.user) {
			targets = append(targets, cl)
		}
	}
	h.mu.Unlock()
	for _, cl := range targets {
		h.offer(cl, b)
	}
}

// offer hands an event to a client without ever blocking the publisher.
func (h *hub) offer(cl *wsClient, b []byte) {
	select {
	case cl.send <- b:
	case <-cl.done:
	default:
		h.drop(cl) // too slow: its page reconnects and reloads
	}
}

// drop forgets a client and tells its writer to close the connection.
// send is never closed, so a publisher holding an old list of clients
// cannot panic on it.
func (h *hub) drop(cl *wsClient) {
	h.mu.Lock()
	delete(h.clients, cl)
	h.mu.Unlock()
	cl.once.Do(func() { close(cl.done) })
}

// dropSession closes the streams of a session that logged out.
func (h *hub) dropSession(idHash string) {
	h.dropWhere(func(cl *wsClient) bool { return cl.session == idHash })
}

// dropUser closes a user's streams on this instance at once (the user
// was disabled); other instances close theirs at their next re-check.
func (h *hub) dropUser(name string) {
	h.dropWhere(func(cl *wsClient) bool { return cl.user.Name == name })
}

// dropToken closes the streams of a revoked token on this instance.
func (h *hub) dropToken(hash string) {
	h.dropWhere(func(cl *wsClient) bool { return cl.token == hash })
}

func (h *hub) dropWhere(match func(*wsClient) bool) {
	h.mu.Lock()
	var gone []*wsClient
	for cl := range h.clients {
		if match(cl) {
			gone = append(gone, cl)
		}
	}
	h.mu.Unlock()
	for _, cl := range gone {
		h.drop(cl)
	}
}

// stillValid re-checks a client's session or API token and its user, so
// a stream keeps no more access than a new request would get: it ends
// with the session (logout on another instance, expiry), a token that is
// gone, or a user moved to another body, given another role or removed.
// A store that cannot answer ends it too; the client reconnects.
func (h *hub) stillValid(cl *wsClient) bool {
	now := h.c.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch {
	case cl.session != "":
		if !now.Before(cl.expires) {
			return false
		}
		s, err := h.c.Store.Session(ctx, cl.session, now)
		if err != nil || s.User != cl.user.Name {
			return false
		}
		u, err := h.c.Store.User(ctx, cl.user.Name)
		return err == nil && sessionHolds(u, s) && u.Role == cl.user.Role && u.Body == cl.user.Body
	case cl.token != "":
		if t, err := h.c.Store.Token(ctx, cl.token); err != nil || t.User != cl.user.Name || !t.Live(now) {
			return false // revoked, expired
		}
	default:
		return false // neither: nothing vouches for the stream any more
	}
	u, err := h.c.Store.User(ctx, cl.user.Name)
	return err == nil && !u.Disabled && u.Role == cl.user.Role && u.Body == cl.user.Body
}

// sameOrigin refuses a browser page of another site opening a websocket
// with the user's cookies (cross-site websocket hijacking). API clients
// that send no Origin are not browsers and authenticate by token.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return !strings.HasPrefix(r.URL.Path, "/console/")
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	// The host the browser asked for: behind a trusted proxy the one it
	// forwards; from anyone else the header is the client's word, and a
	// page of another site could name itself in it.
	host := r.Host
	if fwd := forwarded(r, "X-Forwarded-Host"); fwd != "" {
		host = fwd
	}
	return strings.EqualFold(u.Host, host)
}

var upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096, CheckOrigin: sameOrigin}

func (h *hub) serveConsole(w http.ResponseWriter, r *http.Request) error { return h.serve(w, r) }
func (h *hub) serveAPI(w http.ResponseWriter, r *http.Request) error     { return h.serve(w, r) }

func (h *hub) serve(w http.ResponseWriter, r *http.Request) error {
	if !sameOrigin(r) {
		http.Error(w, "forbidden origin", http.StatusForbidden)
		return nil
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	v := current(r)
	cl := &wsClient{user: v.User, session: v.session, token: v.token, expires: v.expires,
		send: make(chan []byte, clientBuffer), done: make(chan struct{}), conn: conn, page: newPageID()}
	h.mu.Lock()
	h.clients[cl] = struct{}{}
	h.mu.Unlock()
	go h.write(cl)
	h.read(cl)
	h.drop(cl)
	h.leave(cl) // the tab closed (or its connection died): it no longer has the case open
	return nil
}

// read takes what the page says (which case it shows) and notices when it
// goes away.
func (h *hub) read(cl *wsClient) {
	cl.conn.SetReadLimit(512)
	_ = cl.conn.SetReadDeadline(time.Now().Add(pongWait))
	cl.conn.SetPongHandler(func(string) error { return cl.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, msg, err := cl.conn.ReadMessage()
		if err != nil {
			return
		}
		var m struct {
			Watch string `json:"watch"`
		}
		switch {
		case json.Unmarshal(msg, &m) != nil || m.Watch == "":
		case m.Watch == cl.watching():
			h.refresh(cl) // the page's heartbeat: still open
		default:
			h.watch(cl, m.Watch)
		}
	}
}

// write is the only writer of the connection. Before each event, and
// every recheckEvery while idle, it checks that the user's access still
// holds: an event encoded for the user as they were is never written
// once they are not.
func (h *hub) write(cl *wsClient) {
	ping := time.NewTicker(pingEvery)
	recheck := time.NewTicker(recheckEvery)
	defer func() {
		ping.Stop()
		recheck.Stop()
		cl.conn.Close()
	}()
	for {
		select {
		case <-cl.done:
			_ = cl.conn.SetWriteDeadline(time.Now().Add(writeWait))
			_ = cl.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
			return
		case msg := <-cl.send:
			if !h.stillValid(cl) {
				h.drop(cl)
				continue
			}
			_ = cl.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := cl.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-recheck.C:
			if !h.stillValid(cl) {
				h.drop(cl)
			}
		case <-ping.C:
			_ = cl.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := cl.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}
