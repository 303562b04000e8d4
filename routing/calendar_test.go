package routing

import (
	"strings"
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a wall time in Shanghai: "2026-11-27 16:00".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddWorking(t *testing.T) {
	cal := Builtin().Calendar()
	cases := []struct {
		name  string
		from  string
		hours float64
		want  string
	}{
		{"within a morning", "2026-11-25 09:00", 2, "2026-11-25 11:00"},
		{"over lunch", "2026-11-25 11:00", 2, "2026-11-25 14:30"},
		{"uses up the afternoon exactly", "2026-11-25 13:30", 4, "2026-11-25 17:30"},
		{"Friday afternoon + 4 lands on Monday morning", "2026-11-27 16:00", 4, "2026-11-30 11:00"},
		{"starting at night counts from the next morning", "2026-11-25 20:00", 1, "2026-11-26 09:30"},
		{"starting at lunch counts from 13:30", "2026-11-25 12:30", 1, "2026-11-25 14:30"},
		{"starting on Saturday", "2026-11-28 10:00", 4, "2026-11-30 14:00"},
		{"a full working day is 7.5 hours", "2026-11-25 08:30", 7.5, "2026-11-25 17:30"},
		{"24 working hours", "2026-11-23 08:30", 24, "2026-11-26 10:00"},
		{"the National Day week is skipped", "2026-09-30 16:30", 2, "2026-10-08 09:30"},
		{"the make-up Saturday after it counts", "2026-10-09 17:00", 1, "2026-10-10 09:00"},
		{"the make-up Sunday before it counts", "2026-09-19 10:00", 1, "2026-09-20 09:30"},
		{"Spring Festival: 14 Feb is a make-up Saturday", "2026-02-13 17:00", 4, "2026-02-14 12:00"},
		{"Spring Festival: 15–23 Feb are off", "2026-02-14 17:00", 1, "2026-02-24 09:00"},
		{"New Year 2027", "2026-12-31 17:00", 1, "2027-01-04 09:00"},
		{"zero from working time is now", "2026-11-25 10:00", 0, "2026-11-25 10:00"},
		{"zero from a span's end is the next morning", "2026-11-27 17:30", 0, "2026-11-30 08:30"},
	}
	for _, c := range cases {
		got := cal.AddWorking(at(c.from), time.Duration(c.hours*float64(time.Hour)))
		if !got.Equal(at(c.want)) {
			t.Errorf("%s: AddWorking(%s, %vh) = %s, want %s", c.name, c.from, c.hours, got.In(shanghai).Format("2006-01-02 15:04 Mon"), c.want)
		}
	}
}

func TestNextWorkingAndWorkingDay(t *testing.T) {
	cal := Builtin().Calendar()
	next := []struct{ from, want string }{
		{"2026-11-25 10:00", "2026-11-25 10:00"},
		{"2026-11-25 12:00", "2026-11-25 13:30"},
		{"2026-11-25 07:00", "2026-11-25 08:30"},
		{"2026-11-28 03:00", "2026-11-30 08:30"}, // Saturday
		{"2026-10-01 09:00", "2026-10-08 08:30"}, // National Day
	}
	for _, c := range next {
		if got := cal.NextWorking(at(c.from)); !got.Equal(at(c.want)) {
			t.Errorf("NextWorking(%s) = %s, want %s", c.from, got.In(shanghai).Format("2006-01-02 15:04"), c.want)
		}
	}
	// A UTC instant is read in the calendar's zone: 23:00 UTC on Sunday
	// is 07:00 on Monday in Shanghai, before office hours.
	if got := cal.NextWorking(time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)); !got.Equal(at("2026-11-30 08:30")) {
		t.Errorf("NextWorking in UTC = %s", got)
	}
	days := map[string]bool{"2026-11-27": true, "2026-11-28": false, "2026-10-05": false, "2026-10-10": true, "2026-05-09": true, "2026-05-04": false}
	for d, want := range days {
		if got := cal.WorkingDay(at(d + " 12:00")); got != want {
			t.Errorf("WorkingDay(%s) = %v, want %v", d, got, want)
		}
	}
	if !cal.Working(at("2026-11-27 17:29")) || cal.Working(at("2026-11-27 17:30")) || cal.Working(at("2026-11-27 12:15")) {
		t.Error("Working: 17:29 is working time, 17:30 and 12:15 are not")
	}
}

// A table without a calendar section counts Monday to Friday, office hours,
// in Shanghai; a section can change all of it.
func TestCalendarSection(t *testing.T) {
	const bodies = "\nbodies:\n  - id: all\n    name: 全部\n    types: [traffic, medical, labor, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]\n"
	def := mustLoad(t, strings.TrimPrefix(bodies, "\n")).Calendar()
	if got := def.AddWorking(at("2026-10-01 09:00"), time.Hour); !got.Equal(at("2026-10-01 10:00")) {
		t.Errorf("the default calendar has no holidays: got %s", got)
	}
	custom := mustLoad(t, `calendar:
  time_zone: Asia/Urumqi
  working_days: [mon, tue, wed, thu, fri, sat]
  working_hours: ["10:00-14:00"]
  holidays: [2026-12-01]
  workdays: [2026-11-29]
`+bodies).Calendar()
	urumqi, _ := time.LoadLocation("Asia/Urumqi")
	from := time.Date(2026, 11, 28, 13, 0, 0, 0, urumqi) // a Saturday, working here
	want := time.Date(2026, 12, 2, 11, 0, 0, 0, urumqi)  // Sat 1h + Sun (make-up) 4h + Mon 4h + Tue holiday + Wed 1h = 10h
	if got := custom.AddWorking(from, 10*time.Hour); !got.Equal(want) {
		t.Errorf("custom calendar: got %s, want %s", got.In(urumqi), want)
	}
}

func TestCalendarProblems(t *testing.T) {
	_, err := LoadTable([]byte(`calendar:
  time_zone: Mars/Olympus
  working_days: [mon, funday]
  working_hours: ["08:30-12:00", "11:00-13:00", "17:00-16:00", "9点"]
  holidays: [2026-13-01, 2026-10-07..2026-10-01, 2026-01-01..2026-12-31, 2026-10-10]
  workdays: [2026-10-10]
bodies:
  - id: x
    name: X
    types: [labor]
    accept_within_hours: 8
    accept_within_days: 15
    mediate_within_days: -1
`))
	if err == nil {
		t.Fatal("a broken calendar loaded")
	}
	for _, want := range []string{`time_zone "Mars/Olympus"`, `working day "funday"`, `"11:00-13:00" overlap`, `"17:00-16:00"`, `"9点"`,
		`holiday "2026-13-01"`, `"2026-10-07..2026-10-01"`, `"2026-01-01..2026-12-31"`, "2026-10-10 is both", "not both", "must not be negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not mention %s:\n%v", want, err)
		}
	}
}
