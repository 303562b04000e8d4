package deadline

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

// NextDue follows the thread: the reminder, then once reminded the
// escalation, then nothing; a new clock or an extension starts again.
func TestNextDue(t *testing.T) {
	tb := testTable(t)
	fired := func(kind dispute.EventKind, when string) dispute.Event {
		return dispute.Event{CaseID: "A", At: at(when), Kind: kind, Actor: "system"}
	}
	referred := []dispute.Event{status("A", dispute.Received, "w-1 Fri 15:00"), status("A", dispute.Referred, "w-1 Fri 15:00")}
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
			status("A", dispute.Referred, "w0 Mon 11:00")), "w0 Mon 15:30"},
		{"accepted after the reminder: the mediation's reminder", thread(fired(dispute.Reminder, "w0 Mon 09:00"),
			status("A", dispute.Accepted, "w0 Mon 09:30")), "w1 Tue 08:30"},
		{"extended after the escalation: the extended deadline's reminder", thread(status("A", dispute.Accepted, "w0 Mon 09:00"),
			fired(dispute.Reminder, "w1 Tue 08:30"), fired(dispute.Escalated, "w1 Thu 09:00"),
			dispute.Event{CaseID: "A", At: at("w1 Thu 10:00"), Kind: dispute.Extended, Text: ExtensionText(4, "鉴定")}), "w1 Fri 08:30"},
		{"ended: nothing", thread(status("A", dispute.Withdrawn, "w0 Mon 08:00")), ""},
	} {
		k := dispute.Case{ID: "A", Body: "quick", Status: dispute.Referred, CreatedAt: referred[0].At}
		got, ok := NextDue(k, c.events, tb)
		if c.want == "" && ok || c.want != "" && (!ok || !got.Equal(at(c.want))) {
			t.Errorf("%s: NextDue = %v, %v; want %q", c.name, got.In(shanghai), ok, c.want)
		}
	}
}

// SetDue sees the case as the Change leaves it: its status, its body and
// its events.
func TestSetDue(t *testing.T) {
	tb := testTable(t)
	k := dispute.Case{ID: "A", Body: "plain", Status: dispute.Referred, CreatedAt: at("w-1 Mon 08:30")}
	thread := []dispute.Event{status("A", dispute.Referred, "w-1 Mon 08:30")}
	// Transferred to quick (4 hours) on Friday afternoon: reminded Monday 09:00.
	ch := store.Change{Transfers: []store.Transfer{{CaseID: "A", Body: "quick", At: at("w-1 Fri 15:00")}},
		Events: []dispute.Event{status("B", dispute.Accepted, "w-1 Fri 15:00"), status("A", dispute.Referred, "w-1 Fri 15:00")}}
	SetDue(&ch, k, thread, tb)
	if len(ch.Due) != 1 || ch.Due[0].CaseID != "A" || !ch.Due[0].At.Equal(at("w0 Mon 09:00")) || ch.Due[0].IfWas {
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

// counting counts the reads of a store that grow with the cases looked at.
type counting struct {
	store.Store
	cases, events, lists atomic.Int64
}

func (c *counting) Case(ctx context.Context, id string) (dispute.Case, error) {
	c.cases.Add(1)
	return c.Store.Case(ctx, id)
}

func (c *counting) Events(ctx context.Context, id string) ([]dispute.Event, error) {
	c.events.Add(1)
	return c.Store.Events(ctx, id)
}

func (c *counting) Cases(ctx context.Context, f store.CaseFilter) ([]dispute.Case, error) {
	c.lists.Add(1)
	return c.Store.Cases(ctx, f)
}

// A tick reads the cases due and nothing of the others: with many open
// cases and one due, it reads that one case and its thread.
func TestTickReadsOnlyDue(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		for range 20 {
			r.refer("quick", "w0 Mon 09:00") // reminded on Monday at 12:00
		}
		late := r.refer("quick", "w-1 Fri 15:00") // reminded on Monday at 09:00
		c := &counting{Store: r.st}
		w := r.watcher(c)
		w.FollowUpAfter = 0
		r.tick(w, "w0 Mon 09:00") // the first tick: nothing to backfill
		if c.cases.Load() != 1 || c.events.Load() != 1 || c.lists.Load() != 0 {
			t.Errorf("a tick with one case due read %d cases, %d threads, %d lists; want 1, 1, 0",
				c.cases.Load(), c.events.Load(), c.lists.Load())
		}
		if len(r.thread(late, dispute.Reminder)) != 1 {
			t.Error("the case due was not reminded")
		}
		c.cases.Store(0)
		c.events.Store(0)
		if n := r.tick(w, "w0 Mon 09:30"); n != 0 || c.cases.Load() != 0 || c.events.Load() != 0 {
			t.Errorf("a tick with nothing due: %d firings, read %d cases, %d threads", n, c.cases.Load(), c.events.Load())
		}
	})
}

