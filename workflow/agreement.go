package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/agreementpdf"
	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
)

// The mediation agreement (调解协议书): a mediator of the case's body
// drafts it (each save a new version with its sha256), every party
// confirms the current version in chat (确认协议), and it takes effect
// when the last one does. The state is the thread (dispute.AgreementOf).

// MaxTerms bounds an agreement's text: it is sent in chat, a few
// messages of MaxReply characters each, within the platform's quota.
const MaxTerms = 2000

// Agreement statuses.
const (
	AgreementDraft  = "draft"  // waiting for confirmations
	AgreementSigned = "signed" // every party confirmed: in effect
)

// AgreementView is the agreement as the API answers it.
type AgreementView struct {
	Version       int                `json:"version"`
	SHA256        string             `json:"sha256"`
	Status        string             `json:"status"`
	Confirmations []ConfirmationView `json:"confirmations"`
	Terms         string             `json:"terms"`
	DraftedAt     time.Time          `json:"drafted_at"`
	SignedAt      time.Time          `json:"signed_at,omitzero"`
}

// ConfirmationView is one party's confirmation of the current version.
type ConfirmationView struct {
	Role string    `json:"role"`
	At   time.Time `json:"at"`
}

func viewOf(a dispute.Agreement) AgreementView {
	cur := a.Current()
	v := AgreementView{Version: cur.Version, SHA256: cur.SHA256, Status: AgreementDraft, Terms: cur.Terms, DraftedAt: cur.At,
		SignedAt: a.SignedAt, Confirmations: []ConfirmationView{}}
	if a.Signed() {
		v.Status = AgreementSigned
	}
	for _, c := range a.Confirmations {
		v.Confirmations = append(v.Confirmations, ConfirmationView{Role: c.Role, At: c.At})
	}
	return v
}

// errNoAgreement answers a case without an agreement.
var errNoAgreement = refuse(NotFound, "本案还没有调解协议。")

// Agreeable says whether an agreement may be drafted on a case in status
// s: while its body has it, and after it was resolved. A body whose
// mediator drafts one has taken the case, whether or not someone clicked
// 受理 first (an agency working from its own system may never have), so a
// referred case is agreeable too; an unresolved or withdrawn one is not.
func Agreeable(s dispute.Status) bool {
	switch s {
	case dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating, dispute.Resolved:
		return true
	}
	return false
}

// DraftAgreement saves a new version of the case's agreement and sends it
// to every party: a mediator of the case's body, its supervisor or an
// admin. A new version voids the confirmations of the one before (and
// its signing). It returns the agreement as stored.
func (w *Cases) DraftAgreement(ctx context.Context, a Actor, id, terms string) (AgreementView, error) {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return AgreementView{}, err
	}
	terms = dispute.NormalizeTerms(terms)
	switch n := utf8.RuneCountInString(terms); {
	case n == 0:
		return AgreementView{}, refuse(Invalid, "协议内容不能为空。")
	case n > MaxTerms:
		return AgreementView{}, refuse(Invalid, fmt.Sprintf("协议内容太长了（%d 字），请精简到 %d 字以内。", n, MaxTerms))
	}
	if !Agreeable(k.Status) {
		return AgreementView{}, refuse(Conflict, "案件已结束，不能再拟定调解协议。")
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return AgreementView{}, err
	}
	if j, ok := dispute.JudicialOf(k, events, w.Now()); ok && (j.Status == dispute.JudicialRequested ||
		j.Status == dispute.JudicialAccepted || j.Status == dispute.JudicialConfirmed) {
		return AgreementView{}, refuse(Conflict, "协议已提交法院司法确认，不能再修改。")
	}
	parties, err := w.Parties(ctx, k)
	if err != nil {
		return AgreementView{}, err
	}
	now := w.Now()
	version := len(dispute.AgreementOf(k.ID, events).Versions) + 1
	ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.AgreementDrafted, Actor: a.name(), Text: terms}}}
	if k.Status == dispute.Accepted {
		// Terms on the table mean the mediation is under way: the case
		// (and the citizen's page, which says what comes next) shows it,
		// as scheduling a video does.
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Mediating, At: now, From: dispute.Accepted}}
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: a.name(), Status: dispute.Mediating})
	}
	tellParties(&ch, k, parties, "", catalog.AgreementNotice(k.ID, version, terms), now)
	deadline.SetDue(&ch, k, events, w.Table) // a signed version's clock stops
	sha := dispute.AgreementSHA256(k.ID, version, terms)
	if err := w.commit(ctx, a, ch, store.AuditChange, k.ID, "agreement v"+strconv.Itoa(version)+" "+sha[:12]); err != nil {
		return AgreementView{}, err
	}
	// Read back: a version saved at the same moment by someone else comes
	// first or after, and the number is the thread's.
	if events, err = w.Store.Events(ctx, k.ID); err != nil {
		return AgreementView{}, err
	}
	ag := dispute.AgreementOf(k.ID, events)
	for i := len(ag.Versions) - 1; i >= 0; i-- {
		if v := ag.Versions[i]; v.Terms == terms && v.By == a.name() && v.At.Equal(now) {
			if i < len(ag.Versions)-1 { // a newer version came after ours
				ag.Versions, ag.Confirmations, ag.SignedAt = ag.Versions[:i+1], nil, time.Time{}
			}
			break
		}
	}
	return viewOf(ag), nil
}

