// Package deadline keeps the time limits of a case: a body accepts or
// declines a referral within its working hours, and concludes within its
// days from acceptance unless the deadline was extended with a reason. The
// Watcher reminds, escalates (督办) and tells the citizen, and asks the
// follow-up question after a resolution.
//
// Deadlines are not stored: they follow from what the store already holds
// (the case's thread says when it was last referred, accepted, reopened or
// extended) and from the routing table's calendar, so a changed table or
// calendar applies to every running case at once. What is stored is an
// index of when the watcher has something to do on each case (NextDue,
// kept by whoever commits a change that moves a case's clock: SetDue), so
// a tick reads the cases due, not every open case.
package deadline

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
)

// Kinds of deadline.
const (
	Accept  = "accept"  // 受理期限: accept or decline the referral
	Mediate = "mediate" // 调解期限: conclude the case
)

// MaxExtensionDays bounds one extension.
const MaxExtensionDays = 90

// Deadline is the time limit running on a case.
type Deadline struct {
	Kind  string
	Start time.Time // when the clock started: the last referral, acceptance or reopening
	Due   time.Time
	// RemindAt is when the mediator is reminded: once three quarters of the
	// allowed time has passed (in working hours for hours, in calendar time
	// for days), moved to the next working moment.
	RemindAt time.Time
	// EscalateAt is when the case is escalated and the citizen told: the
	// due time, or the next working moment after it.
	EscalateAt time.Time
	Extended   int // days added by extensions
	// Reminded and Escalated say whether the thread has this deadline's
	// reminder and escalation (the watcher's Reminder and Escalated
	// events since its clock last started or it was last extended).
	Reminded, Escalated bool
}

// Name is the deadline as people call it.
func (d Deadline) Name() string {
	if d.Kind == Accept {
		return "受理期限"
	}
	return "调解期限"
}

// Overdue reports whether the deadline has passed at now.
func (d Deadline) Overdue(now time.Time) bool { return !now.Before(d.Due) }

// Of returns the deadline running on a case, given its thread; false when
// none runs (the case has ended). The status is the thread's latest, which
// a Commit writes together with the case's: a case read a moment before
// its thread cannot make Of use an old status with new events.
func Of(k dispute.Case, events []dispute.Event, t *routing.Table) (Deadline, bool) {
	status := k.Status
	referred, accepted := k.CreatedAt, time.Time{}
	extended := 0
	reminded, escalated := false, false
	var last dispute.Status
	for _, e := range events {
		switch e.Kind {
		case dispute.StatusSet:
			switch {
			case e.Status == dispute.Referred || e.Status == dispute.Received:
				referred = e.At
				reminded, escalated = false, false
			case e.Status == dispute.Accepted, e.Status == dispute.Mediating && last == dispute.Resolved:
				// A reopened case gets a fresh mediation period.
				accepted, extended = e.At, 0
				reminded, escalated = false, false
			}
			last, status = e.Status, e.Status
		case dispute.Extended:
			if days, _, ok := ParseExtension(e.Text); ok && !accepted.IsZero() {
				extended += days
				reminded, escalated = false, false // a new deadline, reminded and escalated anew
			}
		case dispute.Reminder:
			reminded = true
		case dispute.Escalated:
			escalated = true
		}
	}
	b, _ := t.Body(k.Body) // a body gone from the table: the defaults
	cal := t.Calendar()
	var d Deadline
	switch status {
	case dispute.Received, dispute.Referred:
		d = Deadline{Kind: Accept, Start: referred}
		d.Due, d.RemindAt = t.AcceptDue(b, referred)
	case dispute.Accepted, dispute.Mediating:
		if accepted.IsZero() {
			accepted = k.CreatedAt // a thread without its acceptance: count from the start
		}
		d = Deadline{Kind: Mediate, Start: accepted, Extended: extended}
		d.Due = cal.AddDays(accepted, cmp.Or(b.MediateWithinDays, routing.DefaultMediateDays)+extended)
		d.RemindAt = accepted.Add(d.Due.Sub(accepted) * 3 / 4)
	default:
		return Deadline{}, false
	}
	d.RemindAt = cal.NextWorking(d.RemindAt)
	d.EscalateAt = cal.NextWorking(d.Due)
	d.Reminded, d.Escalated = reminded, escalated
	return d, true
}

// ExtensionText is an Extended event's Text: the days, then the reason.
func ExtensionText(days int, reason string) string { return strconv.Itoa(days) + " " + reason }

// ParseExtension reads an Extended event's Text back.
func ParseExtension(text string) (days int, reason string, ok bool) {
	n, reason, _ := strings.Cut(text, " ")
	days, err := strconv.Atoi(n)
	return days, reason, err == nil && days > 0
}
