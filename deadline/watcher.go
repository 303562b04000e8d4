package deadline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"jiefen/bot"
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

// Tick fires everything due at w.Now() that has not fired yet, and returns
// how many firings it made. A failure on one case does not hold up the
// others.
func (w *Watcher) Tick(ctx context.Context) (int, error) {
	now := w.Now()
	fired := 0
	var errs []error
	for _, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating} {
		cases, err := w.Store.Cases(ctx, store.CaseFilter{Status: st})
		if err != nil {
			return fired, err
		}
		for _, k := range cases {
			n, err := w.deadline(ctx, k, now)
			fired += n
			if err != nil {
				errs = append(errs, err)
			}
		}
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

// deadline fires the reminder or the escalation due on an open case. A
// case accepted between the read of its thread and the Commit may still
// get the escalation it had just earned: the Commit is not conditional on
// the status, because a no-op status change would move the case's
// updated_at, and a late notice a moment late is harmless.
func (w *Watcher) deadline(ctx context.Context, k dispute.Case, now time.Time) (int, error) {
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return 0, err
	}
	d, ok := Of(k, events, w.Table)
	if !ok {
		return 0, nil
	}
	due := w.when(d.Due)
	switch {
	case !now.Before(d.EscalateAt):
		ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Escalated, Actor: "system",
			Text: fmt.Sprintf("督办：本案已超过%s（%s），已提请负责人和管理员督促办理。", d.Name(), due)}}}
		ch.Tell(k, bot.LateNotice(k.ID), now)
		return w.fire(ctx, now, firingKey(k.ID, d.Kind+"-escalate"+extendedBy(d), d.Start), ch)
	case !now.Before(d.RemindAt):
		text := fmt.Sprintf("期限提醒：请在 %s 前受理或退回本案。", due)
		if d.Kind == Mediate {
			text = fmt.Sprintf("期限提醒：本案调解期限至 %s，请抓紧调解；确需延长的，请写明原因申请延期。", due)
		}
		if k.Assignee != "" {
			text = k.Assignee + "，" + text
		}
		return w.fire(ctx, now, firingKey(k.ID, d.Kind+"-remind"+extendedBy(d), d.Start), store.Change{
			Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Reminder, Actor: "system", Text: text}},
		})
	}
	return 0, nil
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
	text := bot.FollowUpQuestion(k.ID)
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
// tick, another instance, or a run before a restart).
func (w *Watcher) fire(ctx context.Context, now time.Time, key string, ch store.Change) (int, error) {
	// A read first: once fired, a deadline stays due on every tick until
	// the case moves, and a refused Commit would cost a write each time.
	switch _, err := w.Store.DedupReply(ctx, key, now); {
	case err == nil:
		return 0, nil
	case !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	ch.At, ch.Dedup, ch.DedupTTL = now, key, firingTTL
	switch err := w.Store.Commit(ctx, ch); {
	case errors.Is(err, store.ErrDuplicate):
		return 0, nil // another instance fired it a moment ago
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
func extendedBy(d Deadline) string {
	if d.Extended == 0 {
		return ""
	}
	return "+" + strconv.Itoa(d.Extended) + "d"
}
