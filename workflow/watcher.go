package workflow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
)

// Watcher fires what deadlines and resolutions call for, at working
// moments of the table's calendar:
//
//   - a reminder on the case's thread (Reminder) once three quarters of a
//     deadline's time has passed;
//   - at the deadline, an escalation (Escalated, 督办): the case is listed
//     on the 督办 page of the body's supervisors and the admins, and the
//     citizen gets a short notice that their case is being chased;
//   - FollowUpAfter after a resolution, the question whether the problem
//     really is solved (FollowUp), which the bot takes the answer to.
//
// Each firing is one Commit with a dedup key naming the case, what fires
// and the deadline it is for: its events and messages are stored with the
// key or not at all, so a firing happens once across restarts and however
// many instances watch. A deadline that passed while no watcher ran fires
// on the next tick; its reminder, then pointless, is skipped.
//
// A tick reads the open cases whose due time (the store's index, kept by
// SetDue where a case's clock moves) has come, not every open case, and
// each firing sets the case's next due time in its Commit. A case whose
// due time was stale (its clock moved without it being set) is looked at
// when the stale time comes and its due time corrected; one that was
// never set (stored before the index existed) is filled in by the
// watcher's first tick (backfill).
type Watcher struct {
	Store store.Store
	Table *routing.Table
	Now   func() time.Time
	Log   *slog.Logger
	Kick  func() // wakes the outbound messenger; may be nil
	// FollowUpAfter is how long after a resolution the follow-up question
	// is asked; 0: never.
	FollowUpAfter time.Duration
	Every         time.Duration // how often Run looks; 0: every minute

	filled atomic.Bool // backfill done
}

// firingTTL is how long a firing's dedup key holds: longer than any case
// stays open, so nothing fires twice.
const firingTTL = 5 * 365 * 24 * time.Hour

// followUpGrace is how late a follow-up question may still go out (after a
// long outage, or when the feature is turned on with old cases around): a
// question about a case settled weeks before would puzzle more than help.
// It also bounds the resolved cases each tick reads.
const followUpGrace = 7 * 24 * time.Hour

