package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/workflow"
)

// The citizen's case page, /c/<case>/<signature>: opened from a link in
// the chat or a template message, without a password. The signed link is
// the only key, so an unknown case and a wrong signature look the same.

func (c *casePage) citizenCase(r *http.Request) (dispute.Case, error) {
	id, sig := r.PathValue("id"), r.PathValue("sig")
	if !c.Links.Valid(id, sig) {
		return dispute.Case{}, workflow.ErrNotFound
	}
	k, err := c.Store.Case(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return dispute.Case{}, workflow.ErrNotFound
	}
	return k, err
}

// citizenEvent is an entry of the page's timeline: what the citizen may see.
type citizenEvent struct {
	dispute.Event
	Who   string
	Class string
}

func (c *casePage) casePageForCitizen(w http.ResponseWriter, r *http.Request) {
	k, err := c.citizenCase(r)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	events, err := c.Store.Events(r.Context(), k.ID)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	var timeline []citizenEvent
	for _, e := range events {
		switch e.Kind {
		case dispute.MessageIn:
			timeline = append(timeline, citizenEvent{e, "我", "in"})
		case dispute.MessageOut:
			who := "解纷助手"
			if strings.HasPrefix(e.Actor, "user:") {
				who = "调解员"
			}
			timeline = append(timeline, citizenEvent{e, who, "out"})
		case dispute.StatusSet:
			e.Text = e.Status.Name()
			timeline = append(timeline, citizenEvent{e, "进展", "status"})
		case dispute.Video:
			timeline = append(timeline, citizenEvent{e, "视频调解", "status"})
		case dispute.FollowUp:
			if e.Actor == "citizen" {
				timeline = append(timeline, citizenEvent{e, "我", "in"})
			} else {
				timeline = append(timeline, citizenEvent{e, "解纷助手", "out"})
			}
		}
		// Internal notes, declines, ratings, reminders and escalations are
		// not the citizen's to read.
	}
	body, contact := k.Body, ""
	if b, ok := c.Table.Body(k.Body); ok {
		body, contact = b.Name, b.Contact
	}
	var acceptBy time.Time
	if d, ok := deadline.Of(k, events, c.Table); ok && d.Kind == deadline.Accept {
		acceptBy = d.Due
	}
	writable := c.Cases.CitizenMayWrite(k)
	sub := c.subscription(r, k, writable)
	w.Header().Set("Cache-Control", "no-store")
	if sub != nil {
		w.Header().Set("Content-Security-Policy", citizenCSP(sub.SDK))
	}
	c.render(w, http.StatusOK, "citizen.html", map[string]any{
		"Case": k, "Body": body, "Contact": contact, "Next": catalog.NextStep(k.Status, body, acceptBy),
		"Events": timeline, "Open": k.Status.Open(), "Max": workflow.MaxReply, "Sent": r.URL.Query().Has("sent"),
		"Writable": writable, "Problem": r.URL.Query().Get("problem"), "Subscribe": sub,
	})
}

// citizenWrite adds the citizen's message to the thread; the mediator sees
// it live, as if it came through the chat.
func (c *casePage) citizenWrite(w http.ResponseWriter, r *http.Request) {
	k, err := c.citizenCase(r)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	// The link is the only key: whoever holds it may write, but not flood
	// the mediator's thread.
	n, err := c.Store.Failure(r.Context(), "casepage:"+k.ID, c.Now(), time.Hour)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	if n > citizenPostsPerHour {
		http.Error(w, "留言太频繁了，请稍后再试。", http.StatusTooManyRequests)
		return
	}
	var refused *workflow.Error
	switch err := c.Cases.CitizenWrite(r.Context(), k, r.PostFormValue("text")); {
	case errors.As(err, &refused):
		// Empty, too long, or a case ended long ago: the page says what to do.
		http.Redirect(w, r, r.URL.Path+"?problem="+url.QueryEscape(refused.Msg), http.StatusSeeOther)
	case err != nil:
		c.citizenError(w, r, err)
	default:
		http.Redirect(w, r, r.URL.Path+"?sent=1", http.StatusSeeOther)
	}
}

// citizenPostsPerHour bounds the messages written from one case page.
const citizenPostsPerHour = 20

func (c *casePage) citizenError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, workflow.ErrNotFound) {
		c.render(w, http.StatusNotFound, "citizen-missing.html", nil)
		return
	}
	c.Log.Error("case page", "err", err)
	http.Error(w, "服务暂时出了问题，请稍后再试。", http.StatusInternalServerError)
}