// Agreement returns the case's agreement: to those who may see the case,
// and to the court its judicial confirmation went to.
func (w *Cases) Agreement(ctx context.Context, u store.User, id string) (AgreementView, error) {
	_, events, err := w.agreementCase(ctx, u, id)
	if err != nil {
		return AgreementView{}, err
	}
	a := dispute.AgreementOf(id, events)
	if len(a.Versions) == 0 {
		return AgreementView{}, errNoAgreement
	}
	return viewOf(a), nil
}

// agreementCase loads a case and its thread for someone who may read its
// agreement.
func (w *Cases) agreementCase(ctx context.Context, u store.User, id string) (dispute.Case, []dispute.Event, error) {
	k, err := w.Store.Case(ctx, id)
	if err != nil {
		if err == store.ErrNotFound {
			return k, nil, ErrNotFound
		}
		return k, nil, err
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return k, nil, err
	}
	if !w.CanSee(u, k) && !w.courtOf(u, k, events) {
		return k, nil, ErrNotFound
	}
	return k, events, nil
}

// AgreementPDF renders the case's current agreement (调解协议书).
func (w *Cases) AgreementPDF(ctx context.Context, u store.User, id string) ([]byte, error) {
	k, events, err := w.agreementCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	a := dispute.AgreementOf(id, events)
	if len(a.Versions) == 0 {
		return nil, errNoAgreement
	}
	parties, err := w.Parties(ctx, k)
	if err != nil {
		return nil, err
	}
	return agreementpdf.Render(w.pdfDoc(k, events, a, parties))
}

// pdfDoc is what the PDF of agreement a shows.
func (w *Cases) pdfDoc(k dispute.Case, events []dispute.Event, a dispute.Agreement, parties []Party) agreementpdf.Doc {
	cur := a.Current()
	addrs := addressesOf(events)
	d := agreementpdf.Doc{CaseID: k.ID, Body: w.bodyName(k.Body), TypeName: k.Type.Name(), Terms: cur.Terms, Version: cur.Version,
		SHA256: cur.SHA256, DraftedAt: cur.At, SignedAt: a.SignedAt}
	parties = claimantNamed(parties, cur.Terms)
	names := map[string]string{}
	for _, p := range parties {
		names[p.Key] = p.Name
		d.Parties = append(d.Parties, agreementpdf.Party{Role: roleName(p.Role), Name: p.Name, Phone: p.Phone, Address: addrs[p.Key]})
	}
	for _, c := range a.Confirmations {
		d.Confirmations = append(d.Confirmations, agreementpdf.Confirmation{Role: roleName(c.Role), Name: names[c.Party], At: c.At})
	}
	return d
}