// Cases without a due time (stored before the index, or by a caller that
// set none) are filled in by a watcher's first tick and then fire on time.
func TestWatcherBackfill(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := "JF20261127-0900"
		k := dispute.Case{ID: id, Status: dispute.Referred, Type: dispute.Labor, Body: "quick", OpenID: openID,
			CreatedAt: at("w-1 Fri 15:00"), UpdatedAt: at("w-1 Fri 15:00")}
		r.raw(store.Change{NewCases: []dispute.Case{k}, Events: []dispute.Event{status(id, dispute.Referred, "w-1 Fri 15:00")}})
		w := r.watcher(r.st)
		if n := r.tick(w, "w-1 Fri 16:00"); n != 0 {
			t.Fatalf("%d firings before anything is due", n)
		}
		if ids, err := r.st.CasesWithoutDue(context.Background(), 0); err != nil || len(ids) != 0 {
			t.Fatalf("after the first tick, CasesWithoutDue = %v, %v", ids, err)
		}
		if due, err := r.st.DueCases(context.Background(), at("w1 Mon 00:00"), 0); err != nil || len(due) != 1 ||
			!due[0].At.Equal(at("w0 Mon 09:00")) {
			t.Fatalf("DueCases = %+v, %v; want the reminder on Monday at 09:00", due, err)
		}
		// Its running deadline is on the case, for the lists.
		events, _ := r.st.Events(context.Background(), id)
		want, _ := Of(k, events, r.table)
		if got, err := r.st.Case(context.Background(), id); err != nil || got.Deadline != Accept || !got.DueAt.Equal(want.Due) {
			t.Fatalf("backfilled case: deadline %q due %v, %v; want %q %v", got.Deadline, got.DueAt, err, Accept, want.Due)
		}
		if n := r.tick(w, "w0 Mon 09:00"); n != 1 || len(r.thread(id, dispute.Reminder)) != 1 {
			t.Fatalf("the backfilled case's reminder: %d firings", n)
		}
		if got, err := r.st.Case(context.Background(), id); err != nil || got.Deadline != Accept || !got.DueAt.Equal(want.Due) {
			t.Errorf("after the reminder: deadline %q due %v, %v; want it kept", got.Deadline, got.DueAt, err)
		}
	})
}

// A due time left stale by a change that did not set it (here a transfer
// that gives a later deadline) costs one look at the stale time, which
// sets it right: nothing fires early, the new deadline fires on time.
func TestWatcherCorrectsStaleDue(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w-1 Fri 15:00") // reminded Monday 09:00
		r.raw(store.Change{Transfers: []store.Transfer{{CaseID: id, From: "quick", Body: "plain", Rule: "transfer:x", At: at("w-1 Fri 16:00")}},
			Events: []dispute.Event{status(id, dispute.Referred, "w-1 Fri 16:00")}})
		w := r.watcher(r.st)
		// plain: 24 working hours from Friday 16:00, reminded Wednesday 10:00.
		if n := r.tick(w, "w0 Mon 09:00"); n != 0 {
			t.Fatalf("%d firings at the stale time", n)
		}
		if due, err := r.st.DueCases(context.Background(), at("w1 Mon 00:00"), 0); err != nil || len(due) != 1 ||
			!due[0].At.Equal(at("w0 Wed 10:00")) {
			t.Fatalf("DueCases = %+v, %v; want the new reminder, Wednesday 10:00", due, err)
		}
		if n := r.tick(w, "w0 Wed 10:00"); n != 1 || len(r.thread(id, dispute.Reminder)) != 1 {
			t.Fatalf("the new deadline's reminder: %d firings", n)
		}
	})
}

// BenchmarkTick is one tick with n open cases of which none is due: its
// cost must not grow with n.
func BenchmarkTick(b *testing.B) {
	backends.EachB(b, func(b *testing.B, open func() store.Store) {
		st := open()
		tb := testTable(b)
		created := 0
		for _, n := range []int{1000, 10000} {
			// Referred on a Monday morning to the 4-hour body: reminded at
			// noon, after the tick.
			for created < n {
				var ch store.Change
				for range min(500, n-created) {
					created++
					id := fmt.Sprintf("JF20261127-%05d", created)
					k := dispute.Case{ID: id, Status: dispute.Referred, Type: dispute.Labor, Body: "quick", OpenID: openID,
						CreatedAt: at("w0 Mon 09:00"), UpdatedAt: at("w0 Mon 09:00")}
					ch.NewCases = append(ch.NewCases, k)
					ch.Events = append(ch.Events, status(id, dispute.Referred, "w0 Mon 09:00"))
					SetDue(&ch, k, nil, tb)
				}
				if err := st.Commit(context.Background(), ch); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("open=%d", n), func(b *testing.B) {
				w := &Watcher{Store: st, Table: tb, Now: func() time.Time { return at("w0 Mon 11:00") },
					FollowUpAfter: 72 * time.Hour, Log: slog.New(slog.DiscardHandler)}
				if _, err := w.Tick(context.Background()); err != nil { // the first tick's backfill
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if n, err := w.Tick(context.Background()); err != nil || n != 0 {
						b.Fatal(n, err)
					}
				}
			})
		}
	})
}
