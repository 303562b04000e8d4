// Package testdate is where the tests' fake clocks start. Every fake date
// of the suite is derived from one base year, so the whole suite can be run
// with its calendar moved (JIEFEN_TEST_YEAR=2031 go test ./...): a test
// that leans on today's real date, or on one year's weekdays, then fails
// in one year and not another. Only tests import it.
package testdate

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EnvYear is the environment variable that moves the base year.
const EnvYear = "JIEFEN_TEST_YEAR"

// DefaultYear is the base year when EnvYear is not set.
const DefaultYear = 2026

// China is the zone the tests' dates are written in: UTC+8, the mediation
// offices' time (China has had no daylight saving since 1991, so it is
// Asia/Shanghai's offset all year).
var China = time.FixedZone("CST", 8*3600)

var year = sync.OnceValue(func() int {
	v := os.Getenv(EnvYear)
	if v == "" {
		return DefaultYear
	}
	// Four digits: the tests write dates as 2006-01-02, and a typo such
	// as 203 should stop the run rather than move it to antiquity.
	y, err := strconv.Atoi(v)
	if err != nil || y < 1000 || y > 9999 {
		panic(fmt.Sprintf("testdate: %s=%q: want a year such as 2031", EnvYear, v))
	}
	return y
})

// Year is the base year: EnvYear, or DefaultYear.
func Year() int { return year() }

// Week0 is 00:00 China time on the Monday of the week that holds
// 1 December of the base year. Tests count their days from it in weeks and
// weekdays, so a "Friday afternoon" is a Friday afternoon in any year.
// Why there: no public holiday nor make-up working day (调休) falls between
// late October and mid-December in any year (they come with New Year,
// the Spring Festival, Qingming, May Day, Dragon Boat, Mid-Autumn and
// National Day), so the working calendar, built-in holiday tables
// included, sees those weeks as plain Monday-to-Friday weeks.
func Week0() time.Time {
	d := time.Date(Year(), time.December, 1, 0, 0, 0, 0, China)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDate(0, 0, -back)
}

// Day is hour:min China time on weekday wd of week w, counted from Week0's
// week (w=0), weeks running Monday to Sunday.
func Day(w int, wd time.Weekday, hour, min int) time.Time {
	off := (int(wd) + 6) % 7 // Monday 0 … Sunday 6
	d := Week0().AddDate(0, 0, 7*w+off)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, China)
}

var weekdays = map[string]time.Weekday{"Mon": time.Monday, "Tue": time.Tuesday, "Wed": time.Wednesday,
	"Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday, "Sun": time.Sunday}

// At is Day written as "w-1 Fri 15:00": the Friday of the week before
// Week0's, at 15:00 China time ("w0 Tue 09:00" is the Tuesday of Week0's
// week). Anything else panics: it is a typo in a test.
func At(s string) time.Time {
	t, err := parse(s)
	if err != nil {
		panic("testdate: " + err.Error())
	}
	return t
}

func parse(s string) (time.Time, error) {
	f := strings.Fields(s)
	if len(f) != 3 || !strings.HasPrefix(f[0], "w") {
		return time.Time{}, fmt.Errorf("%q: want a moment such as \"w-1 Fri 15:00\"", s)
	}
	w, err := strconv.Atoi(f[0][1:])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: week %q is not w<number>", s, f[0])
	}
	wd, ok := weekdays[f[1]]
	if !ok {
		return time.Time{}, fmt.Errorf("%q: day %q is not one of Mon … Sun", s, f[1])
	}
	hm, err := time.Parse("15:04", f[2])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: time %q is not HH:MM", s, f[2])
	}
	return Day(w, wd, hm.Hour(), hm.Minute()), nil
}
