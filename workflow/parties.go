package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// The other party (被申请人): a mediator invites them (Invite); they join
// by scanning the case's parametric QR code in WeChat (the bot binds
// their openid: PartyJoins) or open the signed invitation page; they
// consent or decline (PartyAnswers), write on the case (RespondentWrote)
// and receive the mediator's messages (Reply with a recipient).

// QRCodes is what the workflow needs of the platform to make a
// parametric QR code (bot.Account): a temporary code for a scene string
// (QR_STR_SCENE), and its image.
type QRCodes interface {
	QRCode(ctx context.Context, scene string, life time.Duration) (ticket, url string, err error)
	QRImage(ctx context.Context, ticket string) ([]byte, error)
}

// QRLife is how long an invitation's QR code holds: the platform's
// longest for a temporary code (30 days). A code that ran out is made
// again for the same scene when next shown.
const QRLife = 30 * 24 * time.Hour

// qrAsk bounds the platform call made while inviting: the invitation is
// stored first, so a slow or unreachable platform costs the mediator a
// moment, never the invitation; the code is asked for again when shown.
const qrAsk = 3 * time.Second

// maxParties bounds the respondents of one case.
const maxParties = 5

// ScenePrefix starts every scene jiefen makes: "jfp_" and 20 random hex
// digits (80 bits), so a scene can be neither guessed nor confused with
// another use of the account's codes.
const ScenePrefix = "jfp_"

// IsScene reports whether s is a scene string jiefen makes.
func IsScene(s string) bool {
	return strings.HasPrefix(s, ScenePrefix) && len(s) == len(ScenePrefix)+20
}

func newScene() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return ScenePrefix + hex.EncodeToString(b), nil
}

// Invitation is what a mediator enters to invite a party.
type Invitation struct {
	Role    dispute.Role // "" means respondent, the only role today
	Name    string
	Phone   string
	Summary string // what the party is told; "" for the case's type, region and summary
}

