package workflow

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/deadline"
	"jiefen/deadline/deadlinetest"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

const openID = "oDeadlineCitizen"

// clock is a fake clock the tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(s string)   { c.mu.Lock(); defer c.mu.Unlock(); c.now = deadlinetest.At(s) }

// rig is a store, the test table and a fake clock, with watchers made on
// demand (a new one after a "restart").
type rig struct {
	t     *testing.T
	open  func() store.Store
	st    store.Store
	table *routing.Table
	clock *clock
	log   bytes.Buffer // written through logger only: its handler serialises writes
	n     int
	// logger is shared by the rig's watchers, so their concurrent writes
	// to log go through one handler's lock.
	logger *slog.Logger
}

func newRig(t *testing.T, open func() store.Store) *rig {
	r := &rig{t: t, open: open, st: open(), table: deadlinetest.Table(t), clock: &clock{}}
	r.logger = slog.New(slog.NewTextHandler(&r.log, nil))
	return r
}

func (r *rig) watcher(st store.Store) *Watcher {
	return &Watcher{Store: st, Table: r.table, Now: r.clock.Now, FollowUpAfter: 72 * time.Hour,
		Log: r.logger}
}

// restart closes the store and opens it again, as a restarted process.
func (r *rig) restart() {
	r.t.Helper()
	if err := r.st.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.st = r.open()
}

// tick moves the clock and runs one tick of w, returning its firings.
func (r *rig) tick(w *Watcher, when string) int {
	r.t.Helper()
	r.clock.set(when)
	n, err := w.Tick(context.Background())
	if err != nil {
		r.t.Fatalf("tick at %s: %v", when, err)
	}
	return n
}

// refer files a case referred to body at when.
func (r *rig) refer(body, when string) string {
	r.t.Helper()
	r.n++
	id := fmt.Sprintf("JF20261127-%04d", r.n)
	k := dispute.Case{ID: id, Status: dispute.Referred, Type: dispute.Labor, Body: body, Summary: "拖欠工资",
		Story: "老板拖欠工资三个月", OpenID: openID, CreatedAt: deadlinetest.At(when), UpdatedAt: deadlinetest.At(when)}
	r.commit(store.Change{NewCases: []dispute.Case{k}, Events: []dispute.Event{
		deadlinetest.Status(id, dispute.Received, when), deadlinetest.Status(id, dispute.Referred, when)}})
	return id
}

func (r *rig) move(id string, from, to dispute.Status, when string) {
	r.t.Helper()
	r.commit(store.Change{Statuses: []store.StatusChange{{CaseID: id, From: from, To: to, At: deadlinetest.At(when)}},
		Events: []dispute.Event{deadlinetest.Status(id, to, when)}})
}

// commit commits ch with the due times of the cases whose clock it moves
// (new cases, status changes, transfers, extensions), as the bot and the
// console set them.
func (r *rig) commit(ch store.Change) {
	r.t.Helper()
	ids := map[string]bool{}
	for _, s := range ch.Statuses {
		ids[s.CaseID] = true
	}
	for _, tr := range ch.Transfers {
		ids[tr.CaseID] = true
	}
	for _, e := range ch.Events {
		ids[e.CaseID] = ids[e.CaseID] || e.Kind == dispute.Extended
	}
	for _, k := range ch.NewCases {
		deadline.SetDue(&ch, k, nil, r.table)
		delete(ids, k.ID)
	}
	for id, moved := range ids {
		if !moved {
			continue
		}
		k, err := r.st.Case(context.Background(), id)
		if err != nil {
			r.t.Fatal(err)
		}
		if err := deadline.Due(context.Background(), r.st, r.table, k, &ch); err != nil {
			r.t.Fatal(err)
		}
	}
	r.raw(ch)
}

// raw commits ch as it is.
func (r *rig) raw(ch store.Change) {
	r.t.Helper()
	if err := r.st.Commit(context.Background(), ch); err != nil {
		r.t.Fatal(err)
	}
}

