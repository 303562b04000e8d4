package handlers

import (
	"net/http"
	"strconv"

	"jiefen/store"
)

// The agreement and judicial confirmation in the JSON API: the body's
// mediators draft versions; whoever may see the case, and the court the
// application went to, reads the agreement and its PDF; the court answers
// the application.

func (c *apiSurface) apiDraftAgreement(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Terms string `json:"terms"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := c.Cases.DraftAgreement(r.Context(), actor(r), r.PathValue("id"), in.Terms)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (c *apiSurface) apiAgreement(w http.ResponseWriter, r *http.Request) error {
	v, err := c.Cases.Agreement(r.Context(), current(r).User, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditView, r.PathValue("id"), "api agreement"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// agreementPDF serves the 调解协议书, to the API and the console alike.
func (c *Web) agreementPDF(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	pdf, err := c.Cases.AgreementPDF(r.Context(), current(r).User, id)
	if err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditView, id, "agreement pdf"); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+id+`-agreement.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pdf)
	return nil
}

func (c *apiSurface) apiAnswerCourt(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status string `json:"status"`
		Number string `json:"number"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := c.Cases.AnswerCourt(r.Context(), actor(r), r.PathValue("id"), in.Status, in.Number, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
