package deadline

import (
	"testing"

	"jiefen/deadline/deadlinetest"
	"jiefen/dispute"
	"jiefen/store"
)

// NextDue follows the thread: the reminder, then once reminded the
// escalation, then nothing; a new clock or an extension starts again.
func TestNextDue(t *testing.T) {
	tb := deadlinetest.Table(t)
	fired := func(kind dispute.EventKind, when string) dispute.Event {
		return dispute.Event{CaseID: "A", At: deadlinetest.At(when), Kind: kind, Actor: "system"}
	}
	referred := []dispute.Event{deadlinetest.Status("A", dispute.Received, "w-1 Fri 15:00"), deadlinetest.Status("A", dispute.Referred, "w-1 Fri 15:00")}
	thread := func(more ...dispute.Event) []dispute.Event {
		return append(append([]dispute.Event{}, referred...), more...)
	}
	for _, c := range []struct {
		name   string
		events []dispute.Event
		want   string // "" for nothing due
	}{
		{"referred: the reminder", thread(), "w0 Mon 09:00"},
		{"reminded: the escalation", thread(fired(dispute.Reminder, "w0 Mon 09:00")), "w0 Mon 10:00"},
		{"escalated: nothing", thread(fired(dispute.Reminder, "w0 Mon 09:00"), fired(dispute.Escalated, "w0 Mon 10:00")), ""},
		{"escalated without a reminder (after downtime): nothing", thread(fired(dispute.Escalated, "w0 Tue 10:00")), ""},
		{"transferred after the escalation: the new reminder", thread(fired(dispute.Escalated, "w0 Mon 10:00"),
			deadlinetest.Status("A", dispute.Referred, "w0 Mon 11:00")), "w0 Mon 15:30"},
		{"accepted after the reminder: the mediation's reminder", thread(fired(dispute.Reminder, "w0 Mon 09:00"),
			deadlinetest.Status("A", dispute.Accepted, "w0 Mon 09:30")), "w1 Tue 08:30"},
		{"extended after the escalation: the extended deadline's reminder", thread(deadlinetest.Status("A", dispute.Accepted, "w0 Mon 09:00"),
			fired(dispute.Reminder, "w1 Tue 08:30"), fired(dispute.Escalated, "w1 Thu 09:00"),
			dispute.Event{CaseID: "A", At: deadlinetest.At("w1 Thu 10:00"), Kind: dispute.Extended, Text: ExtensionText(4, "鉴定")}), "w1 Fri 08:30"},
		{"ended: nothing", thread(deadlinetest.Status("A", dispute.Withdrawn, "w0 Mon 08:00")), ""},
	} {
		k := dispute.Case{ID: "A", Body: "quick", Status: dispute.Referred, CreatedAt: referred[0].At}
		got, ok := NextDue(k, c.events, tb)
		if c.want == "" && ok || c.want != "" && (!ok || !got.Equal(deadlinetest.At(c.want))) {
			t.Errorf("%s: NextDue = %v, %v; want %q", c.name, got.In(deadlinetest.Shanghai), ok, c.want)
		}
	}
}

// SetDue sees the case as the Change leaves it: its status, its body and
// its events.
func TestSetDue(t *testing.T) {
	tb := deadlinetest.Table(t)
	k := dispute.Case{ID: "A", Body: "plain", Status: dispute.Referred, CreatedAt: deadlinetest.At("w-1 Mon 08:30")}
	thread := []dispute.Event{deadlinetest.Status("A", dispute.Referred, "w-1 Mon 08:30")}
	// Transferred to quick (4 hours) on Friday afternoon: reminded Monday 09:00.
	ch := store.Change{Transfers: []store.Transfer{{CaseID: "A", Body: "quick", At: deadlinetest.At("w-1 Fri 15:00")}},
		Events: []dispute.Event{deadlinetest.Status("B", dispute.Accepted, "w-1 Fri 15:00"), deadlinetest.Status("A", dispute.Referred, "w-1 Fri 15:00")}}
	SetDue(&ch, k, thread, tb)
	if len(ch.Due) != 1 || ch.Due[0].CaseID != "A" || !ch.Due[0].At.Equal(deadlinetest.At("w0 Mon 09:00")) || ch.Due[0].IfWas {
		t.Errorf("after a transfer: Due = %+v", ch.Due)
	}
	// The deadline itself goes with it: the new body's acceptance.
	moved := k
	moved.Body = "quick"
	want, _ := Of(moved, append(thread, ch.Events[1]), tb)
	if len(ch.Due) == 1 && (ch.Due[0].Deadline != Accept || !ch.Due[0].DueAt.Equal(want.Due) || want.Due.IsZero()) {
		t.Errorf("after a transfer: deadline %q due %v, want %q %v", ch.Due[0].Deadline, ch.Due[0].DueAt, Accept, want.Due)
	}
	if len(thread) != 1 {
		t.Errorf("SetDue changed the caller's thread: %+v", thread)
	}
	// Ended by a status change, whether or not the Change records it on
	// the thread.
	ch = store.Change{Statuses: []store.StatusChange{{CaseID: "A", To: dispute.Withdrawn}}}
	SetDue(&ch, k, thread, tb)
	if len(ch.Due) != 1 || !ch.Due[0].At.IsZero() || ch.Due[0].Deadline != "" || !ch.Due[0].DueAt.IsZero() {
		t.Errorf("after the case ended: Due = %+v, want nothing due, no deadline", ch.Due)
	}
}
