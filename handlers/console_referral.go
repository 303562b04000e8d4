package handlers

import (
	"context"
	"errors"
	"fmt"
	"jiefen/referral"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/bot"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// Referral actions: decline (the case is routed again), transfer by hand,
// assign within the body, and video mediation.

// declinedBodies lists the bodies that declined a case, from its thread.
func declinedBodies(events []dispute.Event) []string {
	var out []string
	for _, e := range events {
		if e.Kind == dispute.Declined && e.Body != "" {
			out = append(out, e.Body)
		}
	}
	return out
}

// moveToBody records a case going from its body to another, and tells
// the citizen; the thread keeps everything that came before.
func (c *Console) moveToBody(ctx context.Context, u store.User, k dispute.Case, body, rule string, extra []dispute.Event, why string) error {
	b, ok := c.Table.Body(body)
	if !ok {
		return httpError{http.StatusBadRequest, "没有这个单位。"}
	}
	if body == k.Body {
		return httpError{http.StatusBadRequest, "案件已在该单位。"}
	}
	now := c.Now()
	text := bot.TransferNotice(k.ID, b.Name, why)
	if !k.VideoAt.IsZero() {
		// The old body's video meeting does not go with the case.
		text += "\n" + bot.VideoCancelled(k.VideoAt)
	}
	ch := store.Change{
		Transfers: []store.Transfer{{CaseID: k.ID, From: k.Body, Body: body, Rule: rule, At: now}},
		Events: append(extra,
			dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "user:" + u.Name, Status: dispute.Referred,
				Body: body, Text: "转交" + b.Name + "（" + rule + "）"}),
	}
	ch.Tell(k, text, now)
	if !k.VideoAt.IsZero() {
		ch.Video = []store.VideoSchedule{{CaseID: k.ID, At: now}}
	}
	hook, err := c.Hooks.Of(ctx, body)
	if err != nil {
		return err
	}
	if hook.URL != "" {
		// The new body's system gets the referral with the whole thread so
		// far: the citizen never tells the story again.
		events, err := c.Store.Events(ctx, k.ID)
		if err != nil {
			return err
		}
		moved := k
		moved.Body = body
		ch.Referrals = []store.Referral{referral.Build(moved, events, hook, c.consoleURL(k.ID), now)}
	}
	if k.Status != dispute.Referred {
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Referred, At: now, From: k.Status}}
	} else {
		// Unchanged status, but still conditional: an accept that won the
		// race must not be undone by this decline.
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Referred, At: now, From: dispute.Referred}}
	}
	if err := deadline.Due(ctx, c.Store, c.Table, k, &ch); err != nil {
		return err
	}
	if err := c.Store.Commit(ctx, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return httpError{http.StatusConflict, "案件刚被别人处理过，请刷新后再试。"}
		}
		return err
	}
	noteAudit(ctx, k.Body+" → "+body)
	if c.Kick != nil {
		c.Kick()
	}
	if len(ch.Referrals) > 0 && c.KickReferrals != nil {
		c.KickReferrals()
	}
	return nil
}

// consoleURL is a case's console address, given to agencies in referrals.
func (c *Console) consoleURL(id string) string {
	return strings.TrimRight(c.PublicURL, "/") + "/console/cases/" + id
}

// retryReferral sends a failed referral again (supervisors and admins).
func (c *Console) retryReferral(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	if current(r).Role == store.RoleMediator {
		return httpError{http.StatusForbidden, "只有负责人可以重发转介。"}
	}
	id, err := strconv.ParseInt(r.PathValue("ref"), 10, 64)
	if err != nil {
		return errNotFound
	}
	refs, err := c.Store.ListReferrals(r.Context(), store.ReferralFilter{CaseID: k.ID})
	if err != nil {
		return err
	}
	for _, ref := range refs {
		if ref.ID == id {
			if err := c.Store.RetryReferral(r.Context(), id, c.Now()); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
			noteAudit(r.Context(), strconv.FormatInt(id, 10))
			if c.KickReferrals != nil {
				c.KickReferrals()
			}
			return back(w, r)
		}
	}
	return errNotFound
}

