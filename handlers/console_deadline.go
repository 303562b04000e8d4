package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/bot"
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
func (c *Console) deadlineOf(ctx context.Context, k dispute.Case, now time.Time) (*deadlineView, error) {
	if !k.Status.Open() {
		return nil, nil
	}
	events, err := c.Store.Events(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	return c.deadlineFrom(k, events, now), nil
}

func (c *Console) deadlineFrom(k dispute.Case, events []dispute.Event, now time.Time) *deadlineView {
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

// extend lengthens the mediation deadline by some days, with the reason on
// the thread (people's mediation: when both sides agree). Anyone of the
// case's body may, and admins.
func (c *Console) extend(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil || days < 1 || days > deadline.MaxExtensionDays {
		return httpError{http.StatusBadRequest, "延长天数要在 1 到 " + strconv.Itoa(deadline.MaxExtensionDays) + " 天之间。"}
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > maxReply {
		return httpError{http.StatusBadRequest, "请写明延长的原因（例如双方同意延期）。"}
	}
	now := c.Now()
	events, err := c.Store.Events(r.Context(), k.ID)
	if err != nil {
		return err
	}
	if d, ok := deadline.Of(k, events, c.Table); !k.Status.Open() || !ok || d.Kind != deadline.Mediate {
		return httpError{http.StatusConflict, "只有受理后、办结前的案件可以延长调解期限。"}
	}
	u := current(r)
	ext := dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Extended, Actor: "user:" + u.Name, Text: deadline.ExtensionText(days, reason)}
	ch := store.Change{Events: []dispute.Event{ext}}
	if k.Anonymized.IsZero() {
		// The citizen is a party to the mediation: they hear of the new
		// time limit, and why, like any other change to their case.
		d, _ := deadline.Of(k, append(events, ext), c.Table)
		ch.Tell(k, bot.ExtensionNotice(k.ID, days, d.Due.In(c.Table.Calendar().Location()), reason), now)
	}
	deadline.SetDue(&ch, k, events, c.Table)
	if err := c.Store.Commit(r.Context(), ch); err != nil {
		return err
	}
	noteAudit(r.Context(), strconv.Itoa(days)+"d")
	if c.Kick != nil {
		c.Kick()
	}
	return back(w, r)
}

// overduePage lists the open cases the user may see whose deadline has
// passed (the watcher has escalated them, or is about to), most overdue
// first: a supervisor sees their body's, an admin every body's.
func (c *Console) overduePage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	now := c.Now()
	var rows []caseRow
	for _, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating} {
		cases, err := c.visibleCases(r.Context(), u.User, store.CaseFilter{Status: st})
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
