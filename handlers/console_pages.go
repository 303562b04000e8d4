package handlers

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/workflow"
)

// queueFilter reads the queue's filters from the query string.
func queueFilter(r *http.Request) (store.CaseFilter, bool) {
	q := r.URL.Query()
	return store.CaseFilter{Status: dispute.Status(q.Get("status")), Type: dispute.Type(q.Get("type")),
		Region: q.Get("region"), Query: q.Get("q"), Limit: 500}, q.Get("urgent") == "1"
}

// A view is a queue a mediator lives in: a question about each row.
type view struct {
	Key, Name string
	has       func(caseRow, store.User, time.Time) bool
}

// dueSoon is how close a deadline is before the case shows as due soon.
const dueSoon = 24 * time.Hour

var views = []view{
	{"", "全部", func(caseRow, store.User, time.Time) bool { return true }},
	{"mine", "我的", func(r caseRow, u store.User, _ time.Time) bool { return r.Assignee == u.Name && r.Status.Open() }},
	{"unassigned", "未接手", func(r caseRow, _ store.User, _ time.Time) bool { return r.Assignee == "" && r.Status.Open() }},
	{"due", "即将到期", func(r caseRow, _ store.User, now time.Time) bool {
		return r.Deadline != nil && !r.Overdue && r.Deadline.Due.Sub(now) <= dueSoon
	}},
	{"overdue", "已超期", func(r caseRow, _ store.User, _ time.Time) bool { return r.Overdue }},
	{"waiting", "等市民回复", func(r caseRow, _ store.User, _ time.Time) bool { return r.WaitingCitizen && r.Status.Open() }},
	{"attention", "需要处理", func(r caseRow, _ store.User, _ time.Time) bool { return r.Needs() }},
}

// viewTab is a view as the queue's tabs show it, with its count.
type viewTab struct {
	Key, Name string
	Count     int
	On        bool
}

func (c *pages) queuePage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	f, urgentOnly := queueFilter(r)
	chosen := r.URL.Query().Get("view")
	if chosen == "" && r.URL.Query().Get("overdue") == "1" {
		chosen = "overdue" // the filter's older name
	}
	cases, err := c.Cases.VisibleCases(r.Context(), u.User, f)
	if err != nil {
		return err
	}
	now := c.Now()
	if urgentOnly {
		cases = slices.DeleteFunc(cases, func(k dispute.Case) bool { return !k.Urgent })
	}
	all, err := c.rowsOf(r.Context(), cases, now)
	if err != nil {
		return err
	}
	tabs := make([]viewTab, len(views))
	var rows []caseRow
	for i, v := range views {
		tabs[i] = viewTab{Key: v.Key, Name: v.Name, On: v.Key == chosen}
		for _, row := range all {
			if v.has(row, u.User, now) {
				tabs[i].Count++
				if v.Key == chosen {
					rows = append(rows, row)
				}
			}
		}
	}
	sortByDue := chosen == "due" || chosen == "overdue" || r.URL.Query().Get("sort") == "due"
	slices.SortStableFunc(rows, func(a, b caseRow) int {
		if sortByDue {
			return compareDue(a, b)
		}
		// What waits for a person first: a request for one, a message on
		// an ended case. Otherwise the store's order (newest first).
		switch {
		case a.Needs() == b.Needs():
			return 0
		case a.Needs():
			return -1
		}
		return 1
	})
	c.render(w, http.StatusOK, "queue.html", map[string]any{
		"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows, "Filter": f, "Urgent": urgentOnly, "View": chosen,
		"Views": tabs, "SortDue": sortByDue,
		"Statuses": allStatuses, "Types": dispute.Types, "Regions": c.Table.City().Names(),
	})
	return nil
}

// compareDue orders rows by their running deadline, soonest first; rows
// without one last.
func compareDue(a, b caseRow) int {
	switch {
	case a.Deadline == nil && b.Deadline == nil:
		return 0
	case a.Deadline == nil:
		return 1
	case b.Deadline == nil:
		return -1
	}
	return a.Deadline.Due.Compare(b.Deadline.Due)
}

