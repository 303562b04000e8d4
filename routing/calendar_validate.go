package routing

import (
	"fmt"
	"strings"
	"time"
)

// fileCalendar is the table's calendar section. Every field may be left
// out: the default is DefaultCalendar's.
type fileCalendar struct {
	TimeZone     string   `yaml:"time_zone"`
	WorkingDays  []string `yaml:"working_days"`  // mon … sun
	WorkingHours []string `yaml:"working_hours"` // "08:30-12:00"
	Holidays     []string `yaml:"holidays"`      // "2026-10-01" or "2026-10-01..2026-10-07"
	Workdays     []string `yaml:"workdays"`      // make-up working days (调休), same forms
}

var weekdayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// maxDateRange bounds a holiday range, so a mistyped year or month shows up
// as a problem instead of a year without deadlines.
const maxDateRange = 31

// calendar validates the calendar section (nil: the default calendar).
func (v *validator) calendar(fc *fileCalendar) *Calendar {
	c := DefaultCalendar()
	if fc == nil {
		return c
	}
	at := "calendar" + v.lines.top("calendar")
	if fc.TimeZone != "" {
		loc, err := time.LoadLocation(fc.TimeZone)
		if err != nil {
			v.addf("%s: unknown time_zone %q (e.g. Asia/Shanghai)", at, fc.TimeZone)
		} else {
			c.loc = loc
		}
	}
	if len(fc.WorkingDays) > 0 {
		c.weekdays = [7]bool{}
		for _, s := range fc.WorkingDays {
			d, ok := weekdayNames[strings.ToLower(strings.TrimSpace(s))]
			if !ok {
				v.addf("%s: unknown working day %q (one of mon, tue, wed, thu, fri, sat, sun)", at, s)
				continue
			}
			c.weekdays[d] = true
		}
	}
	if len(fc.WorkingHours) > 0 {
		c.hours = nil
		for _, s := range fc.WorkingHours {
			sp, ok := parseSpan(s)
			switch {
			case !ok:
				v.addf("%s: working hours %q must read like 08:30-12:00", at, s)
			case len(c.hours) > 0 && sp.from < c.hours[len(c.hours)-1].to:
				v.addf("%s: working hours %q overlap or come before the period before them", at, s)
			default:
				c.hours = append(c.hours, sp)
			}
		}
		if len(c.hours) == 0 {
			c.hours = defaultHours
		}
	}
	c.holidays = v.dates(at, "holiday", fc.Holidays)
	c.workdays = v.dates(at, "workday", fc.Workdays)
	for d := range c.workdays {
		if c.holidays[d] {
			v.addf("%s: %s is both a holiday and a workday", at, d)
		}
	}
	return c
}

// parseSpan reads "HH:MM-HH:MM" ("24:00" may end a day).
func parseSpan(s string) (span, bool) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return span{}, false
	}
	from, ok1 := parseClock(a)
	to, ok2 := parseClock(b)
	return span{from, to}, ok1 && ok2 && from < to
}

func parseClock(s string) (int, bool) {
	var h, m int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, false
	}
	return h*60 + m, true
}

// dates reads a list of dates and date ranges ("a..b", both included).
func (v *validator) dates(at, what string, list []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range list {
		a, b, isRange := strings.Cut(strings.TrimSpace(s), "..")
		from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(a))
		to := from
		var err2 error
		if isRange {
			to, err2 = time.Parse(time.DateOnly, strings.TrimSpace(b))
		}
		switch {
		case err1 != nil || err2 != nil:
			v.addf("%s: %s %q must be a date like 2026-10-01 or a range like 2026-10-01..2026-10-07", at, what, s)
			continue
		case to.Before(from) || to.Sub(from) > maxDateRange*24*time.Hour:
			v.addf("%s: %s range %q must run forwards and last at most %d days", at, what, s, maxDateRange)
			continue
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			out[d.Format(time.DateOnly)] = true
		}
	}
	return out
}