// thread lists the case's events of a kind.
func (r *rig) thread(id string, kind dispute.EventKind) []dispute.Event {
	r.t.Helper()
	events, err := r.st.Events(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []dispute.Event
	for _, e := range events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// queued lists the texts queued for the citizen about a case.
func (r *rig) queued(id string) []string {
	r.t.Helper()
	obs, err := r.st.Outbounds(context.Background(), openID)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, o := range obs {
		if o.CaseID == id && o.Kind == store.OutText {
			out = append(out, o.Text)
		}
	}
	return out
}

// The accept deadline of a case referred on Friday afternoon with 4
// working hours: the reminder at 09:00 on Monday, the escalation and the
// citizen's notice at 10:00, each once; nothing again after a restart.
func TestWatcherAcceptDeadline(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w-1 Fri 15:00")
		w := r.watcher(r.st)
		for _, when := range []string{"w-1 Fri 17:29", "w-1 Sat 10:00", "w-1 Sun 23:00", "w0 Mon 08:59"} {
			if n := r.tick(w, when); n != 0 {
				t.Fatalf("%d firings at %s, before any working-hour moment", n, when)
			}
		}
		if n := r.tick(w, "w0 Mon 09:00"); n != 1 {
			t.Fatalf("reminder at 09:00 Monday: %d firings", n)
		}
		if rem := r.thread(id, dispute.Reminder); len(rem) != 1 || rem[0].Actor != "system" || !strings.Contains(rem[0].Text, deadlinetest.Short("w0 Mon 10:00")) {
			t.Fatalf("reminder events %+v", rem)
		}
		if n := r.tick(w, "w0 Mon 09:30") + r.tick(w, "w0 Mon 09:59"); n != 0 {
			t.Fatalf("%d more firings before the deadline", n)
		}
		if len(r.queued(id)) != 0 {
			t.Fatal("the citizen was told before the case was late")
		}
		if n := r.tick(w, "w0 Mon 10:00"); n != 1 {
			t.Fatalf("escalation at 10:00: %d firings", n)
		}
		esc := r.thread(id, dispute.Escalated)
		if len(esc) != 1 || esc[0].Actor != "system" || !strings.Contains(esc[0].Text, "受理期限") {
			t.Fatalf("escalation events %+v", esc)
		}
		if q := r.queued(id); len(q) != 1 || !strings.Contains(q[0], id) || !strings.Contains(q[0], "督促") {
			t.Fatalf("citizen notices %q", q)
		}
		if n := r.tick(w, "w0 Mon 11:00"); n != 0 {
			t.Fatalf("%d firings after the escalation", n)
		}

		r.restart()
		w = r.watcher(r.st)
		if n := r.tick(w, "w0 Mon 11:01") + r.tick(w, "w0 Wed 09:00"); n != 0 {
			t.Fatalf("%d firings repeated after a restart", n)
		}
		if len(r.thread(id, dispute.Reminder)) != 1 || len(r.thread(id, dispute.Escalated)) != 1 || len(r.queued(id)) != 1 {
			t.Fatal("a restart repeated a reminder, an escalation or a notice")
		}
		for _, secret := range []string{openID, "拖欠"} {
			if strings.Contains(r.log.String(), secret) {
				t.Fatalf("the log holds %q", secret)
			}
		}
	})
}

