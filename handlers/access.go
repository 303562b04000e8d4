package handlers

import (
	"context"
	"errors"
	"net/http"

	"jiefen/dispute"
	"jiefen/store"
)

// canSee is the one access rule of the console, the API and the stream:
// an admin sees every case; others see their body's cases, and the duty
// desk's staff also every urgent case.
func (c *Console) canSee(u store.User, k dispute.Case) bool {
	if u.Role == store.RoleAdmin {
		return true
	}
	if u.Body != "" && k.Body == u.Body {
		return true
	}
	duty, ok := c.Table.DutyDesk()
	return ok && k.Urgent && u.Body == duty.ID
}

// canAct is who may change a case: its own body (and admins). The duty
// desk sees urgent cases of every body, to reach the citizen quickly, but
// may only reply and add notes; the body keeps the case.
func (c *Console) canAct(u store.User, k dispute.Case) bool {
	return u.Role == store.RoleAdmin || (u.Body != "" && k.Body == u.Body)
}

// actingCase loads the case of the request's {id} for an action that
// changes it: 404 when the user may not see it, 403 when they may only look.
func (c *Console) actingCase(ctx context.Context, r *http.Request) (dispute.Case, error) {
	k, err := c.visibleCase(ctx, r)
	if err != nil {
		return k, err
	}
	if !c.canAct(current(r).User, k) {
		return dispute.Case{}, httpError{http.StatusForbidden, "此案件由" + k.Body + "办理，您只能查看、回复和备注。"}
	}
	return k, notAnonymized(k)
}

// notAnonymized refuses changes to a case whose personal data the
// retention period took: it ended long ago, and anything written to it now
// (a note, a reopening) would be personal data no retention run removes.
func notAnonymized(k dispute.Case) error {
	if !k.Anonymized.IsZero() {
		return httpError{http.StatusConflict, "该案件已按保存期限删除个人信息，只能查看，不能再修改。"}
	}
	return nil
}

// errNotFound answers 404, for missing cases and for cases the user may
// not see alike: whether a case number exists is not for others to learn.
var errNotFound = errors.New("not found")

// visibleCase loads the case of the request's {id}, if the user may see it.
func (c *Console) visibleCase(ctx context.Context, r *http.Request) (dispute.Case, error) {
	k, err := c.Store.Case(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !c.canSee(current(r).User, k)) {
		return dispute.Case{}, errNotFound
	}
	return k, err
}

// visibleCases lists the cases a user may see, with the filter applied.
func (c *Console) visibleCases(ctx context.Context, u store.User, f store.CaseFilter) ([]dispute.Case, error) {
	if u.Role != store.RoleAdmin && f.Body == "" {
		duty, isDuty := c.Table.DutyDesk()
		if !isDuty || u.Body != duty.ID {
			f.Body = u.Body // the store filters: no other body's case is read
		} else if limit := f.Limit; limit > 0 {
			// The duty desk's cases are its own and every body's urgent
			// ones: filter first, then keep the newest.
			f.Limit = 0
			out, err := c.visibleCases(ctx, u, f)
			if len(out) > limit {
				out = out[:limit]
			}
			return out, err
		}
	}
	all, err := c.Store.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, k := range all {
		if c.canSee(u, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// maskedPhone shows a phone number to those outside the case's body.
func maskedPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return "***"
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// maskedOpenID shows an openid's last characters only.
func maskedOpenID(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}
