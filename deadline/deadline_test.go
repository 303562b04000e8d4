package deadline

import (
	"strconv"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a wall time in Shanghai, "2026-11-27 15:00".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// testTable has the built-in 2026 calendar and bodies with short limits.
func testTable(t testing.TB) *routing.Table {
	t.Helper()
	return tableWith(t, 4)
}

// tableWith is the test table with the quick body's accept limit in hours.
func tableWith(t testing.TB, quickHours int) *routing.Table {
	t.Helper()
	tb, err := routing.LoadTable([]byte(`calendar:
  working_hours: ["08:30-12:00", "13:30-17:30"]
  holidays: [2026-10-01..2026-10-07]
  workdays: [2026-10-10]
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

func status(id string, s dispute.Status, when string) dispute.Event {
	return dispute.Event{CaseID: id, At: at(when), Kind: dispute.StatusSet, Actor: "system", Status: s}
}

func TestOf(t *testing.T) {
	tb := testTable(t)
	cases := []struct {
		name                  string
		body                  string
		status                dispute.Status
		events                []dispute.Event
		kind                  string
		due, remind, escalate string
		extended              int
	}{
		{
			name: "Friday afternoon + 4 working hours is due on Monday", body: "quick", status: dispute.Referred,
			events: []dispute.Event{status("A", dispute.Received, "2026-11-27 15:00"), status("A", dispute.Referred, "2026-11-27 15:00")},
			kind:   Accept, due: "2026-11-30 10:00", remind: "2026-11-30 09:00", escalate: "2026-11-30 10:00",
		},
		{
			name: "a transfer restarts the accept clock", body: "quick", status: dispute.Referred,
			events: []dispute.Event{status("A", dispute.Referred, "2026-11-23 09:00"), status("A", dispute.Referred, "2026-11-25 13:30")},
			kind:   Accept, due: "2026-11-25 17:30", remind: "2026-11-25 16:30", escalate: "2026-11-26 08:30",
		},
		{
			name: "the default is 24 working hours", body: "plain", status: dispute.Referred,
			events: []dispute.Event{status("A", dispute.Referred, "2026-11-23 08:30")},
			kind:   Accept, due: "2026-11-26 10:00", remind: "2026-11-25 11:30", escalate: "2026-11-26 10:00",
		},
		{
			name: "days land on a holiday: the escalation waits for the next working moment", body: "petition", status: dispute.Referred,
			events: []dispute.Event{status("A", dispute.Referred, "2026-09-16 10:00")},
			// 75% of 15 days is Sunday 27 Sep, 16:00: reminded on Monday morning.
			kind: Accept, due: "2026-10-01 10:00", remind: "2026-09-28 08:30", escalate: "2026-10-08 08:30",
		},
		{
			name: "mediation: days from acceptance", body: "quick", status: dispute.Mediating,
			events: []dispute.Event{status("A", dispute.Referred, "2026-11-27 09:00"), status("A", dispute.Accepted, "2026-11-30 09:00"),
				status("A", dispute.Mediating, "2026-12-01 09:00")},
			// 7.5 days after acceptance is Monday evening.
			kind: Mediate, due: "2026-12-10 09:00", remind: "2026-12-08 08:30", escalate: "2026-12-10 09:00",
		},
		{
			name: "extensions add up", body: "quick", status: dispute.Accepted,
			events: []dispute.Event{status("A", dispute.Accepted, "2026-11-30 09:00"),
				{Kind: dispute.Extended, At: at("2026-12-05 10:00"), Text: ExtensionText(3, "双方同意")},
				{Kind: dispute.Extended, At: at("2026-12-06 10:00"), Text: ExtensionText(1, "再等鉴定")}},
			kind: Mediate, due: "2026-12-14 09:00", remind: "2026-12-11 08:30", escalate: "2026-12-14 09:00", extended: 4,
		},
		{
			name: "a reopened case gets a fresh period; old extensions lapse", body: "quick", status: dispute.Mediating,
			events: []dispute.Event{status("A", dispute.Accepted, "2026-11-02 09:00"),
				{Kind: dispute.Extended, At: at("2026-11-05 10:00"), Text: ExtensionText(5, "x")},
				status("A", dispute.Resolved, "2026-11-10 09:00"), status("A", dispute.Mediating, "2026-11-20 15:00")},
			kind: Mediate, due: "2026-11-30 15:00", remind: "2026-11-30 08:30", escalate: "2026-11-30 15:00",
		},
		{
			name: "the thread's status wins over a stale case", body: "quick", status: dispute.Referred,
			events: []dispute.Event{status("A", dispute.Referred, "2026-11-27 09:00"), status("A", dispute.Accepted, "2026-11-27 10:00")},
			kind:   Mediate, due: "2026-12-07 10:00", remind: "2026-12-07 08:30", escalate: "2026-12-07 10:00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := dispute.Case{ID: "A", Body: c.body, Status: c.status, CreatedAt: c.events[0].At}
			d, ok := Of(k, c.events, tb)
			if !ok {
				t.Fatal("no deadline")
			}
			if d.Kind != c.kind || !d.Due.Equal(at(c.due)) || !d.RemindAt.Equal(at(c.remind)) || !d.EscalateAt.Equal(at(c.escalate)) || d.Extended != c.extended {
				f := func(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }
				t.Errorf("got %s due %s remind %s escalate %s extended %d;\nwant %s due %s remind %s escalate %s extended %d",
					d.Kind, f(d.Due), f(d.RemindAt), f(d.EscalateAt), d.Extended, c.kind, c.due, c.remind, c.escalate, c.extended)
			}
		})
	}
	for _, s := range []dispute.Status{dispute.Resolved, dispute.Unresolved, dispute.Withdrawn} {
		if _, ok := Of(dispute.Case{ID: "A", Body: "quick", Status: s}, nil, tb); ok {
			t.Errorf("a %s case has a running deadline", s)
		}
	}
}

func TestExtensionText(t *testing.T) {
	days, reason, ok := ParseExtension(ExtensionText(15, "双方同意延期 等待鉴定结果"))
	if !ok || days != 15 || reason != "双方同意延期 等待鉴定结果" {
		t.Errorf("round trip: %d %q %v", days, reason, ok)
	}
	for _, bad := range []string{"", "abc reason", "0 reason", "-3 reason"} {
		if _, _, ok := ParseExtension(bad); ok {
			t.Errorf("ParseExtension(%q) accepted", bad)
		}
	}
}
