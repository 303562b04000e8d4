// Package workflow owns every operation on a case that a person or an
// agency's system takes: reply, note, take, assign, status moves, decline,
// transfer, video, extend, retype, referral retries, and a citizen writing
// from their case page. Each operation loads the case, checks the actor's
// right (rights.go, the one place), builds one store.Change holding the
// thread events, the citizen's notice and the audit entry, commits it
// atomically and wakes the workers. The console, the JSON API and the case
// page are adapters that parse input and render output.
package workflow

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
)

// Cases runs the operations. It is safe for concurrent use: state lives in
// the store, and conflicting operations are settled by its conditional
// commits (store.StatusChange.From, store.Assignment.IfFree).
type Cases struct {
	Store store.Store
	Table *routing.Table
	Hooks *referral.Hooks // a body's webhook: the console's setting or the table's
	Now   func() time.Time
	// VideoURL is the room address pattern, "{case}" replaced by the case
	// number; "" means mediators give the link.
	VideoURL string
	// PublicURL is jiefen's public base, for the console links in
	// referrals ("" makes them relative).
	PublicURL     string
	Kick          func() // wakes the outbound messenger; may be nil
	KickReferrals func() // wakes the webhook sender; may be nil
	// Log takes what goes wrong after a change is stored (the risk
	// evaluation): never personal data. nil: slog.Default().
	Log *slog.Logger

	prefixOnce sync.Once
	prefixes   []string // the city's names, dropped from subjects' names (alerts.go)
}

// Actor is who acts: a console or API user, from an address (for the
// audit log).
type Actor struct {
	User store.User
	Addr string
	API  bool // through the JSON API: the audit log says so
}

func (a Actor) name() string { return "user:" + a.User.Name }

// Kind classifies a refusal, for the surfaces to answer it fittingly.
type Kind int

const (
	Invalid   Kind = iota + 1 // the input is wrong (HTTP 400)
	Forbidden                 // the actor may see the case but not do this (403)
	NotFound                  // no such case, or not one the actor may see (404)
	Conflict                  // the case is not in a state that allows it, or moved meanwhile (409)
)

// Error is a refusal whose message is meant for the person acting, in
// their language; it never names internals.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func refuse(k Kind, msg string) error { return &Error{Kind: k, Msg: msg} }

// ErrNotFound answers a missing case and a case the actor may not see
// alike: whether a case number exists is not for others to learn.
var ErrNotFound = refuse(NotFound, "没有这个案件。")

// errMoved is a conditional commit that lost a race.
var errMoved = refuse(Conflict, "案件刚被别人处理过，请刷新后再试。")

// commit stores ch with the audit entry that accounts for it, and wakes
// the workers it concerns. The entry rides in the same transaction, so a
// change and its entry exist together or not at all.
func (w *Cases) commit(ctx context.Context, a Actor, ch store.Change, action, caseID, detail string) error {
	if a.API {
		detail = "api " + apiDetail(detail)
	}
	ch.Audit = append(ch.Audit, store.AuditEntry{At: w.Now(), User: a.User.Name, Role: a.User.Role,
		Action: action, CaseID: caseID, Detail: detail, Addr: a.Addr})
	if err := w.Store.Commit(ctx, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errMoved
		}
		return err
	}
	if len(ch.Outbound) > 0 && w.Kick != nil {
		w.Kick()
	}
	if len(ch.Referrals) > 0 && w.KickReferrals != nil {
		w.KickReferrals()
	}
	w.WatchLogged(ctx, ch)
	return nil
}

// WatchLogged is Watch for a caller whose change is stored whatever the
// evaluation meets: a failure is logged (the next change of the cluster
// evaluates again).
func (w *Cases) WatchLogged(ctx context.Context, ch store.Change) {
	if err := w.Watch(ctx, ch); err != nil {
		log := w.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("risk evaluation", "err", err)
	}
}

// apiDetail names an operation as the API's audit entries always have.
func apiDetail(detail string) string {
	if rest, ok := cutWord(detail, "reply"); ok {
		return "message" + rest
	}
	return detail
}

func cutWord(s, word string) (string, bool) {
	if len(s) >= len(word) && s[:len(word)] == word && (len(s) == len(word) || s[len(word)] == ' ') {
		return s[len(word):], true
	}
	return "", false
}
