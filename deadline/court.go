package deadline

import (
	"slices"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
)

// The judicial confirmation's clock: the parties may apply together
// within 30 days of their agreement taking effect (dispute.JudicialWindow).
// Those who have not applied are reminded 10 and 3 days before the end
// (at the time of day the agreement took effect, when its parties were
// writing: citizens' days are not the bodies' working hours), and every
// party is told when it ended. The clock
// runs while the confirmation is available: it stops when every party
// applied, and a new version of the agreement starts it afresh when that
// one takes effect. It runs whatever the case's status: an agreement is
// usually signed as the case is resolved.

// Steps of the clock.
const (
	CourtRemind10 = "remind-10d"
	CourtRemind3  = "remind-3d"
	CourtExpired  = "expired"
)

var courtSteps = []struct {
	what   string
	before time.Duration
}{{CourtRemind10, 10 * 24 * time.Hour}, {CourtRemind3, 3 * 24 * time.Hour}, {CourtExpired, 0}}

// CourtStep is one firing of the clock.
type CourtStep struct {
	What string
	At   time.Time
	Due  time.Time // the clock's end
}

// DaysLeft is how many whole days remain at the step's time (at least 1
// before the end).
func (s CourtStep) DaysLeft() int {
	return max(int(s.Due.Sub(s.At).Hours()/24+0.5), 1)
}

// courtSteps lists the steps of case k's clock still to fire, earliest
// first; none when no clock runs.
func courtStepsLeft(k dispute.Case, events []dispute.Event, t *routing.Table) []CourtStep {
	j, ok := dispute.JudicialOf(k, events, time.Time{}) // the zero time: expiry is the clock's own business
	if !ok || j.Status != dispute.JudicialAvailable {
		return nil
	}
	from := 0
	for i, s := range courtSteps {
		if slices.Contains(j.Fired, s.what) {
			from = i + 1
		}
	}
	var out []CourtStep
	for _, s := range courtSteps[from:] {
		out = append(out, CourtStep{What: s.what, At: j.Due.Add(-s.before), Due: j.Due})
	}
	return out
}

// CourtNext is when case k's clock next fires; false when it does not run.
func CourtNext(k dispute.Case, events []dispute.Event, t *routing.Table) (time.Time, bool) {
	steps := courtStepsLeft(k, events, t)
	if len(steps) == 0 {
		return time.Time{}, false
	}
	return steps[0].At, true
}

// CourtDue is the step of case k's clock due at now: the latest one due
// (after an outage, a reminder overtaken by a later step is skipped);
// false when none is.
func CourtDue(k dispute.Case, events []dispute.Event, t *routing.Table, now time.Time) (CourtStep, bool) {
	var due CourtStep
	found := false
	for _, s := range courtStepsLeft(k, events, t) {
		if !s.At.After(now) {
			due, found = s, true
		}
	}
	return due, found
}