// Run ticks until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(cmp.Or(w.Every, time.Minute))
	defer t.Stop()
	for {
		if _, err := w.Tick(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("deadlines", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dueBatch is how many due cases one read of the index returns.
const dueBatch = 256

// Tick fires everything due at w.Now() that has not fired yet, and returns
// how many firings it made. A failure on one case does not hold up the
// others. Its reads are the due index up to now, then two per case due
// (the case and its thread), and the resolved cases of the follow-up's
// window: none grows with the open cases that are not due.
func (w *Watcher) Tick(ctx context.Context) (int, error) {
	now := w.Now()
	var errs []error
	if !w.filled.Load() {
		if err := w.backfill(ctx); err != nil {
			errs = append(errs, err) // tried again on the next tick
		} else {
			w.filled.Store(true)
		}
	}
	fired, err := w.dueCases(ctx, now)
	if err != nil {
		errs = append(errs, err)
	}
	if w.FollowUpAfter > 0 {
		// Updated no earlier than resolved: older ones are past the grace,
		// and the store need not hand over years of resolved cases.
		cases, err := w.Store.Cases(ctx, store.CaseFilter{Status: dispute.Resolved, UpdatedSince: now.Add(-w.FollowUpAfter - followUpGrace)})
		if err != nil {
			errs = append(errs, err)
		}
		for _, k := range cases {
			n, err := w.followUp(ctx, k, now)
			fired += n
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	if fired > 0 && w.Kick != nil {
		w.Kick()
	}
	return fired, errors.Join(errs...)
}

// dueCases looks at every case due at now, a batch at a time. Each case
// looked at leaves the index up to now (its next due time is later, or
// there is none) unless that failed: a batch with a failure is the last,
// so the same cases are not read again until the next tick.
func (w *Watcher) dueCases(ctx context.Context, now time.Time) (int, error) {
	fired := 0
	for {
		due, err := w.Store.DueCases(ctx, now, dueBatch)
		if err != nil {
			return fired, err
		}
		var errs []error
		for _, d := range due {
			n, err := w.fireDue(ctx, d, now)
			fired += n
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(due) < dueBatch || len(errs) > 0 {
			return fired, errors.Join(errs...)
		}
	}
}

// backfill sets the due time and running deadline of the open cases that
// never had them: those stored before the index (or the deadline on the
// case) existed, or by a caller that set none. It runs on a Watcher's
// first tick (each instance's; after the first, there are few or none)
// and reads each such case's thread once. Each is written only while the
// case's due time is still the one listed, so a change of the case
// meanwhile, which set its own, wins.
func (w *Watcher) backfill(ctx context.Context) error {
	todo, err := w.Store.CasesWithoutDue(ctx, 0)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range todo {
		k, err := w.Store.Case(ctx, d.CaseID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		events, err := w.Store.Events(ctx, d.CaseID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		due := deadline.DueOf(k, events, w.Table)
		due.IfWas, due.Was = true, d.At
		err = w.Store.Commit(ctx, store.Change{Due: []store.DueSet{due}})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deadline fires the reminder or the escalation due on a case of the
// index, or, when none is (the case moved on without its due time being
// set), corrects its due time. Every write carries the case's next due
// time, conditional on the index still holding d.At: a change of the case
// that set its own meanwhile (an acceptance, a transfer, an extension)
// refuses it, and the next tick looks at the case as it then is. So a
// case accepted between the read of its thread and the Commit does not
// get the escalation it had just earned, and an escalation cannot leave
// "nothing due" over the new deadline of a case transferred meanwhile.
// The Commit is not conditional on the status itself, because a no-op
// status change would move the case's updated_at.
func (w *Watcher) fireDue(ctx context.Context, d store.DueCase, now time.Time) (int, error) {
	k, err := w.Store.Case(ctx, d.CaseID)
	if err != nil {
		return 0, err
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return 0, err
	}
	// next is the due time the firing of these events leaves.
	next := func(fired []dispute.Event) store.DueSet {
		due := deadline.DueOf(k, append(events[:len(events):len(events)], fired...), w.Table)
		due.IfWas, due.Was = true, d.At
		return due
	}
	if stay := next(nil); stay.At.IsZero() || stay.At.After(now) {
		return 0, w.correct(ctx, stay) // nothing is due yet: the index was stale
	}
	dl, _ := deadline.Of(k, events, w.Table) // a time is due: a deadline runs
	due := w.when(dl.Due)
	switch {
	case !now.Before(dl.EscalateAt):
		ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Escalated, Actor: "system",
			Text: fmt.Sprintf("督办：本案已超过%s（%s），已提请负责人和管理员督促办理。", dl.Name(), due)}}}
		ch.Tell(k, catalog.LateNotice(k.ID), now)
		ch.Due = []store.DueSet{next(ch.Events)}
		return w.fire(ctx, now, firingKey(k.ID, dl.Kind+"-escalate"+extendedBy(dl), dl.Start), ch)
	default:
		text := fmt.Sprintf("期限提醒：请在 %s 前受理或退回本案。", due)
		if dl.Kind == deadline.Mediate {
			text = fmt.Sprintf("期限提醒：本案调解期限至 %s，请抓紧调解；确需延长的，请写明原因申请延期。", due)
		}
		if k.Assignee != "" {
			name := k.Assignee // the person's name when the user is still there
			if u, err := w.Store.User(ctx, k.Assignee); err == nil {
				name = u.Shown()
			}
			text = name + "，" + text
		}
		ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Reminder, Actor: "system", Text: text}}}
		ch.Due = []store.DueSet{next(ch.Events)}
		return w.fire(ctx, now, firingKey(k.ID, dl.Kind+"-remind"+extendedBy(dl), dl.Start), ch)
	}
}

// correct sets a stale due time right; a change of the case meanwhile
// (ErrConflict) set it already.
func (w *Watcher) correct(ctx context.Context, due store.DueSet) error {
	err := w.Store.Commit(ctx, store.Change{Due: []store.DueSet{due}})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// followUp asks the follow-up question of a resolved case, once per
// resolution, in working time.
func (w *Watcher) followUp(ctx context.Context, k dispute.Case, now time.Time) (int, error) {
	if !k.Anonymized.IsZero() {
		// The retention period came first (it may be shorter than the
		// follow-up's delay): there is nobody left to ask.
		return 0, nil
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return 0, err
	}
	var resolved time.Time
	for _, e := range events {
		if e.Kind == dispute.StatusSet {
			resolved = time.Time{}
			if e.Status == dispute.Resolved {
				resolved = e.At
			}
		}
	}
	if resolved.IsZero() {
		return 0, nil // reopened since the case was listed
	}
	due := w.Table.Calendar().NextWorking(resolved.Add(w.FollowUpAfter))
	if now.Before(due) || now.After(due.Add(followUpGrace)) {
		return 0, nil
	}
	text := catalog.FollowUpQuestion(k.ID)
	return w.fire(ctx, now, firingKey(k.ID, "followup", resolved), store.Change{
		Events:   []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.FollowUp, Actor: "bot", Text: text}},
		Outbound: []store.Outbound{{OpenID: k.OpenID, CaseID: k.ID, Kind: store.OutText, Text: text, NotBefore: now, CreatedAt: now}},
	})
}

// firingKey names one firing: the case, what fires, and the moment it is
// about (the start of a deadline's clock, a resolution). A new clock (after
// a transfer, an acceptance, a reopening), an extension or a new
// resolution fires anew; a change of the routing table's limits or
// holidays, which moves the due time of running deadlines, does not fire
// again what already fired.
func firingKey(caseID, what string, about time.Time) string {
	return "deadline:" + caseID + ":" + what + ":" + strconv.FormatInt(about.Unix(), 10)
}

// fire commits ch under key unless key was taken before (by an earlier
// tick, another instance, or a run before a restart); then only ch's due
// times are written, so the case leaves the index up to now all the same.
func (w *Watcher) fire(ctx context.Context, now time.Time, key string, ch store.Change) (int, error) {
	// A read first: a follow-up, once asked, stays due on every tick for
	// its grace period, and a refused Commit would cost a write each time.
	switch _, err := w.Store.DedupReply(ctx, key, now); {
	case err == nil:
		if len(ch.Due) == 0 {
			return 0, nil
		}
		return 0, w.correct(ctx, ch.Due[0])
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	ch.At, ch.Dedup, ch.DedupTTL = now, key, firingTTL
	switch err := w.Store.Commit(ctx, ch); {
	case errors.Is(err, store.ErrDuplicate):
		return 0, nil // another instance fired it a moment ago
	case errors.Is(err, store.ErrConflict):
		return 0, nil // the case moved on meanwhile: the next tick looks again
	case err != nil:
		return 0, err
	}
	w.Log.Info("deadline fired", "key", key)
	return 1, nil
}

// when shows a time in the calendar's zone.
func (w *Watcher) when(t time.Time) string {
	return t.In(w.Table.Calendar().Location()).Format("01-02 15:04")
}

// extendedBy tells deadlines apart by their extensions: an extended
// deadline is a new one, with its own reminder and escalation.
func extendedBy(d deadline.Deadline) string {
	if d.Extended == 0 {
		return ""
	}
	return "+" + strconv.Itoa(d.Extended) + "d"
}
