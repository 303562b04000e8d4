package handlers

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// caseJSON is a Case in the API (the documented contract): contact details
// masked except to the case's own body.
type caseJSON struct {
	dispute.Case
	// AILabel is the label to show with the summary when an AI model
	// wrote it (summary_ai): 《人工智能生成合成内容标识办法》.
	AILabel string          `json:"ai_label,omitempty"`
	Events  []dispute.Event `json:"events,omitempty"`
}

func (c *Web) caseOut(u store.User, k dispute.Case) caseJSON {
	k.Phone, k.OpenID = c.personal(u, k)
	out := caseJSON{Case: k}
	if k.SummaryAI {
		out.AILabel = c.aiLabel()
	}
	return out
}

func (c *apiSurface) apiCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	u := current(r).User
	cases, err := c.Cases.VisibleCases(r.Context(), u, store.CaseFilter{Status: dispute.Status(q.Get("status")),
		Type: dispute.Type(q.Get("type")), Region: q.Get("region"), Body: q.Get("body"), Query: q.Get("q"), Limit: 1000})
	if err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditView, "", "api case list"); err != nil {
		return err
	}
	out := make([]caseJSON, 0, len(cases))
	for _, k := range cases {
		out = append(out, c.caseOut(u, k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out})
	return nil
}

func (c *apiSurface) apiCase(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditView, k.ID, "api case"); err != nil {
		return err
	}
	events, err := c.Store.Events(r.Context(), k.ID)
	if err != nil {
		return err
	}
	out := c.caseOut(current(r).User, k)
	out.Events = events
	if out.Events == nil {
		out.Events = []dispute.Event{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpError{http.StatusBadRequest, "malformed JSON body"}
	}
	return nil
}

func (c *apiSurface) apiMessage(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.Reply(r.Context(), actor(r), r.PathValue("id"), in.Text, 0); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
	return nil
}

func (c *apiSurface) apiStatus(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status dispute.Status `json:"status"`
		Note   string         `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.Move(r.Context(), actor(r), r.PathValue("id"), in.Status, in.Note); err != nil {
		return err
	}
	return c.writeCase(w, r, r.PathValue("id"))
}

func (c *apiSurface) apiBodies(w http.ResponseWriter, r *http.Request) error {
	type body struct {
		ID      string         `json:"id"`
		Name    string         `json:"name"`
		Regions []string       `json:"regions"`
		Types   []dispute.Type `json:"types"`
	}
	var out []body
	for _, b := range c.Table.Bodies() {
		out = append(out, body{ID: b.ID, Name: b.Name, Regions: b.Regions, Types: b.Types})
	}
	// The city's regions with the bodies: the names a body's regions and a
	// case's region (and the cases list's region filter) take.
	city := c.Table.City()
	writeJSON(w, http.StatusOK, map[string]any{"city": city.Name(), "regions": city.Names(), "bodies": out})
	return nil
}

func (c *apiSurface) apiVideo(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		StartAt time.Time `json:"start_at"`
		URL     string    `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.Video(r.Context(), actor(r), r.PathValue("id"), in.StartAt, in.URL); err != nil {
		return err
	}
	return c.writeCase(w, r, r.PathValue("id"))
}

func (c *apiSurface) apiTransfer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Body   string `json:"body"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.Transfer(r.Context(), actor(r), r.PathValue("id"), in.Body, in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "transferred", "body": in.Body})
	return nil
}

// writeCase answers with the case as it is now.
func (c *apiSurface) writeCase(w http.ResponseWriter, r *http.Request, id string) error {
	k, err := c.Store.Case(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.caseOut(current(r).User, k))
	return nil
}

// apiDecline is an agency declining a referral: the case is routed on.
func (c *apiSurface) apiDecline(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := c.Cases.Decline(r.Context(), actor(r), r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "declined"})
	return nil
}

//go:embed openapi.json
var openAPIDoc []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
