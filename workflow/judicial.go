package workflow

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/agreementpdf"
	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/referral"
	"jiefen/store"
)

// Judicial confirmation (司法确认, 人民调解法 art. 33, 民事诉讼法 arts.
// 205–206): once the agreement took effect, every party applies in chat
// (申请司法确认) within 30 days; the last application sends the court
// (the routing table's court for the case's region) a signed referral
// through the durable queue; the court answers through the API, and
// every party is told. The state is the thread (dispute.JudicialOf).

// JudicialView is "judicial_confirmation" in GET /api/v1/cases/{id}.
type JudicialView struct {
	Status      string     `json:"status"`
	Court       string     `json:"court"` // the court's body id: the one applied to, else the one that would be
	CourtName   string     `json:"court_name,omitempty"`
	RequestedAt *time.Time `json:"requested_at"` // null until the application was sent
	Due         time.Time  `json:"due"`          // 30 days after the agreement took effect
	Applied     []string   `json:"applied"`
	Number      string     `json:"number,omitempty"`
	Reason      string     `json:"reason,omitempty"` // the court's, for rejected; why, for not_available
	Version     int        `json:"version"`
	SHA256      string     `json:"sha256"`
}

// Judicial is the case's judicial confirmation as the API shows it;
// false when no agreement took effect.
func (w *Cases) Judicial(k dispute.Case, events []dispute.Event) (JudicialView, bool) {
	j, ok := dispute.JudicialOf(k, events, w.Now())
	if !ok {
		return JudicialView{}, false
	}
	v := JudicialView{Status: j.Status, Court: j.Court, Due: j.Due, Applied: []string{},
		Number: j.Number, Reason: j.Reason, Version: j.Version, SHA256: j.SHA256}
	if !j.RequestedAt.IsZero() {
		at := j.RequestedAt
		v.RequestedAt = &at
	}
	if v.Status == dispute.JudicialNotAvailable {
		v.Reason = j.Why
	}
	if v.Court == "" {
		if c, ok := w.Table.Court(k.Region); ok {
			v.Court = c.ID
		}
	}
	if v.Court != "" {
		v.CourtName = w.bodyName(v.Court)
	}
	for _, p := range j.Applied {
		v.Applied = append(v.Applied, dispute.PartyRole(p))
	}
	return v, true
}

// maxAddress bounds a 送达地址.
const maxAddress = 200

// ApplyCourt takes a party's 申请司法确认 from the chat (with a 送达地址
// after the words, if they wrote one) for their case whose agreement took
// effect. The last party's application queues the referral to the court.
// It adds to the turn's Change and returns the reply and the case.
func (w *Cases) ApplyCourt(ctx context.Context, ch *store.Change, openID, address string, now time.Time) (string, string, error) {
	address = cleanAddress(address)
	cases, err := w.partyCases(ctx, openID)
	if err != nil {
		return "", "", err
	}
	for _, pc := range cases {
		if reply, done, err := w.applyFor(ctx, ch, pc, address, now); done || err != nil {
			return reply, pc.Case.ID, err
		}
	}
	return catalog.CourtNotSigned, "", nil
}

// applyFor takes one party's application on one case (ApplyCourt); done
// is false when that case has no agreement in effect to apply for.
func (w *Cases) applyFor(ctx context.Context, ch *store.Change, pc partyCase, address string, now time.Time) (reply string, done bool, err error) {
	k := pc.Case
	if !k.Anonymized.IsZero() {
		return "", false, nil
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return "", false, err
	}
	j, ok := dispute.JudicialOf(k, events, now)
	if !ok {
		return "", false, nil
	}
	if address != "" {
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.ServiceAddress, Actor: pc.Party.Role, Party: pc.Party.ID,
			Text: pc.Party.Key + " " + address})
		j.Addresses[pc.Party.Key] = address
	}
	switch j.Status {
	case dispute.JudicialNotAvailable:
		return catalog.CourtNotAvailable(k.ID, j.Why), true, nil
	case dispute.JudicialExpired:
		return catalog.CourtExpired(k.ID), true, nil
	case dispute.JudicialRequested, dispute.JudicialAccepted:
		return catalog.CourtInProgress(k.ID), true, nil
	case dispute.JudicialConfirmed, dispute.JudicialRejected:
		return catalog.CourtAnswer(k.ID, w.bodyName(j.Court), j.Status, j.Number, j.Reason), true, nil
	}
	if slices.Contains(j.Applied, pc.Party.Key) {
		if address != "" {
			return catalog.AddressRecorded(k.ID, address), true, nil
		}
		return catalog.CourtAlreadyApplied(k.ID, j.Due), true, nil
	}
	// On the thread as read, so the last of the parties' applications
	// always sends it, however close together they came (store.ThreadMark).
	ch.Unchanged = append(ch.Unchanged, store.MarkOf(k.ID, events))
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.CourtApplied, Actor: pc.Party.Role, Party: pc.Party.ID, Text: pc.Party.Key})
	j.Applied = append(j.Applied, pc.Party.Key)
	parties, err := w.Parties(ctx, k)
	if err != nil {
		return "", false, err
	}
	for _, p := range parties {
		if !slices.Contains(j.Applied, p.Key) {
			return catalog.CourtApplied(k.ID, j.Due, j.Addresses[pc.Party.Key]), true, nil
		}
	}
	// Every party applied: to the court.
	reply, err = w.requestCourt(ctx, ch, k, events, parties, pc.Party, j, now)
	return reply, true, err
}