var phoneRe = regexp.MustCompile(`^(?:\+?86)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

// Invite adds a party to a case: its body's people (and admins) only.
// The party is stored, with its thread entry and audit entry, before the
// platform is asked for the QR code: an unreachable platform leaves the
// invitation whole and the code to be made when it is next shown
// (PartyQR). It returns the party as stored.
func (w *Cases) Invite(ctx context.Context, a Actor, id string, in Invitation) (dispute.Party, error) {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return dispute.Party{}, err
	}
	if in.Role == "" {
		in.Role = dispute.Respondent
	}
	if in.Role != dispute.Respondent {
		return dispute.Party{}, refuse(Invalid, "目前只能添加被申请人（role 为 respondent）。")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 40 {
		return dispute.Party{}, refuse(Invalid, "请填写对方的姓名或名称（最多 40 字）。")
	}
	in.Phone = strings.NewReplacer(" ", "", "　", "").Replace(strings.TrimSpace(in.Phone))
	if in.Phone != "" && !phoneRe.MatchString(in.Phone) {
		return dispute.Party{}, refuse(Invalid, "电话号码格式不对：手机号 11 位，座机请带区号。")
	}
	in.Summary = strings.TrimSpace(in.Summary)
	if utf8.RuneCountInString(in.Summary) > 200 {
		return dispute.Party{}, refuse(Invalid, "纠纷概况最多 200 字。")
	}
	if !k.Status.Open() {
		return dispute.Party{}, refuse(Conflict, "已结束的案件不能再邀请当事人。")
	}
	have, err := w.Store.CaseParties(ctx, k.ID)
	if err != nil {
		return dispute.Party{}, err
	}
	if len(have) >= maxParties {
		return dispute.Party{}, refuse(Conflict, fmt.Sprintf("一个案件最多邀请 %d 位当事人。", maxParties))
	}
	scene, err := newScene()
	if err != nil {
		return dispute.Party{}, err
	}
	if in.Summary == "" {
		in.Summary = NeutralSummary(k)
	}
	now := w.Now()
	p := dispute.Party{ID: fmt.Sprintf("%s-R%d", k.ID, len(have)+1), CaseID: k.ID, Role: in.Role, Name: in.Name,
		Phone: in.Phone, Summary: in.Summary, Status: dispute.PartyInvited, Scene: scene, By: a.name(),
		CreatedAt: now, UpdatedAt: now}
	ch := store.Change{
		Parties: []dispute.Party{p},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.PartySet, Actor: a.name(),
			Text: string(dispute.PartyInvited), Party: p.ID}},
	}
	// Two mediators inviting at once would both take the next id: the
	// store refuses the second (ErrConflict), who is asked to look again.
	if err := w.commit(ctx, a, ch, store.AuditChange, k.ID, "party invite "+p.ID); err != nil {
		return dispute.Party{}, err
	}
	qctx, cancel := context.WithTimeout(ctx, qrAsk)
	defer cancel()
	if q, err := w.partyQR(qctx, p); err == nil {
		p = q
	}
	return p, nil
}

// NeutralSummary is what a respondent is told of a case by default: its
// type and region, and the summary with every long run of digits masked
// (phone, ID and account numbers are the claimant's personal data).
func NeutralSummary(k dispute.Case) string {
	s := k.Type.Name()
	if k.Region != "" {
		s += "（" + k.Region + "）"
	}
	if sum := strings.TrimSpace(MaskNumbers(k.Summary)); sum != "" {
		s += "：" + sum
	}
	return s
}

var longDigits = regexp.MustCompile(`[0-9０-９][0-9０-９ -]{5,}[0-9０-９]`)

// MaskNumbers hides every run of seven or more digits (a phone, an ID or
// account number), keeping amounts and dates readable.
func MaskNumbers(s string) string { return longDigits.ReplaceAllString(s, "***") }

// PartyQR returns a party's QR code image (PNG), asking the platform for
// a code (again) when it has none or its code is about to run out. Whoever
// may see the case may show it.
func (w *Cases) PartyQR(ctx context.Context, a Actor, caseID, partyID string) ([]byte, error) {
	p, err := w.VisibleParty(ctx, a.User, caseID, partyID)
	if err != nil {
		return nil, err
	}
	if p.Status == dispute.PartyWithdrawn {
		return nil, refuse(Conflict, "邀请已撤回，二维码已失效。")
	}
	if w.QR == nil {
		return nil, refuse(Unavailable, "没有配置公众号接口，无法生成二维码；请使用邀请链接。")
	}
	unreachable := refuse(Unavailable, "暂时无法从微信取得二维码，请稍后重试；邀请已保存，也可以先使用邀请链接。")
	if p, err = w.partyQR(ctx, p); err != nil {
		return nil, unreachable
	}
	img, err := w.QR.QRImage(ctx, p.QRTicket)
	if err != nil {
		return nil, unreachable
	}
	return img, nil
}

// partyQR makes the party's code when it has none that holds for another
// day, and keeps the ticket on the party.
func (w *Cases) partyQR(ctx context.Context, p dispute.Party) (dispute.Party, error) {
	now := w.Now()
	if p.QRTicket != "" && p.QRExpires.After(now.Add(24*time.Hour)) {
		return p, nil
	}
	if w.QR == nil {
		return p, errors.New("workflow: no platform for QR codes")
	}
	ticket, url, err := w.QR.QRCode(ctx, p.Scene, QRLife)
	if err != nil {
		return p, err
	}
	p.QRTicket, p.QRURL, p.QRExpires = ticket, url, now.Add(QRLife)
	err = w.Store.Commit(ctx, store.Change{PartyQR: []store.PartyQR{{PartyID: p.ID, Ticket: ticket, URL: url, Expires: p.QRExpires}}})
	return p, err
}

// VisibleParty loads a party of a case the user may see; ErrNotFound
// otherwise.
func (w *Cases) VisibleParty(ctx context.Context, u store.User, caseID, partyID string) (dispute.Party, error) {
	if _, err := w.Visible(ctx, u, caseID); err != nil {
		return dispute.Party{}, err
	}
	p, err := w.Store.Party(ctx, partyID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.CaseID != caseID) {
		return dispute.Party{}, ErrNotFound
	}
	return p, err
}

// Scan is what a scene scanned in WeChat comes to (ScanOf).
type Scan int

// The outcomes of a scan.
const (
	ScanUnknown   Scan = iota // no such invitation (or not jiefen's scene)
	ScanEnded                 // its case no longer takes words
	ScanTaken                 // someone else joined with it
	ScanAgain                 // this person joined with it before
	ScanJoins                 // this person joins now
	ScanOwn                   // the claimant scanned their own case's code
	ScanWithdrawn             // the mediator withdrew the invitation
)

// ScanOf says what scanning p's code by openID comes to; p and k are the
// party and its case as read.
func ScanOf(p dispute.Party, k dispute.Case, openID string, now time.Time) Scan {
	switch {
	case p.Status == dispute.PartyWithdrawn:
		return ScanWithdrawn
	case !TakesWords(k, now) || !k.Status.Open():
		return ScanEnded
	case k.OpenID == openID:
		return ScanOwn
	case p.OpenID == openID:
		return ScanAgain
	case p.OpenID != "":
		return ScanTaken
	}
	return ScanJoins
}

// PartyJoins binds openID as the party (the scan of its code):
// conditional on the party being unbound as read, so of two people
// scanning one code at once one joins (the store refuses the other's
// Change, and their turn runs again to be told the code is taken). An
// invited party becomes joined; one who answered on the invitation page
// keeps the answer.
func (w *Cases) PartyJoins(ch *store.Change, k dispute.Case, p dispute.Party, openID string, now time.Time) {
	to := p.Status
	if to == dispute.PartyInvited {
		to = dispute.PartyJoined
	}
	ch.PartyMoves = append(ch.PartyMoves, store.PartyMove{PartyID: p.ID, CaseID: k.ID, From: p.Status, To: to, OpenID: openID, At: now})
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.PartySet, Actor: "respondent",
		Text: string(dispute.PartyJoined), Party: p.ID})
}

// PartyAnswers records a party's consent to mediation (同意调解) or its
// refusal (不同意), conditional on the status as read. A refusal tells
// the claimant, with the other routes the law gives them (人民调解法
// art. 26), and marks the case in its body's queue; a consent tells the
// claimant the other side is coming. It reports whether anything changed.
// Once the case ended or its agreement took effect the answer changes
// nothing (Settled): a refusal then would void a signed agreement and
// tell the claimant mediation failed after it succeeded.
func (w *Cases) PartyAnswers(ctx context.Context, ch *store.Change, k dispute.Case, p dispute.Party, consent bool, now time.Time) (bool, error) {
	to := dispute.PartyDeclined
	if consent {
		to = dispute.PartyConsented
	}
	if !p.Status.CanMoveTo(to) {
		return false, nil
	}
	if settled, err := w.Settled(ctx, k); settled || err != nil {
		return false, err
	}
	ch.PartyMoves = append(ch.PartyMoves, store.PartyMove{PartyID: p.ID, CaseID: k.ID, From: p.Status, To: to, At: now})
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.PartySet, Actor: "respondent",
		Text: string(to), Party: p.ID})
	if consent {
		ch.Tell(k, catalog.ClaimantToldJoined(k.ID, true), now)
	} else {
		ch.Tell(k, catalog.ClaimantToldDeclined(k.ID), now)
	}
	return true, nil
}

// Settled reports whether the parties' answers no longer change case k:
// it ended, or its agreement took effect.
func (w *Cases) Settled(ctx context.Context, k dispute.Case) (bool, error) {
	if !k.Status.Open() {
		return true, nil
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return false, err
	}
	return dispute.AgreementOf(k.ID, events).Signed(), nil
}

// RespondentWrote puts a party's message on its case's thread, as the
// respondent's; on a case that ended lately it brings the case back to
// the top of its body's queue.
func (w *Cases) RespondentWrote(ch *store.Change, k dispute.Case, p dispute.Party, s Said, now time.Time) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "respondent",
		Text: s.Text, MediaID: s.MediaID, Party: p.ID})
	if !k.Status.Open() {
		ch.Updates = append(ch.Updates, store.CaseUpdate{CaseID: k.ID, At: now})
	}
}

// PartyWrite adds what a party wrote on its invitation page (reached by
// the signed link, the only key) to the thread, as CitizenWrite does for
// the claimant.
func (w *Cases) PartyWrite(ctx context.Context, k dispute.Case, p dispute.Party, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxReply {
		return refuse(Invalid, fmt.Sprintf("留言不能为空，最多 %d 字。", MaxReply))
	}
	if err := notAnonymized(k); err != nil {
		return err
	}
	if !w.CitizenMayWrite(k) {
		return refuse(Conflict, "案件已办结较久，不能再留言。")
	}
	var ch store.Change
	w.RespondentWrote(&ch, k, p, Said{Text: text}, w.Now())
	return w.Store.Commit(ctx, ch)
}

// PartyAnswer records a consent or a refusal given on the invitation
// page.
func (w *Cases) PartyAnswer(ctx context.Context, k dispute.Case, p dispute.Party, consent bool) error {
	if err := notAnonymized(k); err != nil {
		return err
	}
	if settled, err := w.Settled(ctx, k); err != nil {
		return err
	} else if settled {
		return refuse(Conflict, "调解已经结束或调解协议已生效，答复不会再改变结果；有话请直接给调解员留言。")
	}
	var ch store.Change
	if changed, err := w.PartyAnswers(ctx, &ch, k, p, consent, w.Now()); err != nil || !changed {
		return err // already so, or settled
	}
	if err := w.Store.Commit(ctx, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errMoved
		}
		return err
	}
	if w.Kick != nil {
		w.Kick()
	}
	return nil
}

// WithdrawInvitation takes an invitation back (the wrong person, a code
// gone astray): the party's code and link stop working, it is no longer
// a side of the case, and one who came is told. Its body's people (and
// admins) only; refused once an agreement the party is part of took
// effect. Conditional on the party's status as read.
func (w *Cases) WithdrawInvitation(ctx context.Context, a Actor, caseID, partyID string) (dispute.Party, error) {
	k, err := w.acting(ctx, a, caseID)
	if err != nil {
		return dispute.Party{}, err
	}
	p, err := w.VisibleParty(ctx, a.User, caseID, partyID)
	if err != nil || p.Status == dispute.PartyWithdrawn {
		return p, err
	}
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return dispute.Party{}, err
	}
	if ag := dispute.AgreementOf(k.ID, events); ag.Signed() {
		return dispute.Party{}, refuse(Conflict, "调解协议已生效，不能再撤回这位当事人的邀请。")
	}
	now := w.Now()
	ch := store.Change{
		PartyMoves: []store.PartyMove{{PartyID: p.ID, CaseID: k.ID, From: p.Status, To: dispute.PartyWithdrawn, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.PartySet, Actor: a.name(),
			Text: string(dispute.PartyWithdrawn), Party: p.ID}},
	}
	if p.OpenID != "" {
		name, contact := w.BodyContact(k.Body)
		tellParty(&ch, k, Party{Key: respondentKey(p.ID), ID: p.ID, Role: dispute.PartyRespondent, Name: p.Name, OpenID: p.OpenID},
			catalog.RespondentWithdrawn(k.ID, name, contact), now)
	}
	if err := w.commit(ctx, a, ch, store.AuditChange, k.ID, "party withdraw "+p.ID); err != nil {
		return dispute.Party{}, err
	}
	p.Status, p.UpdatedAt = dispute.PartyWithdrawn, now
	return p, nil
}

// cameParties lists the parties of a case who came: joined in WeChat or
// answered on the invitation page. Invited ones cannot be reached yet.
func (w *Cases) cameParties(ctx context.Context, caseID string) ([]dispute.Party, error) {
	all, err := w.Store.CaseParties(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var out []dispute.Party
	for _, p := range all {
		if (p.Status != dispute.PartyInvited || p.OpenID != "") && p.Status != dispute.PartyWithdrawn {
			out = append(out, p)
		}
	}
	return out, nil
}

// ForwardInvitation sends the claimant the invitation to pass on to the
// other side (link: the party's signed invitation page): the claimant
// often knows best how to reach them.
func (w *Cases) ForwardInvitation(ctx context.Context, a Actor, caseID, partyID, link string) error {
	k, err := w.acting(ctx, a, caseID)
	if err != nil {
		return err
	}
	p, err := w.VisibleParty(ctx, a.User, caseID, partyID)
	if err != nil {
		return err
	}
	if !k.Status.Open() {
		return refuse(Conflict, "已结束的案件不能再发送邀请。")
	}
	var ch store.Change
	ch.Tell(k, catalog.ForwardInvitation(k.ID, w.bodyName(k.Body), link), w.Now())
	return w.commit(ctx, a, ch, store.AuditSend, k.ID, "party forward "+p.ID)
}
