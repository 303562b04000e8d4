package handlers

import (
	"net/http"
	"strings"
	"time"

	"jiefen/store"
	"jiefen/workflow"
)

// Risk alerts (风险预警): the JSON API (the contract's GET /api/v1/alerts
// and more), the console's page, and its actions, all through the
// workflow, which checks who may see them (admins and the duty desk's
// staff) and audits every acknowledgement and closing.

func (c *apiSurface) apiAlerts(w http.ResponseWriter, r *http.Request) error {
	alerts, err := c.Cases.Alerts(r.Context(), current(r).User, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	out := make([]workflow.AlertOut, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, workflow.Out(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": out})
	return nil
}

func (c *apiSurface) apiAlert(w http.ResponseWriter, r *http.Request) error {
	return c.writeAlert(w, r, r.PathValue("id"))
}

func (c *Web) writeAlert(w http.ResponseWriter, r *http.Request, id string) error {
	a, err := c.Cases.Alert(r.Context(), current(r).User, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, workflow.Out(a))
	return nil
}

func (c *apiSurface) apiAcknowledgeAlert(w http.ResponseWriter, r *http.Request) error {
	if err := c.Cases.AcknowledgeAlert(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return c.writeAlert(w, r, r.PathValue("id"))
}

func (c *apiSurface) apiCloseAlert(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.CloseAlert(r.Context(), actor(r), r.PathValue("id"), in.Note); err != nil {
		return err
	}
	return c.writeAlert(w, r, r.PathValue("id"))
}

// alertCard is an alert as the console shows it.
type alertCard struct {
	workflow.AlertOut
	Opened, Updated time.Time
	LevelName       string
	TypeName        string
	Spark           string // the trend as block characters
	Rising          int    // cases filed on the last day
}

var levelNames = map[string]string{"yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}

// cardView is what the alert-card template renders: a card, with the
// form's token and limit.
type cardView struct {
	A       alertCard
	CSRF    string
	MaxNote int
}

func cardsOf(u viewer, as []store.Alert, keep func(store.Alert) bool, limit int) []cardView {
	var out []cardView
	for _, a := range as {
		if keep(a) && (limit == 0 || len(out) < limit) {
			out = append(out, cardView{A: card(a), CSRF: u.CSRF, MaxNote: workflow.MaxAlertNote})
		}
	}
	return out
}

func card(a store.Alert) alertCard {
	o := workflow.Out(a)
	c := alertCard{AlertOut: o, Opened: a.OpenedAt, Updated: a.UpdatedAt, LevelName: levelNames[a.Level], TypeName: a.Type.Name()}
	top := 1
	for _, n := range a.Trend {
		top = max(top, n)
	}
	const blocks = "▁▂▃▄▅▆▇█"
	rs := []rune(blocks)
	var b strings.Builder
	for _, n := range a.Trend {
		b.WriteRune(rs[n*(len(rs)-1)/top])
	}
	c.Spark = b.String()
	if len(a.Trend) > 0 {
		c.Rising = a.Trend[len(a.Trend)-1]
	}
	return c
}

// alertsPage lists the open alerts, red first, then the recently closed.
func (c *pages) alertsPage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	open, err := c.Cases.Alerts(r.Context(), u.User, store.AlertOpen)
	if err != nil {
		return err
	}
	closed, err := c.Cases.Alerts(r.Context(), u.User, store.AlertClosed)
	if err != nil {
		return err
	}
	var cards []cardView
	for _, level := range []string{"red", "orange", "yellow"} {
		cards = append(cards, cardsOf(u, open, func(a store.Alert) bool { return a.Level == level }, 0)...)
	}
	done := cardsOf(u, closed, func(store.Alert) bool { return true }, 20)
	c.render(w, http.StatusOK, "alerts.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body), "Open": cards,
		"Closed": done})
	return nil
}

// alertCardFragment is one alert's card, refreshed live.
func (c *pages) alertCardFragment(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	a, err := c.Cases.Alert(r.Context(), u.User, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "alert-card", cardView{A: card(a), CSRF: u.CSRF, MaxNote: workflow.MaxAlertNote})
	return nil
}

func (f *forms) acknowledgeAlert(r *http.Request) error {
	return f.Cases.AcknowledgeAlert(r.Context(), actor(r), r.PathValue("id"))
}

func (f *forms) closeAlert(r *http.Request) error {
	return f.Cases.CloseAlert(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("note"))
}

func toAlerts(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/console/alerts#alert-"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// caseAlert is an alert as a case page shows it: the other cases of the
// same matter.
type caseAlert struct {
	ID, Level, LevelName, Subject, Status string
	Others                                []string
	Citizens                              int
}

func caseAlerts(as []store.Alert, caseID string) []caseAlert {
	var out []caseAlert
	for _, a := range as {
		ca := caseAlert{ID: a.ID, Level: a.Level, LevelName: levelNames[a.Level], Subject: a.Subject, Status: a.Status, Citizens: a.Citizens}
		for _, c := range a.Cases {
			if c != caseID {
				ca.Others = append(ca.Others, c)
			}
		}
		out = append(out, ca)
	}
	return out
}
