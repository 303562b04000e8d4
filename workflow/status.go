package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// settable are the statuses set by hand; referred and received come only
// with a decline or a transfer (the case must go somewhere), withdrawn
// only from the citizen.
var settable = map[dispute.Status]bool{dispute.Accepted: true, dispute.Mediating: true, dispute.Resolved: true, dispute.Unresolved: true}

// Moves lists the statuses a person may move a case to from its status,
// forward moves first (in the order of a case's life), then backward ones,
// which need a reason.
func Moves(from dispute.Status) (forward, backward []dispute.Status) {
	for _, s := range []dispute.Status{dispute.Accepted, dispute.Mediating, dispute.Resolved, dispute.Unresolved} {
		switch {
		case !dispute.CanMove(from, s):
		case dispute.Backward(from, s):
			backward = append(backward, s)
		default:
			forward = append(forward, s)
		}
	}
	return forward, backward
}

// Move changes a case's status, records it and tells the citizen. It is
// conditional on the status the case had when loaded: of two people
// moving it at once, one wins and the other is told.
func (w *Cases) Move(ctx context.Context, a Actor, id string, to dispute.Status, note string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if !to.Valid() {
		return refuse(Invalid, "未知的状态。")
	}
	if !settable[to] {
		return refuse(Invalid, "这个状态不能直接设置。")
	}
	if !dispute.CanMove(k.Status, to) {
		return refuse(Conflict, fmt.Sprintf("案件现在是“%s”，不能改为“%s”。", k.Status.Name(), to.Name()))
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxReply {
		return refuse(Invalid, "说明太长了。")
	}
	if dispute.Backward(k.Status, to) && note == "" {
		// The citizen is told of every move: a step back needs its why.
		return refuse(Invalid, fmt.Sprintf("从“%s”退回“%s”，请写明原因（会告知市民）。", k.Status.Name(), to.Name()))
	}
	now := w.Now()
	ch := store.Change{
		Statuses: []store.StatusChange{{CaseID: k.ID, To: to, At: now, From: k.Status}},
		Events:   []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: a.name(), Status: to, Text: note}},
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	judicial := ""
	if j, ok := dispute.JudicialOf(k, events, now); ok {
		judicial = j.Status
	}
	ch.Tell(k, catalog.StatusNotice(k.ID, to, w.bodyName(k.Body), note, judicial), now)
	if err := w.tellRespondents(ctx, &ch, k, to, note, judicial, now); err != nil {
		return err
	}
	// The case's clock moves with its status: the watcher's index says when
	// to look at it next.
	if err := deadline.Due(ctx, w.Store, w.Table, k, &ch); err != nil {
		return err
	}
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "status "+string(to))
}

// tellRespondents tells the respondents who came in through WeChat (and
// did not decline) that the case moved to to: they take part in the
// mediation, so its end concerns them as much as the claimant. Those who
// never came are not told: nothing binds them to the case yet.
func (w *Cases) tellRespondents(ctx context.Context, ch *store.Change, k dispute.Case, to dispute.Status, note, judicial string, now time.Time) error {
	ps, err := w.Parties(ctx, k)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Role == dispute.PartyRespondent && p.OpenID != "" {
			tellParty(ch, k, p, catalog.RespondentStatusNotice(k.ID, to, w.bodyName(k.Body), note, judicial), now)
		}
	}
	return nil
}

// Take claims the case, so two mediators do not answer at once. A case
// someone else has is only taken over by a supervisor or admin.
func (w *Cases) Take(ctx context.Context, a Actor, id string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	u := a.User
	if k.Assignee != "" && k.Assignee != u.Name && u.Role == store.RoleMediator {
		return refuse(Conflict, "案件已由 "+w.shown(ctx, k.Assignee)+" 接手。")
	}
	now := w.Now()
	ch := store.Change{
		// A claim: if another mediator took it meanwhile, one of them wins.
		// Supervisors take over whoever has it.
		Assign: []store.Assignment{{CaseID: k.ID, User: u.Name, At: now, IfFree: u.Role == store.RoleMediator}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: a.name(), Text: u.Shown() + " 接手了案件"}},
	}
	if k.Assignee != "" && k.Assignee != u.Name {
		// Taken over: the one who had it reads why their page changed.
		ch.Events[0].Text = u.Shown() + " 接手了案件（原由 " + w.shown(ctx, k.Assignee) + " 办理）"
	}
	if err := w.commit(ctx, a, ch, store.AuditChange, k.ID, "take"); err != nil {
		if err == errMoved {
			return refuse(Conflict, "案件刚被别人接手了。")
		}
		return err
	}
	return nil
}

// Assign gives the case to a user of its body; supervisors and admins only.
func (w *Cases) Assign(ctx context.Context, a Actor, id, name string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if err := lead(a, "分派案件"); err != nil {
		return err
	}
	to, err := w.Store.User(ctx, name)
	if err != nil || to.Body != k.Body {
		return refuse(Invalid, "只能分派给本单位的调解员。")
	}
	now := w.Now()
	ch := store.Change{
		Assign: []store.Assignment{{CaseID: k.ID, User: to.Name, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: a.name(), Text: "分派给 " + to.Shown()}},
	}
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "assign "+to.Name)
}

// Retype corrects the case's type. The correction is also a labelled
// example for the classifier's next training (jiefen corpus export).
func (w *Cases) Retype(ctx context.Context, a Actor, id string, to dispute.Type) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if !to.Valid() {
		return refuse(Invalid, "未知的纠纷类型。")
	}
	if to == k.Type {
		return w.commit(ctx, a, store.Change{}, store.AuditChange, k.ID, "type unchanged")
	}
	now := w.Now()
	ch := store.Change{
		Retype: []store.Retype{{CaseID: k.ID, Type: to, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Retyped, Actor: a.name(), Text: string(k.Type) + " " + string(to)}},
	}
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "type "+string(k.Type)+" "+string(to))
}

// shown is how a thread names a console user: their display name, or the
// login name of one who has none (or is gone). Threads are read by people.
func (w *Cases) shown(ctx context.Context, name string) string {
	if u, err := w.Store.User(ctx, name); err == nil {
		return u.Shown()
	}
	return name
}
