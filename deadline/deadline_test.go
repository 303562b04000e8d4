package deadline

import (
	"testing"
	"time"

	"jiefen/deadline/deadlinetest"
	"jiefen/dispute"
)

func TestOf(t *testing.T) {
	tb := deadlinetest.Table(t)
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
			events: []dispute.Event{deadlinetest.Status("A", dispute.Received, "w-1 Fri 15:00"), deadlinetest.Status("A", dispute.Referred, "w-1 Fri 15:00")},
			kind:   Accept, due: "w0 Mon 10:00", remind: "w0 Mon 09:00", escalate: "w0 Mon 10:00",
		},
		{
			name: "a transfer restarts the accept clock", body: "quick", status: dispute.Referred,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-1 Mon 09:00"), deadlinetest.Status("A", dispute.Referred, "w-1 Wed 13:30")},
			kind:   Accept, due: "w-1 Wed 17:30", remind: "w-1 Wed 16:30", escalate: "w-1 Thu 08:30",
		},
		{
			name: "the default is 24 working hours", body: "plain", status: dispute.Referred,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-1 Mon 08:30")},
			kind:   Accept, due: "w-1 Thu 10:00", remind: "w-1 Wed 11:30", escalate: "w-1 Thu 10:00",
		},
		{
			name: "days land on a holiday: the escalation waits for the next working moment", body: "petition", status: dispute.Referred,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-11 Wed 10:00")},
			// 75% of 15 days is the Sunday before the week off (27 Sep in
			// 2026), 16:00: reminded on Monday morning; due on the week
			// off's Thursday, escalated the Thursday after it.
			kind: Accept, due: "w-9 Thu 10:00", remind: "w-9 Mon 08:30", escalate: "w-8 Thu 08:30",
		},
		{
			name: "mediation: days from acceptance", body: "quick", status: dispute.Mediating,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-1 Fri 09:00"), deadlinetest.Status("A", dispute.Accepted, "w0 Mon 09:00"),
				deadlinetest.Status("A", dispute.Mediating, "w0 Tue 09:00")},
			// 7.5 days after acceptance is Monday evening.
			kind: Mediate, due: "w1 Thu 09:00", remind: "w1 Tue 08:30", escalate: "w1 Thu 09:00",
		},
		{
			name: "extensions add up", body: "quick", status: dispute.Accepted,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Accepted, "w0 Mon 09:00"),
				{Kind: dispute.Extended, At: deadlinetest.At("w0 Sat 10:00"), Text: ExtensionText(3, "双方同意")},
				{Kind: dispute.Extended, At: deadlinetest.At("w0 Sun 10:00"), Text: ExtensionText(1, "再等鉴定")}},
			kind: Mediate, due: "w2 Mon 09:00", remind: "w1 Fri 08:30", escalate: "w2 Mon 09:00", extended: 4,
		},
		{
			name: "a reopened case gets a fresh period; old extensions lapse", body: "quick", status: dispute.Mediating,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Accepted, "w-4 Mon 09:00"),
				{Kind: dispute.Extended, At: deadlinetest.At("w-4 Thu 10:00"), Text: ExtensionText(5, "x")},
				deadlinetest.Status("A", dispute.Resolved, "w-3 Tue 09:00"), deadlinetest.Status("A", dispute.Mediating, "w-2 Fri 15:00")},
			kind: Mediate, due: "w0 Mon 15:00", remind: "w0 Mon 08:30", escalate: "w0 Mon 15:00",
		},
		{
			name: "the thread's status wins over a stale case", body: "quick", status: dispute.Referred,
			events: []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-1 Fri 09:00"), deadlinetest.Status("A", dispute.Accepted, "w-1 Fri 10:00")},
			kind:   Mediate, due: "w1 Mon 10:00", remind: "w1 Mon 08:30", escalate: "w1 Mon 10:00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := dispute.Case{ID: "A", Body: c.body, Status: c.status, CreatedAt: c.events[0].At}
			d, ok := Of(k, c.events, tb)
			if !ok {
				t.Fatal("no deadline")
			}
			if d.Kind != c.kind || !d.Due.Equal(deadlinetest.At(c.due)) || !d.RemindAt.Equal(deadlinetest.At(c.remind)) || !d.EscalateAt.Equal(deadlinetest.At(c.escalate)) || d.Extended != c.extended {
				f := func(t time.Time) string { return t.In(deadlinetest.Shanghai).Format("Mon 2006-01-02 15:04") }
				t.Errorf("got %s due %s remind %s escalate %s extended %d;\nwant %s due %s remind %s escalate %s extended %d",
					d.Kind, f(d.Due), f(d.RemindAt), f(d.EscalateAt), d.Extended,
					c.kind, f(deadlinetest.At(c.due)), f(deadlinetest.At(c.remind)), f(deadlinetest.At(c.escalate)), c.extended)
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
