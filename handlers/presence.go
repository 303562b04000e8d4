package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"jiefen/store"
)

// Who else has a case open: each console page showing a case tells its
// websocket which case (console.js sends {"watch": id}), and says it again
// every 10 seconds, its heartbeat; each time the hub refreshes the page's
// entry in the store's presence (store.Presence), which lasts presenceTTL.
// A closed tab leaves at once (its connection ends); a page whose browser,
// network or instance died stops beating and drops out within presenceTTL,
// though nobody removes it: the next refresh of the case by anyone drops
// it and tells the others. A change in who is there comes back through
// store.Subscribe, from any instance on the same Redis, and every page
// showing that case gets the names of the others there.

// presenceTTL is how long a page counts as open after its last heartbeat
// (every 10 s): two missed beats, then gone.
const presenceTTL = 30 * time.Second

// presenceEvent tells a case page who else has the case open.
type presenceEvent struct {
	Case     string   `json:"case"`
	Presence []string `json:"presence"` // people's names, never the reader's own; empty: nobody else
}

func newPageID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// watch records that cl's page shows caseID, if its user may see it (a
// page never learns of, or announces itself on, a case it may not see).
func (h *hub) watch(cl *wsClient, caseID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	k, err := h.c.Store.Case(ctx, caseID)
	if err != nil || !h.c.Cases.CanSee(cl.user, k) {
		return
	}
	cl.watchMu.Lock()
	old := cl.watch
	cl.watch = caseID
	cl.watchMu.Unlock()
	if old != "" && old != caseID {
		h.absent(ctx, cl, old)
	}
	now := h.c.Now()
	if err := h.c.Store.Present(ctx, caseID, store.Viewer(cl.page, cl.user.Name), now.Add(presenceTTL), now); err != nil {
		h.c.Log.Warn("presence", "err", err)
	}
	// Whether or not that announced anything, this page needs the list.
	h.sendPresence(ctx, caseID, []*wsClient{cl})
}

// refresh keeps cl's entry alive at its page's heartbeat; it also drops
// entries that ran out, which announces them.
func (h *hub) refresh(cl *wsClient) {
	id := cl.watching()
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := h.c.Now()
	if err := h.c.Store.Present(ctx, id, store.Viewer(cl.page, cl.user.Name), now.Add(presenceTTL), now); err != nil {
		h.c.Log.Warn("presence", "err", err)
	}
}

// leave removes cl's entry when its connection ends.
func (h *hub) leave(cl *wsClient) {
	if id := cl.watching(); id != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.absent(ctx, cl, id)
	}
}

func (h *hub) absent(ctx context.Context, cl *wsClient, caseID string) {
	if err := h.c.Store.Absent(ctx, caseID, store.Viewer(cl.page, cl.user.Name)); err != nil {
		h.c.Log.Warn("presence", "err", err)
	}
}

// publishPresence sends every page of this instance showing caseID who
// else is there.
func (h *hub) publishPresence(ctx context.Context, caseID string) {
	h.mu.Lock()
	var targets []*wsClient
	for cl := range h.clients {
		if cl.watching() == caseID {
			targets = append(targets, cl)
		}
	}
	h.mu.Unlock()
	if len(targets) > 0 {
		h.sendPresence(ctx, caseID, targets)
	}
}

func (h *hub) sendPresence(ctx context.Context, caseID string, targets []*wsClient) {
	viewers, err := h.c.Store.Viewers(ctx, caseID, h.c.Now())
	if err != nil {
		h.c.Log.Warn("presence", "err", err)
		return
	}
	// Login name → the name people see, looked up once per user.
	names := map[string]string{}
	for _, v := range viewers {
		login := store.ViewerUser(v)
		if _, ok := names[login]; ok {
			continue
		}
		names[login] = login
		if u, err := h.c.Store.User(ctx, login); err == nil {
			names[login] = u.Shown()
		}
	}
	for _, cl := range targets {
		others := []string{}
		for login, name := range names {
			if login != cl.user.Name && !slices.Contains(others, name) {
				others = append(others, name)
			}
		}
		slices.Sort(others)
		b, err := json.Marshal(presenceEvent{Case: caseID, Presence: others})
		if err == nil {
			h.offer(cl, b)
		}
	}
}
