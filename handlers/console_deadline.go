package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// Deadlines in the console: the running deadline on the case page and in
// the queue, the extension form, and the 督办 page. The deadline package
// derives them from the thread, and the commit that moves a case's clock
// stores the result on the case: the case page (which has the thread)
// shows the thread's, the lists the stored one. The watcher reminds and
// escalates.

// deadlineView is the deadline running on a case, as the console shows it.
type deadlineView struct {
	deadline.Deadline
	Overdue bool
	Late    string // how far past due, "3 天" or "5 小时"; "" when not overdue
}

// deadlineFrom is the deadline running on a case whose thread is at hand
// (the case page): it shows what the thread says, extensions included.
func (c *pages) deadlineFrom(k dispute.Case, events []dispute.Event, now time.Time) *deadlineView {
	d, ok := deadline.Of(k, events, c.Table)
	if !ok {
		return nil
	}
	return viewDeadline(d, now)
}

// storedDeadline is the deadline running on a case as the case record
// holds it (stored by the commit that last moved its clock): what the
// lists show, without reading threads. An ended case has none, whatever
// the record says.
func storedDeadline(k dispute.Case, now time.Time) *deadlineView {
	if !k.Status.Open() || k.Deadline == "" || k.DueAt.IsZero() {
		return nil
	}
	return viewDeadline(deadline.Deadline{Kind: k.Deadline, Due: k.DueAt}, now)
}

func viewDeadline(d deadline.Deadline, now time.Time) *deadlineView {
	v := &deadlineView{Deadline: d, Overdue: d.Overdue(now)}
	if late := now.Sub(d.Due); v.Overdue && late >= 24*time.Hour {
		v.Late = strconv.Itoa(int(late.Hours()/24)) + " 天"
	} else if v.Overdue {
		v.Late = strconv.Itoa(int(late.Hours())+1) + " 小时"
	}
	return v
}

// overduePage lists the open cases the user may see whose deadline has
// passed (the watcher has escalated them, or is about to), most overdue
// first: a supervisor sees their body's, an admin every body's. One read
// of the case records, through the index of running deadlines: no
// thread is read, however many cases are open.
func (c *pages) overduePage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	now := c.Now()
	cases, err := c.Cases.VisibleCases(r.Context(), u.User, store.CaseFilter{DueBy: now})
	if err != nil {
		return err
	}
	var rows []caseRow
	for _, k := range cases {
		if d := storedDeadline(k, now); d != nil && d.Overdue {
			rows = append(rows, c.row(k, d))
		}
	}
	slices.SortStableFunc(rows, func(a, b caseRow) int { return a.Deadline.Due.Compare(b.Deadline.Due) })
	c.render(w, http.StatusOK, "overdue.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows})
	return nil
}
