package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/workflow"
)

// The console's actions on a case: each reads its form, hands it to the
// case workflow (which checks the right, commits the change with its audit
// entry and wakes the workers), and returns to the page.

// actor is who acts in a request, for the workflow.
func actor(r *http.Request) workflow.Actor {
	return workflow.Actor{User: current(r).User, Addr: auditAddr(r), API: strings.HasPrefix(r.URL.Path, "/api/")}
}

// back returns to the case page after a form post.
func back(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/console/cases/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// toQueue returns to the queue: the case has left the user's body.
func toQueue(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
	return nil
}

// formAction adapts a workflow operation to a console form: run it, then
// go where done says.
func formAction(op func(*http.Request) error, done func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := op(r); err != nil {
			return err
		}
		return done(w, r)
	}
}

func (c *forms) reply(r *http.Request) error {
	seen, _ := strconv.ParseInt(r.PostFormValue("seen"), 10, 64)
	return c.Cases.ReplyTo(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("to"), r.PostFormValue("text"), seen)
}

// replyForm sends the reply, or, when the citizen wrote again since the
// page was drawn, shows the case again with the new message and the
// draft kept, for the mediator to read before sending.
func (c *forms) replyForm(w http.ResponseWriter, r *http.Request) error {
	err := c.reply(r)
	if !errors.Is(err, workflow.ErrNewMessage) {
		if err != nil {
			return err
		}
		return back(w, r)
	}
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	data, err := (&pages{c.Web}).caseData(r, k)
	if err != nil {
		return err
	}
	data["Draft"], data["Notice"] = r.PostFormValue("text"), workflow.ErrNewMessage.Error()
	c.render(w, http.StatusConflict, "case.html", data)
	return nil
}

func (c *forms) note(r *http.Request) error {
	return c.Cases.Note(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("text"))
}

func (c *forms) take(r *http.Request) error {
	return c.Cases.Take(r.Context(), actor(r), r.PathValue("id"))
}

func (c *forms) setStatus(r *http.Request) error {
	return c.Cases.Move(r.Context(), actor(r), r.PathValue("id"), dispute.Status(r.PostFormValue("status")), r.PostFormValue("note"))
}

func (c *forms) retype(r *http.Request) error {
	return c.Cases.Retype(r.Context(), actor(r), r.PathValue("id"), dispute.Type(r.PostFormValue("type")))
}

func (c *forms) decline(r *http.Request) error {
	return c.Cases.Decline(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("reason"))
}

func (c *forms) transfer(r *http.Request) error {
	return c.Cases.Transfer(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("body"), r.PostFormValue("reason"))
}

func (c *forms) assign(r *http.Request) error {
	return c.Cases.Assign(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("user"))
}

func (c *forms) video(r *http.Request) error {
	start, err := parseLocal(r.PostFormValue("start"))
	if err != nil {
		return err
	}
	return c.Cases.Video(r.Context(), actor(r), r.PathValue("id"), start, r.PostFormValue("url"))
}

func (c *forms) extend(r *http.Request) error {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		days = 0 // the workflow says what is allowed
	}
	return c.Cases.Extend(r.Context(), actor(r), r.PathValue("id"), days, r.PostFormValue("reason"))
}

func (c *forms) retryMessage(r *http.Request) error {
	item, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil {
		return workflow.ErrNotFound
	}
	return c.Cases.RetryMessage(r.Context(), actor(r), r.PathValue("id"), item)
}

func (c *forms) retryReferral(r *http.Request) error {
	ref, err := strconv.ParseInt(r.PathValue("ref"), 10, 64)
	if err != nil {
		return workflow.ErrNotFound
	}
	return c.Cases.RetryReferral(r.Context(), actor(r), r.PathValue("id"), ref)
}

// parseLocal reads a datetime-local form value as China time.
func parseLocal(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, chinaTime)
	if err != nil {
		return time.Time{}, httpError{http.StatusBadRequest, "时间格式不对。"}
	}
	return t, nil
}
