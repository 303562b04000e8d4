package deadline

import (
	"context"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
)

// NextDue is the next moment the watcher acts on case k, given its thread:
// the reminder of the deadline running, or, once the thread has it, the
// escalation; false when nothing more is due: the case has ended, or its
// deadline was escalated (until its clock starts again or it is
// extended). The reminder's time is returned even when it has passed, and
// even past the escalation, which the watcher then fires instead.
func NextDue(k dispute.Case, events []dispute.Event, t *routing.Table) (time.Time, bool) {
	d, ok := Of(k, events, t)
	switch {
	case !ok || d.Escalated:
		return time.Time{}, false
	case d.Reminded:
		return d.EscalateAt, true
	}
	return d.RemindAt, true
}

// DueOf is the due-time entry of case k given its thread (store.DueSet):
// the next moment the watcher acts on it (NextDue) and the deadline
// running on it (Of), stored on the case for the lists that show or
// select deadlines without reading threads. Like Of, it goes by the
// thread's latest status.
func DueOf(k dispute.Case, events []dispute.Event, t *routing.Table) store.DueSet {
	ds := store.DueSet{CaseID: k.ID}
	ds.At, _ = NextDue(k, events, t)
	if at, ok := CourtNext(k, events, t); ok && (ds.At.IsZero() || at.Before(ds.At)) {
		ds.At = at // the judicial confirmation's clock comes first
	}
	if d, ok := Of(k, events, t); ok {
		ds.Deadline, ds.DueAt = d.Kind, d.Due
	}
	return ds
}

// SetDue adds to ch the due time of case k as ch leaves it (store.DueSet):
// k with ch's last status change and transfer of it applied, and its
// thread, which is thread (as read before ch; nil for a case ch makes)
// followed by ch's events on k. Whoever commits a change that moves a
// case's clock (a new case, a status change, a transfer, an extension)
// calls it on the Change before committing it.
func SetDue(ch *store.Change, k dispute.Case, thread []dispute.Event, t *routing.Table) {
	k = after(*ch, k)
	events := thread
	for _, e := range ch.Events {
		if e.CaseID == k.ID {
			events = append(events[:len(events):len(events)], e)
		}
	}
	if !k.Status.Open() {
		// A Change that ends the case leaves no deadline of its body, whatever
		// its thread says; the judicial confirmation's clock runs on.
		at, _ := CourtNext(k, events, t)
		ch.Due = append(ch.Due, store.DueSet{CaseID: k.ID, At: at})
		return
	}
	ch.Due = append(ch.Due, DueOf(k, events, t))
}

// Due is SetDue reading k's thread from st, for a caller that has not
// read it (a Change that ends the case reads it too: the judicial
// confirmation's clock may run on it).
func Due(ctx context.Context, st store.Store, t *routing.Table, k dispute.Case, ch *store.Change) error {
	thread, err := st.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	SetDue(ch, k, thread, t)
	return nil
}

// after is k with ch's status changes and transfers of it applied.
func after(ch store.Change, k dispute.Case) dispute.Case {
	for _, s := range ch.Statuses {
		if s.CaseID == k.ID {
			k.Status = s.To
		}
	}
	for _, tr := range ch.Transfers {
		if tr.CaseID == k.ID {
			k.Body = tr.Body
		}
	}
	return k
}