// requestCourt queues the application to the case's court and tells the
// parties; the party who applied last reads it in the reply.
func (w *Cases) requestCourt(ctx context.Context, ch *store.Change, k dispute.Case, events []dispute.Event, parties []Party,
	last Party, j dispute.Judicial, now time.Time) (string, error) {
	court, ok := w.Table.Court(k.Region)
	if !ok {
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "system",
			Text: "双方已申请司法确认，但路由表中没有服务本地区的法院（court: true），请线下协助当事人向法院申请。"})
		text := catalog.CourtNoCourt(k.ID)
		tellParties(ch, k, parties, last.Key, text, now)
		return text, nil
	}
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.CourtRequested, Actor: "system", Body: court.ID,
		Text: strconv.Itoa(j.Version) + " " + j.SHA256})
	hook, err := w.Hooks.Of(ctx, court.ID)
	if err != nil {
		return "", err
	}
	if hook.URL != "" {
		thread := append(events[:len(events):len(events)], ch.Events...)
		a := dispute.AgreementOf(k.ID, thread)
		pdf, err := agreementpdf.Render(w.pdfDoc(k, thread, a, parties))
		if err != nil {
			return "", err
		}
		ch.Referrals = append(ch.Referrals, referral.BuildCourt(k.ID, w.courtPayload(k, thread, a, parties, j), pdf, hook, now))
	} else {
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "system",
			Text: court.Name + "没有设置接收地址（webhook），司法确认申请请线下递交，或请法院通过接口查看。"})
	}
	deadline.SetDue(ch, k, events, w.Table) // the 30-day clock stops
	online := hook.URL != ""
	tellParties(ch, k, parties, last.Key, catalog.CourtSent(k.ID, court.Name, online), now)
	return catalog.CourtSentToYou(k.ID, court.Name, j.Addresses[last.Key], online), nil
}

// courtPayload is what the court's system receives (without the PDF,
// which BuildCourt adds).
func (w *Cases) courtPayload(k dispute.Case, thread []dispute.Event, a dispute.Agreement, parties []Party, j dispute.Judicial) referral.CourtPayload {
	cur := a.Current()
	addrs := addressesOf(thread)
	p := referral.CourtPayload{
		Case: referral.CourtCase{ID: k.ID, Type: string(k.Type), TypeName: k.Type.Name(), Region: k.Region, Body: k.Body, BodyName: w.bodyName(k.Body)},
		Agreement: referral.CourtAgreement{Version: cur.Version, SHA256: cur.SHA256, Terms: cur.Terms, SignedAt: referral.RFC3339(a.SignedAt),
			Confirmations: []referral.CourtConfirmation{}},
		Parties:   []referral.CourtParty{},
		Due:       referral.RFC3339(j.Due),
		AnswerURL: strings.TrimRight(w.PublicURL, "/") + "/api/v1/cases/" + k.ID + "/judicial_confirmation",
		Applied:   []referral.CourtApplying{},
	}
	for _, c := range a.Confirmations {
		p.Agreement.Confirmations = append(p.Agreement.Confirmations, referral.CourtConfirmation{Role: c.Role, At: referral.RFC3339(c.At)})
	}
	for _, pt := range claimantNamed(parties, cur.Terms) {
		wechat := ""
		if pt.OpenID != "" {
			wechat = "通过本市“解纷”微信公众号告知（案件 " + k.ID + "）"
		}
		p.Parties = append(p.Parties, referral.CourtParty{Role: pt.Role, Name: pt.Name,
			Service: referral.ServiceAddrs{Phone: pt.Phone, Address: addrs[pt.Key], WeChat: wechat}})
	}
	for _, e := range thread {
		if e.Kind == dispute.CourtApplied && !e.At.Before(a.SignedAt) {
			p.Applied = append(p.Applied, referral.CourtApplying{Role: dispute.PartyRole(e.Text), At: referral.RFC3339(e.At)})
		}
	}
	return p
}

