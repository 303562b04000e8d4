package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
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
//
// The same page serves a respondent outside WeChat, /c/<party>/<signature>
// (the invitation link, signed for the party's id): the case as the
// respondent may see it (number, body, the neutral summary, never the
// claimant's words or contact details), the voluntariness statement, the
// answer (同意调解 / 不同意), and the messages between them and the
// mediator.

// citizenCase loads the page's case, and its party when the link is a
// party's (the zero Party for the claimant's).
// withdrawn: the link is a party's whose invitation was withdrawn; the
// page says so, with whom to ask.
type withdrawn struct{ text string }

func (withdrawn) Error() string { return "invitation withdrawn" }

func (c *casePage) citizenCase(r *http.Request) (dispute.Case, dispute.Party, error) {
	id, sig := r.PathValue("id"), r.PathValue("sig")
	if !c.Links.Valid(id, sig) {
		return dispute.Case{}, dispute.Party{}, workflow.ErrNotFound
	}
	var p dispute.Party
	caseID := id
	if strings.Contains(id, "-R") {
		var err error
		if p, err = c.Store.Party(r.Context(), id); errors.Is(err, store.ErrNotFound) {
			return dispute.Case{}, dispute.Party{}, workflow.ErrNotFound
		} else if err != nil {
			return dispute.Case{}, dispute.Party{}, err
		}
		caseID = p.CaseID
		if p.Status == dispute.PartyWithdrawn {
			k, err := c.Store.Case(r.Context(), p.CaseID)
			if err != nil {
				return dispute.Case{}, dispute.Party{}, err
			}
			name, contact := c.Cases.BodyContact(k.Body)
			return dispute.Case{}, dispute.Party{}, withdrawn{catalog.InviteWithdrawn(name, contact)}
		}
	}
	k, err := c.Store.Case(r.Context(), caseID)
	if errors.Is(err, store.ErrNotFound) {
		return dispute.Case{}, dispute.Party{}, workflow.ErrNotFound
	}
	return k, p, err
}

// forReader reports whether an event of the thread is the page reader's
// to see: the claimant's page leaves out what went between the mediator
// and a respondent, a respondent's page has only what went between the
// mediator and that respondent, or to all.
func forReader(e dispute.Event, p dispute.Party) bool {
	if e.Party == dispute.PartyAll {
		return true
	}
	return e.Party == p.ID
}

// citizenEvent is an entry of the page's timeline: what the citizen may see.
type citizenEvent struct {
	dispute.Event
	Who   string
	Class string
}

func (c *casePage) casePageForCitizen(w http.ResponseWriter, r *http.Request) {
	k, p, err := c.citizenCase(r)
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
		if !forReader(e, p) && e.Kind != dispute.StatusSet && e.Kind != dispute.Video {
			continue
		}
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
	var agreement any // nil: no agreement to show this reader
	settled := false  // the agreement took effect: answers to the invitation change nothing
	if a, ok := c.Cases.AgreementForPage(k, p, events); ok {
		agreement, settled = a, a.Signed
	}
	w.Header().Set("Cache-Control", "no-store")
	if p.ID != "" {
		// The respondent's page: no subscription (the claimant's consent
		// to notices is theirs alone).
		c.render(w, http.StatusOK, "citizen.html", map[string]any{
			"Case": k, "Body": body, "Contact": contact, "Party": p, "Voluntariness": catalog.Voluntariness, "Privacy": catalog.RespondentPrivacy,
			"Events": timeline, "Open": k.Status.Open(), "Max": workflow.MaxReply, "Sent": r.URL.Query().Has("sent"),
			"Writable": writable, "Problem": r.URL.Query().Get("problem"), "Agreement": agreement,
			"Settled": settled,
		})
		return
	}
	sub := c.subscription(r, k, writable)
	if sub != nil {
		w.Header().Set("Content-Security-Policy", citizenCSP(sub.SDK))
	}
	c.render(w, http.StatusOK, "citizen.html", map[string]any{
		"Case": k, "Body": body, "Contact": contact, "Next": catalog.NextStep(k.Status, body, acceptBy),
		"Events": timeline, "Open": k.Status.Open(), "Max": workflow.MaxReply, "Sent": r.URL.Query().Has("sent"),
		"Writable": writable, "Problem": r.URL.Query().Get("problem"), "Subscribe": sub, "Agreement": agreement,
	})
}

// citizenWrite adds the citizen's message to the thread; the mediator sees
// it live, as if it came through the chat.
func (c *casePage) citizenWrite(w http.ResponseWriter, r *http.Request) {
	k, p, err := c.citizenCase(r)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	// The link is the only key: whoever holds it may write, but not flood
	// the mediator's thread.
	n, err := c.Store.Failure(r.Context(), "casepage:"+r.PathValue("id"), c.Now(), time.Hour)
	if err != nil {
		c.citizenError(w, r, err)
		return
	}
	if n > citizenPostsPerHour {
		http.Error(w, "留言太频繁了，请稍后再试。", http.StatusTooManyRequests)
		return
	}
	var refused *workflow.Error
	var write error
	switch answer := r.PostFormValue("answer"); {
	case r.PostFormValue("act") == "confirm":
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		write = c.Cases.PageConfirms(r.Context(), k, p, version)
	case r.PostFormValue("act") == "apply":
		write = c.Cases.PageApplies(r.Context(), k, p, r.PostFormValue("address"))
	case p.ID != "" && answer != "":
		write = c.Cases.PartyAnswer(r.Context(), k, p, answer == "consent")
	case p.ID != "":
		write = c.Cases.PartyWrite(r.Context(), k, p, r.PostFormValue("text"))
	default:
		write = c.Cases.CitizenWrite(r.Context(), k, r.PostFormValue("text"))
	}
	switch err := write; {
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
	var gone withdrawn
	if errors.As(err, &gone) {
		c.render(w, http.StatusGone, "citizen-missing.html", gone.text)
		return
	}
	if errors.Is(err, workflow.ErrNotFound) {
		c.render(w, http.StatusNotFound, "citizen-missing.html", nil)
		return
	}
	c.Log.Error("case page", "err", err)
	http.Error(w, "服务暂时出了问题，请稍后再试。", http.StatusInternalServerError)
}