// A deadline that passed while no watcher ran fires on the first tick
// after the restart: the escalation, without the pointless reminder. A
// transfer starts a new accept deadline, which fires on its own.
func TestWatcherCatchesUpAfterDowntime(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w-1 Wed 09:00")
		r.tick(r.watcher(r.st), "w-1 Wed 09:01")
		r.restart()
		w := r.watcher(r.st)
		if n := r.tick(w, "w-1 Thu 15:00"); n != 1 {
			t.Fatalf("first tick after downtime: %d firings", n)
		}
		if len(r.thread(id, dispute.Escalated)) != 1 || len(r.thread(id, dispute.Reminder)) != 0 {
			t.Fatal("want the escalation alone")
		}
		// Transferred to another body: a new clock, a new deadline.
		r.commit(store.Change{Transfers: []store.Transfer{{CaseID: id, From: "quick", Body: "plain", Rule: "transfer:x", At: deadlinetest.At("w-1 Thu 16:00")}},
			Events: []dispute.Event{deadlinetest.Status(id, dispute.Referred, "w-1 Thu 16:00")}})
		if n := r.tick(w, "w-1 Thu 16:01"); n != 0 {
			t.Fatalf("%d firings right after the transfer", n)
		}
		// 24 working hours from Thursday 16:00 end on Tuesday at 17:30:
		// reminded on Tuesday at 10:00, escalated on Wednesday morning.
		if n := r.tick(w, "w0 Tue 10:00"); n != 1 || len(r.thread(id, dispute.Reminder)) != 1 {
			t.Fatalf("the new deadline's reminder: %d firings", n)
		}
		if n := r.tick(w, "w0 Tue 17:30"); n != 0 {
			t.Fatalf("%d firings after office hours", n)
		}
		if n := r.tick(w, "w0 Wed 08:30"); n != 1 || len(r.thread(id, dispute.Escalated)) != 2 || len(r.queued(id)) != 2 {
			t.Fatalf("the new deadline's escalation: %d firings", n)
		}
	})
}

// Two instances' watchers ticking at the same moment fire once.
func TestWatchersRacing(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		var ids []string
		for range 5 {
			ids = append(ids, r.refer("quick", "w-1 Wed 09:00"))
		}
		other := open()
		watchers := []*Watcher{r.watcher(r.st), r.watcher(other), r.watcher(r.st), r.watcher(other)}
		r.clock.set("w-1 Thu 15:00")
		var wg sync.WaitGroup
		fired := make([]int, len(watchers))
		for i, w := range watchers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.Tick(context.Background())
				if err != nil {
					t.Error(err)
				}
				fired[i] = n
			}()
		}
		wg.Wait()
		if total := fired[0] + fired[1] + fired[2] + fired[3]; total != len(ids) {
			t.Fatalf("%d firings for %d cases (%v)", total, len(ids), fired)
		}
		for _, id := range ids {
			if len(r.thread(id, dispute.Escalated)) != 1 || len(r.queued(id)) != 1 {
				t.Fatalf("case %s escalated %d times", id, len(r.thread(id, dispute.Escalated)))
			}
		}
	})
}

// The mediation deadline runs from acceptance; an extension moves it, and
// the moved deadline gets its own reminder and escalation.
func TestWatcherMediationAndExtension(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w0 Mon 08:30")
		r.move(id, dispute.Referred, dispute.Accepted, "w0 Mon 09:00")
		w := r.watcher(r.st)
		if n := r.tick(w, "w1 Tue 08:29"); n != 0 {
			t.Fatalf("%d firings before the reminder", n)
		}
		if n := r.tick(w, "w1 Tue 08:30"); n != 1 || len(r.thread(id, dispute.Reminder)) != 1 {
			t.Fatalf("reminder: %d firings", n)
		}
		r.commit(store.Change{Events: []dispute.Event{{CaseID: id, At: deadlinetest.At("w1 Wed 10:00"), Kind: dispute.Extended,
			Actor: "user:mediator", Text: deadline.ExtensionText(4, "双方同意，等待伤情鉴定")}}})
		if n := r.tick(w, "w1 Thu 09:00"); n != 0 {
			t.Fatalf("%d firings at the old deadline", n)
		}
		if n := r.tick(w, "w1 Fri 08:30"); n != 1 || len(r.thread(id, dispute.Reminder)) != 2 {
			t.Fatalf("reminder of the extended deadline: %d firings", n)
		}
		r.restart()
		w = r.watcher(r.st)
		if n := r.tick(w, "w2 Mon 09:00"); n != 1 {
			t.Fatalf("escalation of the extended deadline: %d firings", n)
		}
		if esc := r.thread(id, dispute.Escalated); len(esc) != 1 || !strings.Contains(esc[0].Text, "调解期限（"+deadlinetest.Short("w2 Mon 09:00")+"）") {
			t.Fatalf("escalations %+v", esc)
		}
		r.move(id, dispute.Accepted, dispute.Unresolved, "w2 Mon 10:00")
		if n := r.tick(w, "w4 Wed 10:00"); n != 0 {
			t.Fatalf("%d firings on an ended case", n)
		}
	})
}

