package handlers

import (
	"errors"
	"net/http"
	"slices"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/workflow"
)

// queueFilter reads the queue's filters from the query string.
func queueFilter(r *http.Request) (store.CaseFilter, bool, bool) {
	q := r.URL.Query()
	return store.CaseFilter{Status: dispute.Status(q.Get("status")), Type: dispute.Type(q.Get("type")),
		Region: q.Get("region"), Limit: 500}, q.Get("urgent") == "1", q.Get("overdue") == "1"
}

func (c *pages) queuePage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	f, urgentOnly, overdueOnly := queueFilter(r)
	cases, err := c.Cases.VisibleCases(r.Context(), u.User, f)
	if err != nil {
		return err
	}
	now := c.Now()
	var rows []caseRow
	for _, k := range cases {
		if urgentOnly && !k.Urgent {
			continue
		}
		row, err := c.rowOf(r.Context(), k, now)
		if err != nil {
			return err
		}
		if row.Overdue || !overdueOnly {
			rows = append(rows, row)
		}
	}
	// What waits for a person first: a request for one, a message on an
	// ended case. Otherwise the store's order (newest first).
	slices.SortStableFunc(rows, func(a, b caseRow) int {
		switch {
		case a.Needs() == b.Needs():
			return 0
		case a.Needs():
			return -1
		}
		return 1
	})
	c.render(w, http.StatusOK, "queue.html", map[string]any{
		"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows, "Filter": f, "Urgent": urgentOnly, "Overdue": overdueOnly,
		"Statuses": allStatuses, "Types": dispute.Types, "Regions": c.Table.City().Names(),
	})
	return nil
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
	window, open := c.windowText(cit, now)
	u := current(r)
	phone, _ := c.personal(u.User, k)
	forward, backward := workflow.Moves(k.Status)
	var replies []string
	var colleagues []string
	if b, ok := c.Table.Body(k.Body); ok {
		replies = b.Replies()
	}
	lead := u.Role != store.RoleMediator
	if lead {
		users, err := c.Store.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range users {
			if x.Body == k.Body {
				colleagues = append(colleagues, x.Name)
			}
		}
	}
	refs, err := c.Store.ListReferrals(ctx, store.ReferralFilter{CaseID: k.ID})
	if err != nil {
		return nil, err
	}
	var items []store.Outbound
	if k.OpenID != "" { // anonymised: nothing to pair, and "" would list everyone's
		if items, err = c.Store.Outbounds(ctx, k.OpenID); err != nil {
			return nil, err
		}
	}
	views := viewEvents(events)
	markDelivery(views, items, k, cit, now)
	return map[string]any{
		"Referrals": refs, "Types": dispute.Types,
		"Replies": replies, "Lead": lead, "Colleagues": colleagues, "Bodies": c.Table.Bodies(),
		"CanDecline": k.Status == dispute.Referred || k.Status == dispute.Received, "Open": k.Status.Open(),
		"User": u, "BodyName": c.bodyName(u.Body), "Case": c.rowFrom(k, events, now), "Events": views, "Window": window, "WindowOpen": open,
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