// decline refuses a referral with a reason; the case is routed to the
// next body that can take it, skipping every body that declined it.
func (c *Console) decline(ctx context.Context, u store.User, k dispute.Case, reason string) error {
	if u.Role == store.RoleMediator {
		return httpError{http.StatusForbidden, "只有负责人可以决定不予受理。"}
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReply {
		return httpError{http.StatusBadRequest, "请写明不予受理的原因。"}
	}
	if k.Status != dispute.Referred && k.Status != dispute.Received {
		return httpError{http.StatusConflict, "已受理的案件不能退回，请改用转交。"}
	}
	events, err := c.Store.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	exclude := append(declinedBodies(events), k.Body)
	dec, err := c.Table.Route(k.Type, k.Region, exclude...)
	if err != nil {
		return httpError{http.StatusConflict, "没有其他可以转交的单位，请联系管理员。"}
	}
	declined := dispute.Event{CaseID: k.ID, At: c.Now(), Kind: dispute.Declined, Actor: "user:" + u.Name, Body: k.Body, Text: reason}
	return c.moveToBody(ctx, u, k, dec.Body.ID, dec.Rule, []dispute.Event{declined}, "")
}

// transfer sends a case to a named body; supervisors and admins only.
func (c *Console) transfer(ctx context.Context, u store.User, k dispute.Case, body, reason string) error {
	if u.Role == store.RoleMediator {
		return httpError{http.StatusForbidden, "只有负责人可以转交案件。"}
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReply {
		return httpError{http.StatusBadRequest, "请写明转交的原因。"}
	}
	if k.Status.Open() == false {
		return httpError{http.StatusConflict, "已结束的案件不能转交。"}
	}
	note := dispute.Event{CaseID: k.ID, At: c.Now(), Kind: dispute.Note, Actor: "user:" + u.Name, Body: k.Body, Text: "转交原因：" + reason}
	return c.moveToBody(ctx, u, k, body, "transfer:"+u.Name, []dispute.Event{note}, reason)
}

// scheduleVideo sets the video mediation, tells the citizen the time and
// link now, and queues a reminder for 30 minutes before.
func (c *Console) scheduleVideo(ctx context.Context, u store.User, k dispute.Case, start time.Time, link string) error {
	now := c.Now()
	if !start.After(now) {
		return httpError{http.StatusBadRequest, "视频调解时间要在现在之后。"}
	}
	link = strings.TrimSpace(link)
	if link == "" {
		if c.VideoURL == "" {
			return httpError{http.StatusBadRequest, "请填写视频会议链接。"}
		}
		link = strings.ReplaceAll(c.VideoURL, "{case}", k.ID)
	}
	if !strings.HasPrefix(link, "https://") {
		return httpError{http.StatusBadRequest, "视频链接要以 https:// 开头。"}
	}
	if !k.Status.Open() {
		return httpError{http.StatusConflict, "已结束的案件不能安排调解。"}
	}
	remindAt := start.Add(-30 * time.Minute)
	text := bot.VideoNotice(k.ID, start, link, remindAt.After(now))
	ch := store.Change{
		Video: []store.VideoSchedule{{CaseID: k.ID, Start: start, URL: link, At: now}},
		Events: []dispute.Event{
			{CaseID: k.ID, At: now, Kind: dispute.Video, Actor: "user:" + u.Name, Text: start.In(chinaTime).Format("2006-01-02 15:04") + " " + link},
		},
	}
	ch.Tell(k, text, now)
	if at := remindAt; at.After(now) {
		// A durable reminder: the queue holds it until its time, across
		// restarts. Its scheduled start rides along, so a reminder for a
		// time since changed is dropped when due.
		ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: k.OpenID, CaseID: k.ID, Kind: store.OutVideoReminder,
			Text: bot.VideoReminder(k.ID, start, link), MediaID: start.UTC().Format(time.RFC3339), NotBefore: at, CreatedAt: now})
	}
	if k.Status == dispute.Accepted {
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Mediating, At: now, From: dispute.Accepted}}
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "user:" + u.Name, Status: dispute.Mediating})
	}
	if err := c.Store.Commit(ctx, ch); err != nil {
		return err
	}
	if c.Kick != nil {
		c.Kick()
	}
	return nil
}

// assign gives the case to a user of its body; supervisors and admins only.
func (c *Console) assign(ctx context.Context, u store.User, k dispute.Case, name string) error {
	if u.Role == store.RoleMediator {
		return httpError{http.StatusForbidden, "只有负责人可以分派案件。"}
	}
	to, err := c.Store.User(ctx, name)
	if err != nil || to.Body != k.Body {
		return httpError{http.StatusBadRequest, "只能分派给本单位的调解员。"}
	}
	now := c.Now()
	err = c.Store.Commit(ctx, store.Change{
		Assign: []store.Assignment{{CaseID: k.ID, User: to.Name, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "user:" + u.Name, Text: fmt.Sprintf("分派给 %s", to.Name)}},
	})
	if err == nil {
		noteAudit(ctx, to.Name)
	}
	return err
}

// parseLocal reads a datetime-local form value as China time.
func parseLocal(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, chinaTime)
	if err != nil {
		return time.Time{}, httpError{http.StatusBadRequest, "时间格式不对。"}
	}
	return t, nil
}

func (c *Console) declineForm(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.decline(r.Context(), current(r).User, k, r.PostFormValue("reason")); err != nil {
		return err
	}
	// The case has left this body: back to the queue.
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
	return nil
}

func (c *Console) transferForm(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.transfer(r.Context(), current(r).User, k, r.PostFormValue("body"), r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
	return nil
}

func (c *Console) assignForm(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	if err := c.assign(r.Context(), current(r).User, k, r.PostFormValue("user")); err != nil {
		return err
	}
	return back(w, r)
}

func (c *Console) videoForm(w http.ResponseWriter, r *http.Request) error {
	k, err := c.actingCase(r.Context(), r)
	if err != nil {
		return err
	}
	start, err := parseLocal(r.PostFormValue("start"))
	if err != nil {
		return err
	}
	if err := c.scheduleVideo(r.Context(), current(r).User, k, start, r.PostFormValue("url")); err != nil {
		return err
	}
	return back(w, r)
}
