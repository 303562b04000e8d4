package workflow

import (
	"context"
	"errors"

	"jiefen/dispute"
	"jiefen/store"
)

// The rights, in one place for the console, the API, the stream and the
// case page.

// CanSee is who may read a case: an admin every case; others their body's
// cases, and the duty desk's staff also every urgent case.
func (w *Cases) CanSee(u store.User, k dispute.Case) bool {
	if u.Role == store.RoleAdmin {
		return true
	}
	if u.Body != "" && k.Body == u.Body {
		return true
	}
	duty, ok := w.Table.DutyDesk()
	return ok && k.Urgent && u.Body == duty.ID
}

// CanAct is who may change a case: its own body (and admins). The duty
// desk sees urgent cases of every body, to reach the citizen quickly, but
// may only reply and add notes; the body keeps the case.
func (w *Cases) CanAct(u store.User, k dispute.Case) bool {
	return u.Role == store.RoleAdmin || (u.Body != "" && k.Body == u.Body)
}

// Visible loads a case the user may see; ErrNotFound otherwise.
func (w *Cases) Visible(ctx context.Context, u store.User, id string) (dispute.Case, error) {
	k, err := w.Store.Case(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !w.CanSee(u, k)) {
		return dispute.Case{}, ErrNotFound
	}
	return k, err
}

// VisibleCases lists the cases a user may see, with the filter applied.
// A search (f.Query) finds by phone number only the cases of the user's
// own body, whose phone numbers the user sees: a number typed by anyone
// else must not tell them that a case with that phone exists. (The duty
// desk sees the phones of other bodies' urgent cases too, but finds them
// by number, name or words only.)
func (w *Cases) VisibleCases(ctx context.Context, u store.User, f store.CaseFilter) ([]dispute.Case, error) {
	f.QueryPhones = u.Body
	if u.Role != store.RoleAdmin && f.Body == "" {
		duty, isDuty := w.Table.DutyDesk()
		if !isDuty || u.Body != duty.ID {
			f.Body = u.Body // the store filters: no other body's case is read
		} else if limit := f.Limit; limit > 0 {
			// The duty desk's cases are its own and every body's urgent
			// ones: filter first, then keep the newest.
			f.Limit = 0
			out, err := w.VisibleCases(ctx, u, f)
			if len(out) > limit {
				out = out[:limit]
			}
			return out, err
		}
	}
	all, err := w.Store.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, k := range all {
		if w.CanSee(u, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// writable loads a case the actor may write on (reply, note): visible, and
// not anonymised.
func (w *Cases) writable(ctx context.Context, a Actor, id string) (dispute.Case, error) {
	k, err := w.Visible(ctx, a.User, id)
	if err != nil {
		return k, err
	}
	return k, notAnonymized(k)
}

// acting loads a case for an operation that changes it: its body's and
// admins' only; the others who may see it are told they may only look.
func (w *Cases) acting(ctx context.Context, a Actor, id string) (dispute.Case, error) {
	k, err := w.Visible(ctx, a.User, id)
	if err != nil {
		return k, err
	}
	if !w.CanAct(a.User, k) {
		return dispute.Case{}, refuse(Forbidden, "此案件由"+w.bodyName(k.Body)+"办理，您只能查看、回复和备注。")
	}
	return k, notAnonymized(k)
}

// lead refuses an operation that is a supervisor's or an admin's.
func lead(a Actor, what string) error {
	if a.User.Role == store.RoleMediator {
		return refuse(Forbidden, "只有负责人可以"+what+"。")
	}
	return nil
}

// notAnonymized refuses changes to a case whose personal data the
// retention period took: it ended long ago, and anything written to it now
// (a note, a reopening) would be personal data no retention run removes.
func notAnonymized(k dispute.Case) error {
	if !k.Anonymized.IsZero() {
		return refuse(Conflict, "该案件已按保存期限删除个人信息，只能查看，不能再修改。")
	}
	return nil
}

// BodyContact is a body's name and its contact as citizens are shown it
// ("" when the table gives none).
func (w *Cases) BodyContact(id string) (name, contact string) {
	if b, ok := w.Table.Body(id); ok {
		return b.Name, b.Contact
	}
	return id, ""
}

func (w *Cases) bodyName(id string) string {
	if b, ok := w.Table.Body(id); ok {
		return b.Name
	}
	return id
}

// courtOf reports whether u is of the court the case's judicial
// confirmation was sent to: such a user reads the agreement (and its
// PDF) and answers, and sees nothing else of the case.
func (w *Cases) courtOf(u store.User, k dispute.Case, events []dispute.Event) bool {
	if u.Body == "" {
		return false
	}
	j, ok := dispute.JudicialOf(k, events, w.Now())
	return ok && j.Court == u.Body
}

// canAnswerCourt is who may record a court's answer to an application:
// a user of the court it was sent to, or an admin; nobody before it was
// sent.
func canAnswerCourt(u store.User, j dispute.Judicial) bool {
	return j.Court != "" && (u.Role == store.RoleAdmin || u.Body == j.Court)
}

// The agreement's other rights are the case's: drafting a version is
// acting on the case (its body, its supervisor, admins: acting), reading
// it is seeing the case (CanSee) or being its court (courtOf).
