package testdate

import (
	"testing"
	"time"
)

// In the default year the notation lands on the dates the tests were
// first written with; in any year it keeps the weekday and the time.
func TestAt(t *testing.T) {
	if Year() == DefaultYear {
		for s, want := range map[string]string{
			"w0 Mon 00:00":   "2026-11-30 00:00",
			"w0 Tue 09:00":   "2026-12-01 09:00",
			"w-1 Fri 15:00":  "2026-11-27 15:00",
			"w1 Tue 08:59":   "2026-12-08 08:59",
			"w-9 Thu 10:00":  "2026-10-01 10:00",
			"w-11 Wed 10:00": "2026-09-16 10:00",
		} {
			if got := At(s).Format("2006-01-02 15:04"); got != want {
				t.Errorf("At(%q) = %s, want %s", s, got, want)
			}
		}
	}
	for _, w := range []int{-11, -1, 0, 1, 4} {
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			got := Day(w, wd, 9, 30)
			if got.Weekday() != wd || got.Hour() != 9 || got.Minute() != 30 || got.Location() != China {
				t.Errorf("Day(%d, %s, 9, 30) = %s", w, wd, got.Format(time.RFC1123))
			}
		}
	}
	// Week0 is the Monday of the week holding 1 December, in the base year.
	dec1 := time.Date(Year(), time.December, 1, 0, 0, 0, 0, China)
	if w0 := Week0(); w0.Weekday() != time.Monday || w0.After(dec1) || dec1.Sub(w0) >= 7*24*time.Hour {
		t.Errorf("Week0 = %s, for 1 December %d", w0.Format(time.RFC1123), Year())
	}
	for _, bad := range []string{"", "w0 Tue", "x0 Tue 09:00", "w0 Tues 09:00", "w0 Tue 9h", "wx Tue 09:00"} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}
