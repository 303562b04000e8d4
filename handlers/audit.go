package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"jiefen/store"
)

// The audit log: who viewed, changed, exported or sent what, when and
// from where. Every entry is written here, by record; actions are wrapped
// by audited in the route tables, views and exports call recordAccess.

// errUnaccounted refuses a view the audit log could not record: personal
// data must not be read without a trace.
var errUnaccounted = errors.New("the audit log is unavailable")

// record appends an entry for the request's user. Detail must never hold
// personal data (message text, openids, phone numbers).
func (c *Web) record(r *http.Request, action, caseID, detail string) error {
	return c.recordAs(r, current(r).User, action, caseID, detail)
}

// recordAs appends an entry for u, who may not be signed in yet (a login).
func (c *Web) recordAs(r *http.Request, u store.User, action, caseID, detail string) error {
	return c.Store.AppendAudit(r.Context(), store.AuditEntry{At: c.Now(), User: u.Name, Role: u.Role,
		Action: action, CaseID: caseID, Detail: detail, Addr: auditAddr(r)})
}

// recordAccess records that the user is about to read data (a view of a
// case or a list, an export): when that cannot be recorded, the reading is
// refused.
func (c *Web) recordAccess(r *http.Request, action, caseID, detail string) error {
	if err := c.record(r, action, caseID, detail); err != nil {
		c.Log.Error("audit: access not recorded, refused", "action", action, "err", err)
		return errUnaccounted
	}
	return nil
}

// auditNote lets an action say more precisely what it did ("status
// accepted") than its route does ("status").
type auditNote struct{ detail string }

type auditNoteKey struct{}

// noteAudit adds to the detail of the current action's entry; more is a
// code or a name, never personal data.
func noteAudit(ctx context.Context, more string) {
	if n, ok := ctx.Value(auditNoteKey{}).(*auditNote); ok {
		n.detail = strings.TrimSpace(n.detail + " " + more)
	}
}

// audited wraps an action (a change, a send, a logout): when it succeeds,
// one entry records it. The change is made by then, so a failure to record
// it is logged rather than undone.
func (c *Web) audited(action, detail string, h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n := &auditNote{detail: detail}
		r = r.WithContext(context.WithValue(r.Context(), auditNoteKey{}, n))
		if err := h(w, r); err != nil {
			return err
		}
		if err := c.record(r, action, r.PathValue("id"), n.detail); err != nil {
			c.Log.Warn("audit: action not recorded", "action", action, "err", err)
		}
		return nil
	}
}

// viewWindow is how long a recorded view of a case covers the live
// refreshes of the page that made it.
const viewWindow = 30 * time.Minute

// viewLog remembers, per instance, which user last had a view of which case
// recorded, and when: the thread a case page refreshes live is recorded
// only when no view of that case by that user was recorded within
// viewWindow, so reading it directly (a script, a page left open for
// hours) is accounted for while the page's refreshes do not flood the log.
type viewLog struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// fresh reports whether user's view of caseID was recorded within
// viewWindow before now.
func (v *viewLog) fresh(user, caseID string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	at, ok := v.m[user+"\x00"+caseID]
	return ok && now.Sub(at) < viewWindow
}

// seen notes that user's view of caseID was recorded at now.
func (v *viewLog) seen(user, caseID string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= 10_000 {
		for k, at := range v.m {
			if now.Sub(at) >= viewWindow {
				delete(v.m, k)
			}
		}
		if v.m == nil || len(v.m) >= 10_000 {
			v.m = map[string]time.Time{}
		}
	}
	v.m[user+"\x00"+caseID] = now
}

// recordView records a view of a case, or refuses it (recordAccess).
func (c *Web) recordView(r *http.Request, caseID, detail string) error {
	if err := c.recordAccess(r, store.AuditView, caseID, detail); err != nil {
		return err
	}
	c.views.seen(current(r).Name, caseID, c.Now())
	return nil
}
