package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"jiefen/bot"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// maxReply keeps a reply within one customer-service message (the
// platform's limit is about 2048 bytes).
const maxReply = 600

// sendToCitizen queues text for the citizen and records it on the thread.
func (c *Console) sendToCitizen(ctx context.Context, u store.User, k dispute.Case, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return httpError{http.StatusBadRequest, "消息不能为空。"}
	}
	if err := notAnonymized(k); err != nil {
		return err
	}
	if utf8.RuneCountInString(text) > maxReply {
		return httpError{http.StatusBadRequest, fmt.Sprintf("消息太长了，请分几条发送（每条最多 %d 字）。", maxReply)}
	}
	now := c.Now()
	err := c.Store.Commit(ctx, store.Change{
		Events:   []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.MessageOut, Actor: "user:" + u.Name, Text: text}},
		Outbound: []store.Outbound{{OpenID: k.OpenID, CaseID: k.ID, Kind: store.OutText, Text: bot.FromMediator(k.ID, text), NotBefore: now, CreatedAt: now}},
	})
	if err == nil && c.Kick != nil {
		c.Kick()
	}
	return err
}

// settable are the statuses set by hand; referred and received come only
// with a decline or a transfer (the case must go somewhere), withdrawn
// only from the citizen.
var settable = map[dispute.Status]bool{dispute.Accepted: true, dispute.Mediating: true, dispute.Resolved: true, dispute.Unresolved: true}

// moveCase changes a case's status, records it and tells the citizen.
func (c *Console) moveCase(ctx context.Context, u store.User, k dispute.Case, to dispute.Status, note string) error {
	if !settable[to] {
		return httpError{http.StatusBadRequest, "这个状态不能直接设置。"}
	}
	if !dispute.CanMove(k.Status, to) {
		return httpError{http.StatusConflict, fmt.Sprintf("案件现在是“%s”，不能改为“%s”。", k.Status.Name(), to.Name())}
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxReply {
		return httpError{http.StatusBadRequest, "说明太长了。"}
	}
	now := c.Now()
	bodyName := k.Body
	if b, ok := c.Table.Body(k.Body); ok {
		bodyName = b.Name
	}
	ch := store.Change{
		// From: if someone else moved the case meanwhile, nothing happens.
		Statuses: []store.StatusChange{{CaseID: k.ID, To: to, At: now, From: k.Status}},
		Events:   []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "user:" + u.Name, Status: to, Text: note}},
	}
	ch.Tell(k, bot.StatusNotice(k.ID, to, bodyName, note), now)
	if err := deadline.Due(ctx, c.Store, c.Table, k, &ch); err != nil {
		return err
	}
	err := c.Store.Commit(ctx, ch)
	if errors.Is(err, store.ErrConflict) {
		return httpError{http.StatusConflict, "案件刚被别人处理过，请刷新后再试。"}
	}
	if err == nil {
		noteAudit(ctx, string(to))
		if c.Kick != nil {
			c.Kick()
		}
	}
	return err
}

// back returns to the case page after a form post.
func back(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/console/cases/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

func (c *Console) reply(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.sendToCitizen(r.Context(), current(r).User, k, r.PostFormValue("text")); err != nil {
		return err
	}
	return back(w, r)
}

// note records an internal note: never sent to the citizen.
func (c *Console) note(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := notAnonymized(k); err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" || utf8.RuneCountInString(text) > 2000 {
		return httpError{http.StatusBadRequest, "备注不能为空，最多 2000 字。"}
	}
	u := current(r)
	err = c.Store.Commit(r.Context(), store.Change{Events: []dispute.Event{
		{CaseID: k.ID, At: c.Now(), Kind: dispute.Note, Actor: "user:" + u.Name, Text: text}}})
	if err != nil {
		return err
	}
	return back(w, r)
}

// take claims the case, so two mediators do not answer at once. A case
// someone else has is only taken over by a supervisor or admin.
func (c *Console) take(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	u := current(r)
	if k.Assignee != "" && k.Assignee != u.Name && u.Role == store.RoleMediator {
		return httpError{http.StatusConflict, "案件已由 " + k.Assignee + " 接手。"}
	}
	now := c.Now()
	err = c.Store.Commit(r.Context(), store.Change{
		// A claim: if another mediator took it meanwhile, one of them wins.
		// Supervisors take over whoever has it.
		Assign: []store.Assignment{{CaseID: k.ID, User: u.Name, At: now, IfFree: u.Role == store.RoleMediator}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "user:" + u.Name, Text: u.Name + " 接手了案件"}},
	})
	if errors.Is(err, store.ErrConflict) {
		return httpError{http.StatusConflict, "案件刚被别人接手了。"}
	}
	if err != nil {
		return err
	}
	return back(w, r)
}

func (c *Console) setStatus(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	to := dispute.Status(r.PostFormValue("status"))
	if !to.Valid() {
		return httpError{http.StatusBadRequest, "未知的状态。"}
	}
	if err := c.moveCase(r.Context(), current(r).User, k, to, r.PostFormValue("note")); err != nil {
		return err
	}
	return back(w, r)
}

// retype corrects the case's type. The correction is also a labelled
// example for the classifier's next training (jiefen corpus export).
func (c *Console) retype(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	to := dispute.Type(r.PostFormValue("type"))
	if !to.Valid() {
		return httpError{http.StatusBadRequest, "未知的纠纷类型。"}
	}
	if to == k.Type {
		noteAudit(r.Context(), "unchanged")
		return back(w, r)
	}
	u := current(r)
	now := c.Now()
	err = c.Store.Commit(r.Context(), store.Change{
		Retype: []store.Retype{{CaseID: k.ID, Type: to, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Retyped, Actor: "user:" + u.Name,
			Text: string(k.Type) + " " + string(to)}},
	})
	if err != nil {
		return err
	}
	noteAudit(r.Context(), string(k.Type)+" "+string(to))
	return back(w, r)
}
