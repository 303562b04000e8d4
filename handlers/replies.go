package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"jiefen/store"
	"jiefen/workflow"
)

// Quick replies: a body's supervisors and the admins edit them in the
// console, over the routing table's; mediators insert them into a reply
// (the list, or Alt+1…9 in the reply box).

const (
	maxReplies     = 20
	maxReplyLength = 300
)

// quickReplies are a body's quick replies: as set in the console, else the
// routing table's.
func (c *Web) quickReplies(ctx context.Context, body string) ([]string, error) {
	r, err := c.Store.BodyReplies(ctx, body)
	if err == nil {
		return r.Replies, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if b, ok := c.Table.Body(body); ok {
		return b.Replies(), nil
	}
	return nil, nil
}

// repliesEditor is who may edit a body's quick replies: its supervisors
// and the admins.
func repliesEditor(r *http.Request, body string) error {
	u := current(r)
	if u.Role == store.RoleAdmin || (u.Role == store.RoleSupervisor && u.Body == body) {
		return nil
	}
	return httpError{http.StatusForbidden, "只有本单位负责人和管理员可以编辑常用回复。"}
}

func (c *admin) repliesPage(w http.ResponseWriter, r *http.Request) error {
	body := r.PathValue("body")
	b, ok := c.Table.Body(body)
	if !ok {
		return workflow.ErrNotFound
	}
	if err := repliesEditor(r, body); err != nil {
		return err
	}
	replies, err := c.quickReplies(r.Context(), body)
	if err != nil {
		return err
	}
	u := current(r)
	c.render(w, http.StatusOK, "replies.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body),
		"Body": b, "Text": strings.Join(replies, "\n"), "Saved": r.URL.Query().Has("saved"), "Max": maxReplies})
	return nil
}

func (c *admin) saveReplies(w http.ResponseWriter, r *http.Request) error {
	body := r.PathValue("body")
	if _, ok := c.Table.Body(body); !ok {
		return workflow.ErrNotFound
	}
	if err := repliesEditor(r, body); err != nil {
		return err
	}
	replies := []string{}
	for _, line := range strings.Split(r.PostFormValue("replies"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			replies = append(replies, line)
		}
	}
	if len(replies) > maxReplies {
		return httpError{http.StatusBadRequest, "常用回复最多 20 条。"}
	}
	for _, s := range replies {
		if utf8.RuneCountInString(s) > maxReplyLength {
			return httpError{http.StatusBadRequest, "每条常用回复最多 300 字。"}
		}
	}
	u := current(r)
	if err := c.Store.PutBodyReplies(r.Context(), store.BodyReplies{Body: body, Replies: replies, UpdatedBy: u.Name, UpdatedAt: c.Now()}); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/bodies/"+body+"/replies?saved=1", http.StatusSeeOther)
	return nil
}
