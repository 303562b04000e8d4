// Package deadlinetest holds what the deadline and workflow tests share:
// Shanghai wall times counted from the tests' base week, and a routing
// table with a working calendar and bodies with short time limits.
package deadlinetest

import (
	"strconv"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/routing"
)

// Shanghai is China time as the tests read it: the tz database zone.
var Shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// At is a wall time in Shanghai written as weeks and weekdays from the
// tests' base week (testdate.At): "w-1 Fri 15:00" is a Friday afternoon in
// any base year.
func At(s string) time.Time { return testdate.At(s).In(Shanghai) }

// Short is a moment as the watcher's texts show it, "11-30 10:00".
func Short(s string) string { return At(s).Format("01-02 15:04") }

// Table has a working calendar and bodies with short limits.
func Table(t testing.TB) *routing.Table {
	t.Helper()
	return TableWith(t, 4)
}

// TableWith is the test table with the quick body's accept limit in hours.
// Its calendar has a week off like National Day's, Thursday to Wednesday
// (w-9 Thu to w-8 Wed: 1-7 October in 2026), and a make-up working
// Saturday after it (w-8 Sat), derived from the base year like every date
// of the tests, so the holiday falls on the same weekdays in any year.
func TableWith(t testing.TB, quickHours int) *routing.Table {
	t.Helper()
	day := func(s string) string { return At(s).Format(time.DateOnly) }
	tb, err := routing.LoadTable([]byte(`calendar:
  working_hours: ["08:30-12:00", "13:30-17:30"]
  holidays: [` + day("w-9 Thu 00:00") + `..` + day("w-8 Wed 00:00") + `]
  workdays: [` + day("w-8 Sat 00:00") + `]
bodies:
  - id: quick
    name: 快速调解委员会
    types: [traffic, medical, labor, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]
    accept_within_hours: ` + strconv.Itoa(quickHours) + `
    mediate_within_days: 10
  - id: petition
    name: 信访事项办理中心
    types: [administrative]
    accept_within_days: 15
  - id: plain
    name: 默认期限单位
    types: [labor]
`))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// Status is a status event of a case at a moment.
func Status(id string, s dispute.Status, when string) dispute.Event {
	return dispute.Event{CaseID: id, At: At(when), Kind: dispute.StatusSet, Actor: "system", Status: s}
}