// The follow-up question goes out once per resolution, at a working moment
// FollowUpAfter later; a case reopened and resolved again is asked again.
func TestWatcherFollowUp(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w-1 Fri 08:30")
		r.move(id, dispute.Referred, dispute.Accepted, "w-1 Fri 09:00")
		r.move(id, dispute.Accepted, dispute.Resolved, "w-1 Fri 16:00") // Friday: +72h is Monday 16:00
		w := r.watcher(r.st)
		if n := r.tick(w, "w0 Mon 15:59"); n != 0 {
			t.Fatalf("%d firings before the follow-up is due", n)
		}
		if n := r.tick(w, "w0 Mon 16:00"); n != 1 {
			t.Fatalf("follow-up: %d firings", n)
		}
		fu := r.thread(id, dispute.FollowUp)
		if q := r.queued(id); len(fu) != 1 || len(q) != 1 || !strings.Contains(q[0], "问题解决了吗") || !strings.Contains(q[0], id) {
			t.Fatalf("follow-up events %+v, queued %q", fu, q)
		}
		r.restart()
		w = r.watcher(r.st)
		if n := r.tick(w, "w0 Tue 10:00"); n != 0 {
			t.Fatalf("the follow-up repeated: %d", n)
		}
		// Reopened ("没有") and resolved again on Saturday evening: asked
		// again 72 hours later, Tuesday 20:00, so on Wednesday morning.
		r.move(id, dispute.Resolved, dispute.Mediating, "w0 Tue 11:00")
		r.move(id, dispute.Mediating, dispute.Resolved, "w0 Sat 20:00")
		if n := r.tick(w, "w1 Tue 20:00") + r.tick(w, "w1 Wed 08:29"); n != 0 {
			t.Fatalf("%d firings outside working time", n)
		}
		if n := r.tick(w, "w1 Wed 08:30"); n != 1 || len(r.queued(id)) != 2 {
			t.Fatalf("second follow-up: %d firings", n)
		}
		// A resolution more than a week past its follow-up time (the
		// feature turned on late): no question out of the blue.
		old := r.refer("quick", "w-4 Mon 09:00")
		r.move(old, dispute.Referred, dispute.Accepted, "w-4 Mon 10:00")
		r.move(old, dispute.Accepted, dispute.Resolved, "w-4 Tue 10:00")
		if n := r.tick(w, "w1 Wed 09:00"); n != 0 || len(r.queued(old)) != 0 {
			t.Fatalf("a stale follow-up went out: %d", n)
		}
	})
}

// An operator who changes a body's limit (or next year's holidays) moves
// the due time of running deadlines, but what already fired does not fire
// again: a case escalated under the old limit is not escalated twice, and
// its citizen is not told twice.
func TestWatcherTableChangeFiresNothingAgain(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		r := newRig(t, open)
		id := r.refer("quick", "w-1 Fri 15:00")
		if n := r.tick(r.watcher(r.st), "w0 Mon 10:00"); n != 1 {
			t.Fatalf("the escalation: %d firings", n)
		}
		r.table = deadlinetest.TableWith(t, 5) // due an hour later now: Monday 11:00
		w := r.watcher(r.st)
		if n := r.tick(w, "w0 Mon 11:00"); n != 0 {
			t.Fatalf("after the table changed: %d more firings", n)
		}
		if got := len(r.thread(id, dispute.Escalated)); got != 1 {
			t.Errorf("%d escalations, want 1", got)
		}
		if got := len(r.queued(id)); got != 1 {
			t.Errorf("%d notices to the citizen, want 1", got)
		}
	})
}
