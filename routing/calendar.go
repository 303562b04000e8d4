package routing

import (
	"time"
	_ "time/tzdata" // the calendar's zone must load on hosts (and images) without tzdata
)

// Calendar is the working calendar deadlines are counted in: the working
// weekdays and hours of one time zone, public holidays that fall on working
// weekdays, and make-up working days (调休) that fall on weekends. It comes
// from the routing table's calendar section (or DefaultCalendar) and, like
// the table, is immutable once loaded.
type Calendar struct {
	loc      *time.Location
	weekdays [7]bool
	hours    []span          // ordered, not overlapping
	holidays map[string]bool // "2006-01-02" in loc
	workdays map[string]bool
}

// span is a working period of a day, in minutes after midnight, [from, to).
type span struct{ from, to int }

// Defaults of a calendar section that leaves something out: the office
// hours of most Chinese government bodies.
var (
	defaultWeekdays = [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true}
	defaultHours    = []span{{8*60 + 30, 12 * 60}, {13*60 + 30, 17*60 + 30}}
)

const defaultZone = "Asia/Shanghai"

// DefaultCalendar is Monday to Friday, 08:30–12:00 and 13:30–17:30 in
// Asia/Shanghai, without holidays: the calendar of a table that has no
// calendar section.
func DefaultCalendar() *Calendar {
	loc, err := time.LoadLocation(defaultZone)
	if err != nil {
		// time/tzdata is linked in, so this cannot fail.
		panic("routing: " + err.Error())
	}
	return &Calendar{loc: loc, weekdays: defaultWeekdays, hours: defaultHours, holidays: map[string]bool{}, workdays: map[string]bool{}}
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// WorkingDay reports whether t's date (in the calendar's zone) is a working
// day: a make-up working day, or a working weekday that is no holiday.
func (c *Calendar) WorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	key := t.Format(time.DateOnly)
	if c.workdays[key] {
		return true
	}
	return !c.holidays[key] && c.weekdays[t.Weekday()]
}

// Working reports whether t is within working hours of a working day.
func (c *Calendar) Working(t time.Time) bool { return c.NextWorking(t).Equal(t) }

// NextWorking is t when t is working time, else the start of the next
// working period: when a reminder that falls on a Sunday evening fires.
func (c *Calendar) NextWorking(t time.Time) time.Time { return c.AddWorking(t, 0) }

// AddWorking returns the moment d of working time after t: time outside
// working hours, on weekends and on holidays does not count. A result that
// uses up a period exactly is that period's end (17:30, say), not the next
// morning.
func (c *Calendar) AddWorking(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	y, m, day := t.Date()
	// A validated calendar has a working period within any few weeks
	// (holidays are listed dates); the bound only keeps a broken one from
	// looping for ever.
	for i := 0; i < maxCalendarDays; i++ {
		date := time.Date(y, m, day+i, 0, 0, 0, 0, c.loc)
		if !c.WorkingDay(date) {
			continue
		}
		for _, s := range c.hours {
			from := time.Date(y, m, day+i, 0, s.from, 0, 0, c.loc)
			to := time.Date(y, m, day+i, 0, s.to, 0, 0, c.loc)
			if !to.After(t) {
				continue
			}
			if from.Before(t) {
				from = t
			}
			if left := to.Sub(from); d > left {
				d -= left
				continue
			}
			return from.Add(d)
		}
	}
	return t.AddDate(0, 0, maxCalendarDays)
}

// AddDays returns t plus n calendar days in the calendar's zone (same wall
// time), for deadlines counted in days.
func (c *Calendar) AddDays(t time.Time, n int) time.Time { return t.In(c.loc).AddDate(0, 0, n) }

const maxCalendarDays = 3660
