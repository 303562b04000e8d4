package workflow

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/referral"
	"jiefen/store"
)

// Decline refuses a referral with a reason (supervisors, admins, and the
// body's own system through the API); the case is routed to the next body
// that can take it, skipping every body that declined it.
func (w *Cases) Decline(ctx context.Context, a Actor, id, reason string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if err := lead(a, "决定不予受理"); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReply {
		return refuse(Invalid, "请写明不予受理的原因。")
	}
	if k.Status != dispute.Referred && k.Status != dispute.Received {
		return refuse(Conflict, "已受理的案件不能退回，请改用转交。")
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	dec, err := w.Table.Route(k.Type, k.Region, append(declinedBodies(events), k.Body)...)
	if err != nil {
		return refuse(Conflict, "没有其他可以转交的单位，请联系管理员。")
	}
	declined := dispute.Event{CaseID: k.ID, At: w.Now(), Kind: dispute.Declined, Actor: a.name(), Body: k.Body, Text: reason}
	return w.moveToBody(ctx, a, k, events, dec.Body.ID, dec.Rule, declined, "", "decline")
}

// Transfer sends a case to a named body; supervisors and admins only.
func (w *Cases) Transfer(ctx context.Context, a Actor, id, body, reason string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if err := lead(a, "转交案件"); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReply {
		return refuse(Invalid, "请写明转交的原因。")
	}
	if !k.Status.Open() {
		return refuse(Conflict, "已结束的案件不能转交。")
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	note := dispute.Event{CaseID: k.ID, At: w.Now(), Kind: dispute.Note, Actor: a.name(), Body: k.Body, Text: "转交原因：" + reason}
	return w.moveToBody(ctx, a, k, events, body, "transfer:"+a.User.Name, note, reason, "transfer")
}

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

// moveToBody records a case going from its body to another and tells the
// citizen; the thread keeps everything that came before, and the new
// body's system gets it all with the referral.
func (w *Cases) moveToBody(ctx context.Context, a Actor, k dispute.Case, events []dispute.Event, body, rule string,
	why dispute.Event, reason, op string) error {
	b, ok := w.Table.Body(body)
	if !ok {
		return refuse(Invalid, "没有这个单位。")
	}
	if body == k.Body {
		return refuse(Invalid, "案件已在该单位。")
	}
	now := w.Now()
	text := catalog.TransferNotice(k.ID, b.Name, reason)
	if !k.VideoAt.IsZero() {
		// The old body's video meeting does not go with the case.
		text += "\n" + catalog.VideoCancelled(k.VideoAt)
	}
	ch := store.Change{
		Transfers: []store.Transfer{{CaseID: k.ID, From: k.Body, Body: body, Rule: rule, At: now}},
		Events: []dispute.Event{why, {CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: a.name(), Status: dispute.Referred,
			Body: body, Text: "转交" + b.Name}},
		// Conditional even when the status stays: an accept that won the
		// race must not be undone by this decline.
		Statuses: []store.StatusChange{{CaseID: k.ID, To: dispute.Referred, At: now, From: k.Status}},
	}
	ch.Tell(k, text, now)
	if !k.VideoAt.IsZero() {
		ch.Video = []store.VideoSchedule{{CaseID: k.ID, At: now}}
	}
	hook, err := w.Hooks.Of(ctx, body)
	if err != nil {
		return err
	}
	if hook.URL != "" {
		moved := k
		moved.Body = body
		ch.Referrals = []store.Referral{referral.Build(moved, events, hook, w.consoleURL(k.ID), now)}
	}
	deadline.SetDue(&ch, k, events, w.Table) // a new body's acceptance clock starts
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, op+" "+k.Body+" → "+body)
}

// consoleURL is a case's console address, given to agencies in referrals.
func (w *Cases) consoleURL(id string) string {
	return strings.TrimRight(w.PublicURL, "/") + "/console/cases/" + id
}

// RetryReferral sends a failed referral of the case again (supervisors
// and admins).
func (w *Cases) RetryReferral(ctx context.Context, a Actor, id string, ref int64) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if err := lead(a, "重发转介"); err != nil {
		return err
	}
	refs, err := w.Store.ListReferrals(ctx, store.ReferralFilter{CaseID: k.ID})
	if err != nil {
		return err
	}
	for _, r := range refs {
		if r.ID != ref {
			continue
		}
		// Already pending or delivered (a second click): nothing to do.
		if err := w.Store.RetryReferral(ctx, ref, w.Now()); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		if w.KickReferrals != nil {
			w.KickReferrals()
		}
		return w.commit(ctx, a, store.Change{}, store.AuditChange, k.ID, "referral retry "+strconv.FormatInt(ref, 10))
	}
	return ErrNotFound
}
