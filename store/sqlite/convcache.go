package sqlite

import (
	"slices"
	"sync"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// convCache keeps each citizen's conversation (citizen and dialog) as the
// last commit left it, so a callback need not read it back: every
// callback reads it first, and the embedded store has one writer, this
// process, so what it committed is what the database holds. Entries are
// written through after a commit succeeds (never before), and dropped by
// any other write to a citizen (the messenger's window counting).
type convCache struct {
	mu sync.Mutex
	m  map[string]convEntry
}

type convEntry struct {
	c dispute.Citizen
	d store.Dialog
}

// convCacheMax bounds the cache; past it, it starts again empty.
const convCacheMax = 50_000

func (cc *convCache) get(openID string) (convEntry, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.m[openID]
	if ok {
		e.d.Draft.Media = slices.Clone(e.d.Draft.Media)
	}
	return e, ok
}

func (cc *convCache) put(openID string, e convEntry) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil || len(cc.m) >= convCacheMax {
		cc.m = map[string]convEntry{}
	}
	e.d.Draft.Media = slices.Clone(e.d.Draft.Media)
	cc.m[openID] = e
}

// reset forgets every entry.
func (cc *convCache) reset() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.m = nil
}

func (cc *convCache) drop(openID string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	delete(cc.m, openID)
}

// committed updates the cache after ch was stored: a Change carrying both
// the citizen and the dialog of one person (most callbacks') leaves a known
// state; one carrying only the citizen (a turn that moved no dialog step)
// updates the citizen of a cached entry, whose dialog it left as it was;
// anything else only drops what it touched.
func (cc *convCache) committed(ch store.Change) {
	c, d := ch.Citizen, ch.Dialog
	switch {
	case c != nil && d != nil && c.OpenID == d.OpenID:
		dd := *d
		dd.Version++
		dd.UpdatedAt = trunc(dd.UpdatedAt)
		cc.put(c.OpenID, convEntry{c: asStored(*c), d: dd})
		return
	case c != nil && d == nil:
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if e, ok := cc.m[c.OpenID]; ok {
			e.c = asStored(*c)
			cc.m[c.OpenID] = e
		}
		return
	}
	if c != nil {
		cc.drop(c.OpenID)
	}
	if d != nil {
		cc.drop(d.OpenID)
	}
}

// asStored is a citizen as the database gives it back: times in
// milliseconds, UTC.
func asStored(t dispute.Citizen) dispute.Citizen {
	t.ConsentAt, t.LastInboundAt, t.WindowUntil = trunc(t.ConsentAt), trunc(t.LastInboundAt), trunc(t.WindowUntil)
	return t
}

func trunc(t time.Time) time.Time { return store.FromUnixMS(store.UnixMS(t)) }