// claimantNamed gives the claimant the name the terms write for them when
// none is known (dispute.ClaimantInTerms); parties is not changed.
func claimantNamed(parties []Party, terms string) []Party {
	out := slices.Clone(parties)
	for i, p := range out {
		if p.Role == dispute.PartyCitizen && p.Name == "" {
			out[i].Name = dispute.ClaimantInTerms(terms)
		}
	}
	return out
}

// addressesOf is the latest 送达地址 of each party on a thread.
func addressesOf(events []dispute.Event) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.Kind == dispute.ServiceAddress {
			if party, addr, ok := strings.Cut(e.Text, " "); ok {
				out[party] = addr
			}
		}
	}
	return out
}

// ConfirmAgreement takes a party's 确认协议 from the chat: it confirms the
// current version of the agreement of their case that waits for them
// (version, when the party named one, must be it). The last
// confirmation makes it take effect: every party is told, with what
// judicial confirmation would give them. It adds to the turn's Change
// and returns the reply and the case it concerned ("" for none).
func (w *Cases) ConfirmAgreement(ctx context.Context, ch *store.Change, openID string, version int, now time.Time) (string, string, error) {
	cases, err := w.partyCases(ctx, openID)
	if err != nil {
		return "", "", err
	}
	var done *partyCase
	var doneVersion int
	for i := range cases {
		pc := &cases[i]
		events, err := w.Store.Events(ctx, pc.Case.ID)
		if err != nil {
			return "", "", err
		}
		a := dispute.AgreementOf(pc.Case.ID, events)
		cur := a.Current()
		switch {
		case cur.Version == 0 || !pc.Case.Anonymized.IsZero():
			continue
		case a.Confirmed(pc.Party.Key):
			if done == nil {
				done, doneVersion = pc, cur.Version
			}
			continue
		case version != 0 && version != cur.Version:
			return catalog.AgreementStale(pc.Case.ID, version, cur.Version), pc.Case.ID, nil
		}
		return w.confirm(ctx, ch, *pc, events, a, now)
	}
	if done != nil {
		return catalog.AgreementAlreadyConfirmed(done.Case.ID, doneVersion), done.Case.ID, nil
	}
	return catalog.NoAgreement, "", nil
}

func (w *Cases) confirm(ctx context.Context, ch *store.Change, pc partyCase, events []dispute.Event, a dispute.Agreement, now time.Time) (string, string, error) {
	k, cur := pc.Case, a.Current()
	// On the thread as read: of two parties confirming at the same moment,
	// the second runs again and sees the first's word, so the last
	// confirmation always signs (store.ThreadMark).
	ch.Unchanged = append(ch.Unchanged, store.MarkOf(k.ID, events))
	if !a.Confirmed(pc.Party.Key) {
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.AgreementConfirmed, Actor: pc.Party.Role,
			Party: pc.Party.ID, Text: dispute.ConfirmText(cur.Version, cur.SHA256, pc.Party.Key)})
	}
	parties, err := w.Parties(ctx, k)
	if err != nil {
		return "", "", err
	}
	for _, p := range parties {
		if p.Key != pc.Party.Key && !a.Confirmed(p.Key) {
			return catalog.AgreementConfirmedWaiting(k.ID, cur.Version), k.ID, nil
		}
	}
	// The last confirmation: the agreement takes effect now.
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.AgreementSigned, Actor: "system",
		Text: strconv.Itoa(cur.Version) + " " + cur.SHA256})
	ok, why := dispute.Confirmable(k.Type, cur.Terms)
	if ok {
		if _, found := w.Table.Court(k.Region); !found {
			ok, why = false, "本地还没有登记受理司法确认的法院，请联系调解员。"
		}
	}
	text := catalog.AgreementSignedNotice(k.ID, cur.Version, now.Add(dispute.JudicialWindow), ok, why)
	tellParties(ch, k, parties, pc.Party.Key, text, now)
	deadline.SetDue(ch, k, events, w.Table) // the 30-day clock starts
	return text, k.ID, nil
}
