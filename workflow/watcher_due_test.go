package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/deadline"
	"jiefen/deadline/deadlinetest"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

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
			CreatedAt: deadlinetest.At("w-1 Fri 15:00"), UpdatedAt: deadlinetest.At("w-1 Fri 15:00")}
		r.raw(store.Change{NewCases: []dispute.Case{k}, Events: []dispute.Event{deadlinetest.Status(id, dispute.Referred, "w-1 Fri 15:00")}})
		w := r.watcher(r.st)
		if n := r.tick(w, "w-1 Fri 16:00"); n != 0 {
			t.Fatalf("%d firings before anything is due", n)
		}
		if ids, err := r.st.CasesWithoutDue(context.Background(), 0); err != nil || len(ids) != 0 {
			t.Fatalf("after the first tick, CasesWithoutDue = %v, %v", ids, err)
		}
		if due, err := r.st.DueCases(context.Background(), deadlinetest.At("w1 Mon 00:00"), 0); err != nil || len(due) != 1 ||
			!due[0].At.Equal(deadlinetest.At("w0 Mon 09:00")) {
			t.Fatalf("DueCases = %+v, %v; want the reminder on Monday at 09:00", due, err)
		}
		// Its running deadline is on the case, for the lists.
		events, _ := r.st.Events(context.Background(), id)
		want, _ := deadline.Of(k, events, r.table)
		if got, err := r.st.Case(context.Background(), id); err != nil || got.Deadline != deadline.Accept || !got.DueAt.Equal(want.Due) {
			t.Fatalf("backfilled case: deadline %q due %v, %v; want %q %v", got.Deadline, got.DueAt, err, deadline.Accept, want.Due)
		}
		if n := r.tick(w, "w0 Mon 09:00"); n != 1 || len(r.thread(id, dispute.Reminder)) != 1 {
			t.Fatalf("the backfilled case's reminder: %d firings", n)
		}
		if got, err := r.st.Case(context.Background(), id); err != nil || got.Deadline != deadline.Accept || !got.DueAt.Equal(want.Due) {
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
		r.raw(store.Change{Transfers: []store.Transfer{{CaseID: id, From: "quick", Body: "plain", Rule: "transfer:x", At: deadlinetest.At("w-1 Fri 16:00")}},
			Events: []dispute.Event{deadlinetest.Status(id, dispute.Referred, "w-1 Fri 16:00")}})
		w := r.watcher(r.st)
		// plain: 24 working hours from Friday 16:00, reminded Wednesday 10:00.
		if n := r.tick(w, "w0 Mon 09:00"); n != 0 {
			t.Fatalf("%d firings at the stale time", n)
		}
		if due, err := r.st.DueCases(context.Background(), deadlinetest.At("w1 Mon 00:00"), 0); err != nil || len(due) != 1 ||
			!due[0].At.Equal(deadlinetest.At("w0 Wed 10:00")) {
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
		tb := deadlinetest.Table(b)
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
						CreatedAt: deadlinetest.At("w0 Mon 09:00"), UpdatedAt: deadlinetest.At("w0 Mon 09:00")}
					ch.NewCases = append(ch.NewCases, k)
					ch.Events = append(ch.Events, deadlinetest.Status(id, dispute.Referred, "w0 Mon 09:00"))
					deadline.SetDue(&ch, k, nil, tb)
				}
				if err := st.Commit(context.Background(), ch); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("open=%d", n), func(b *testing.B) {
				w := &Watcher{Store: st, Table: tb, Now: func() time.Time { return deadlinetest.At("w0 Mon 11:00") },
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
