package workflow

import (
	"context"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/personal"
	"jiefen/store"
)

// Consent is one answer of the citizen to a personal-information notice
// before filing: the general notice, or the separate consent for sensitive
// information (个人信息保护法 art. 29) with the kinds it was about.
type Consent struct {
	Sensitive []personal.Kind // empty: the general notice
	Agreed    bool
	Version   string // catalog.NoticeVersion when it was given
	At        time.Time
}

// The answers in a consent's audit detail: "notice pi-2026-12 agreed",
// "sensitive health,minor pi-2026-12 declined".
const (
	AuditAgreed   = "agreed"
	AuditDeclined = "declined"
)

// recordConsents puts a case's consents in the audit log, and the
// sensitive one on the thread for the mediator: what was agreed to, or
// what was declined and so is not in the story.
func recordConsents(ch *store.Change, k dispute.Case, consents []Consent, now time.Time) {
	for _, c := range consents {
		if c.At.IsZero() {
			continue
		}
		// The detail is in stable codes, as every audit entry's (the
		// console's audit page puts them into words).
		answer := AuditAgreed
		if !c.Agreed {
			answer = AuditDeclined
		}
		detail := "notice " + c.Version + " " + answer
		if len(c.Sensitive) > 0 {
			codes := make([]string, len(c.Sensitive))
			for i, kind := range c.Sensitive {
				codes[i] = string(kind)
			}
			detail = "sensitive " + strings.Join(codes, ",") + " " + c.Version + " " + answer
			note := "市民同意向承办单位提供敏感个人信息：" + personal.Names(c.Sensitive) + "（告知版本 " + c.Version + "）。"
			if !c.Agreed {
				note = "市民未同意提供敏感个人信息：" + personal.Names(c.Sensitive) + "。相关内容未保存、未转交；" +
					"如调解确需了解，请向市民说明用途并征得同意。（告知版本 " + c.Version + "）"
			}
			ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "system", Text: note})
		}
		ch.Audit = append(ch.Audit, store.AuditEntry{At: c.At, User: store.AuditCitizen, Role: store.AuditCitizen,
			Action: store.AuditConsent, CaseID: k.ID, Detail: detail})
	}
}

// SensitiveAgreed lists the kinds of sensitive information the citizen
// agreed to pass on to the body of case caseID, by their latest answer
// for each kind (the audit log keeps every answer, intake's and later).
func (w *Cases) SensitiveAgreed(ctx context.Context, caseID string) ([]personal.Kind, error) {
	entries, err := w.Store.AuditLog(ctx, store.AuditFilter{CaseID: caseID, Action: store.AuditConsent})
	if err != nil {
		return nil, err
	}
	answered := map[personal.Kind]bool{}
	var agreed []personal.Kind
	for _, e := range entries { // newest first: the first answer met per kind is the latest
		f := strings.Fields(e.Detail) // "sensitive health,minor pi-2026-12 agreed"
		if len(f) != 4 || f[0] != "sensitive" {
			continue
		}
		for _, code := range strings.Split(f[1], ",") {
			k := personal.Kind(code)
			if answered[k] {
				continue
			}
			answered[k] = true
			if f[3] == AuditAgreed {
				agreed = append(agreed, k)
			}
		}
	}
	return agreed, nil
}

// CitizenConsents records an answer the citizen gave on a case already
// filed: the separate consent for sensitive information in a later
// message, asked before that message reached the body.
func (w *Cases) CitizenConsents(ch *store.Change, k dispute.Case, c Consent) {
	recordConsents(ch, k, []Consent{c}, c.At)
}
