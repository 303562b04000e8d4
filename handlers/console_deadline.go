package handlers

import (
	"context"
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
// derives them from the thread; the watcher reminds and escalates.

// deadlineView is the deadline running on a case, as the console shows it.
type deadlineView struct {
	deadline.Deadline
	Overdue bool
	Late    string // how far past due, "3 天" or "5 小时"; "" when not overdue
}

// deadlineOf reads the case's thread when it is open and returns its
// running deadline; nil when none runs.
func (c *pages) deadlineOf(ctx context.Context, k dispute.Case, now time.Time) (*deadlineView, error) {
	if !k.Status.Open() {
		return nil, nil
	}
	events, err := c.Store.Events(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	return c.deadlineFrom(k, events, now), nil
}

func (c *pages) deadlineFrom(k dispute.Case, events []dispute.Event, now time.Time) *deadlineView {
	d, ok := deadline.Of(k, events, c.Table)
	if !ok {
		return nil
	}
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
// first: a supervisor sees their body's, an admin every body's.
func (c *pages) overduePage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	now := c.Now()
	var rows []caseRow
	for _, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating} {
		cases, err := c.Cases.VisibleCases(r.Context(), u.User, store.CaseFilter{Status: st})
		if err != nil {
			return err
		}
		for _, k := range cases {
			d, err := c.deadlineOf(r.Context(), k, now)
			if err != nil {
				return err
			}
			if d != nil && d.Overdue {
				rows = append(rows, c.row(k, d))
			}
		}
	}
	slices.SortFunc(rows, func(a, b caseRow) int { return a.Deadline.Due.Compare(b.Deadline.Due) })
	c.render(w, http.StatusOK, "overdue.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows})
	return nil
}
