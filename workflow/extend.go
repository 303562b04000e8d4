package workflow

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// Extend lengthens the mediation deadline by some days, with the reason on
// the thread (people's mediation: when both sides agree). Anyone of the
// case's body may, and admins; the citizen is told the new limit and why.
func (w *Cases) Extend(ctx context.Context, a Actor, id string, days int, reason string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	if days < 1 || days > deadline.MaxExtensionDays {
		return refuse(Invalid, "延长天数要在 1 到 "+strconv.Itoa(deadline.MaxExtensionDays)+" 天之间。")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReply {
		return refuse(Invalid, "请写明延长的原因（例如双方同意延期）。")
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return err
	}
	if d, ok := deadline.Of(k, events, w.Table); !k.Status.Open() || !ok || d.Kind != deadline.Mediate {
		return refuse(Conflict, "只有受理后、办结前的案件可以延长调解期限。")
	}
	now := w.Now()
	ext := dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Extended, Actor: a.name(), Text: deadline.ExtensionText(days, reason)}
	ch := store.Change{Events: []dispute.Event{ext}}
	d, _ := deadline.Of(k, append(events, ext), w.Table)
	ch.Tell(k, catalog.ExtensionNotice(k.ID, days, d.Due.In(w.Table.Calendar().Location()), reason), now)
	deadline.SetDue(&ch, k, events, w.Table) // the mediation deadline moved
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "extend "+strconv.Itoa(days)+"d")
}