var allStatuses = []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating,
	dispute.Resolved, dispute.Unresolved, dispute.Withdrawn}

// rowFragment is one queue row, fetched by the page when the stream says
// the case changed.
func (c *pages) rowFragment(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	row, err := c.rowOf(r.Context(), k, c.Now())
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "row", row)
	return nil
}

// caseData is everything the case page shows of k.
func (c *pages) caseData(r *http.Request, k dispute.Case) (map[string]any, error) {
	ctx := r.Context()
	events, err := c.Store.Events(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	cit, err := c.Store.Citizen(ctx, k.OpenID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := c.Now()
	window, open := c.windowText(cit, now, c.subscribed(ctx, k.OpenID))
	u := current(r)
	phone, _ := c.personal(u.User, k)
	forward, backward := workflow.Moves(k.Status)
	var colleagues []store.User
	replies, err := c.quickReplies(ctx, k.Body)
	if err != nil {
		return nil, err
	}
	lead := u.Role != store.RoleMediator
	if lead {
		users, err := c.Store.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range users {
			if x.Body == k.Body && !x.Disabled {
				colleagues = append(colleagues, x)
			}
		}
	}
	refs, err := c.Store.ListReferrals(ctx, store.ReferralFilter{CaseID: k.ID})
	if err != nil {
		return nil, err
	}
	// The risk alerts holding the case: the mediators of every body see
	// the other cases of the same matter (their numbers only).
	alerts, err := c.Cases.CaseAlerts(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	var items []store.Outbound
	if k.OpenID != "" { // anonymised: nothing to pair, and "" would list everyone's
		if items, err = c.Store.Outbounds(ctx, k.OpenID); err != nil {
			return nil, err
		}
	}
	views := c.viewEvents(events)
	markDelivery(views, items, k, cit, now)
	return map[string]any{
		"Referrals": refs, "Types": dispute.Types, "Alerts": caseAlerts(alerts, k.ID), "SeesAlerts": c.Cases.CanSeeAlerts(u.User),
		"Replies": replies, "Lead": lead, "Colleagues": colleagues, "Bodies": c.Table.Bodies(),
		"CanDecline": k.Status == dispute.Referred || k.Status == dispute.Received, "Open": k.Status.Open(),
		"User": u, "BodyName": c.bodyName(u.Body), "Case": c.rowFrom(k, events, now), "Events": views, "LastIn": workflow.LastFromCitizen(events), "Window": window, "WindowOpen": open,
		"Phone": phone, "Next": forward, "Back": backward, "MaxReply": workflow.MaxReply, "MaxExtension": deadline.MaxExtensionDays,
	}, nil
}

// casePage shows a case with its personal data: each opening is audited.
func (c *pages) casePage(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.recordView(r, k.ID, "case page"); err != nil {
		return err
	}
	data, err := c.caseData(r, k)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "case.html", data)
	return nil
}

// threadFragment is the thread and window line, refreshed live. A refresh
// of a page whose opening was recorded is not recorded again; a read with
// no recent recorded view is (viewLog).
func (c *pages) threadFragment(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if !c.views.fresh(current(r).Name, k.ID, c.Now()) {
		if err := c.recordView(r, k.ID, "thread"); err != nil {
			return err
		}
	}
	data, err := c.caseData(r, k)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "thread", data)
	return nil
}

// factsFragment is the case page's side panel (status, who has it,
// deadline), refreshed live like the thread, so nobody acts on what the
// page said a minute ago.
func (c *pages) factsFragment(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if !c.views.fresh(current(r).Name, k.ID, c.Now()) { // it shows the phone number
		if err := c.recordView(r, k.ID, "thread"); err != nil {
			return err
		}
	}
	data, err := c.caseData(r, k)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "facts", data)
	return nil
}

// bodyName names a user's body for the page header.
func (c *Web) bodyName(id string) string {
	if b, ok := c.Table.Body(id); ok {
		return b.Name
	}
	return "全部调解组织"
}