// GiveAddress takes a party's 送达地址 from the chat for their newest case
// with an agreement in effect.
func (w *Cases) GiveAddress(ctx context.Context, ch *store.Change, openID, address string, now time.Time) (string, string, error) {
	address = cleanAddress(address)
	cases, err := w.partyCases(ctx, openID)
	if err != nil {
		return "", "", err
	}
	for _, pc := range cases {
		events, err := w.Store.Events(ctx, pc.Case.ID)
		if err != nil {
			return "", "", err
		}
		if len(dispute.AgreementOf(pc.Case.ID, events).Versions) == 0 || !pc.Case.Anonymized.IsZero() {
			continue
		}
		if address == "" {
			return catalog.AddressMissing, pc.Case.ID, nil
		}
		ch.Events = append(ch.Events, dispute.Event{CaseID: pc.Case.ID, At: now, Kind: dispute.ServiceAddress, Actor: pc.Party.Role, Party: pc.Party.ID,
			Text: pc.Party.Key + " " + address})
		return catalog.AddressRecorded(pc.Case.ID, address), pc.Case.ID, nil
	}
	return "", "", nil
}

func cleanAddress(s string) string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "：:，,"))
	if r := []rune(s); len(r) > maxAddress {
		s = string(r[:maxAddress])
	}
	return strings.Join(strings.Fields(s), " ")
}

// The court's answers.
const (
	CourtAccepted  = dispute.JudicialAccepted
	CourtConfirmed = dispute.JudicialConfirmed
	CourtRejected  = dispute.JudicialRejected
)

// maxCourtText bounds a court's number or reason.
const maxCourtText = 500

// AnswerCourt records the court's answer to a judicial confirmation
// application: accepted (with its number, e.g. "(2026)吉0502民特123号"),
// confirmed (裁定有效; the number of the ruling, optional) or rejected
// (with the reason). Only a user of the court the application went to
// (or an admin) may; every party is told. A rejection sends the case back
// to mediation when it had been resolved, and tells the parties their
// routes (mediate again, or sue).
func (w *Cases) AnswerCourt(ctx context.Context, a Actor, id, status, number, reason string) (JudicialView, error) {
	k, err := w.Store.Case(ctx, id)
	if err != nil {
		if err == store.ErrNotFound {
			return JudicialView{}, ErrNotFound
		}
		return JudicialView{}, err
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return JudicialView{}, err
	}
	j, ok := dispute.JudicialOf(k, events, w.Now())
	if !ok || !canAnswerCourt(a.User, j) {
		if ok && w.CanSee(a.User, k) {
			return JudicialView{}, refuse(Forbidden, "只有受理司法确认的法院可以答复。")
		}
		return JudicialView{}, ErrNotFound
	}
	if err := notAnonymized(k); err != nil {
		return JudicialView{}, err
	}
	number, reason = strings.TrimSpace(number), strings.TrimSpace(reason)
	if utf8.RuneCountInString(number) > maxCourtText || utf8.RuneCountInString(reason) > maxCourtText {
		return JudicialView{}, refuse(Invalid, "案号或理由太长了。")
	}
	switch status {
	case CourtAccepted:
		if number == "" {
			return JudicialView{}, refuse(Invalid, "受理请写明案号（number）。")
		}
	case CourtConfirmed:
		if number == "" {
			number = j.Number
		}
	case CourtRejected:
		if reason == "" {
			return JudicialView{}, refuse(Invalid, "驳回请写明理由（reason）。")
		}
	default:
		return JudicialView{}, refuse(Invalid, "status 应为 accepted、confirmed 或 rejected。")
	}
	switch {
	case j.Status == dispute.JudicialConfirmed || j.Status == dispute.JudicialRejected:
		return JudicialView{}, refuse(Conflict, "法院已作出决定，不能再更改。")
	case j.Status == dispute.JudicialAccepted && status == CourtAccepted:
		return JudicialView{}, refuse(Conflict, "已经受理过了。")
	}
	rest := number
	if status == CourtRejected {
		rest = reason
	}
	now := w.Now()
	ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.CourtAnswered, Actor: a.name(), Body: j.Court,
		Text: dispute.CourtAnswerText(status, rest)}}}
	parties, err := w.Parties(ctx, k)
	if err != nil {
		return JudicialView{}, err
	}
	tellParties(&ch, k, parties, "", catalog.CourtAnswer(k.ID, w.bodyName(j.Court), status, number, reason), now)
	if status == CourtRejected && dispute.CanMove(k.Status, dispute.Mediating) && k.Status == dispute.Resolved {
		// Back to mediation: the agreement the court would not confirm is
		// to be mended, or the parties told to sue.
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Mediating, At: now, From: k.Status}}
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "system", Status: dispute.Mediating,
			Text: "法院驳回司法确认申请，案件回到调解中"})
		if err := deadline.Due(ctx, w.Store, w.Table, k, &ch); err != nil {
			return JudicialView{}, err
		}
	}
	if err := w.commit(ctx, a, ch, store.AuditChange, k.ID, "court "+status); err != nil {
		return JudicialView{}, err
	}
	events = append(events, ch.Events...)
	v, _ := w.Judicial(k, events)
	return v, nil
}
