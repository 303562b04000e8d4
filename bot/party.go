package bot

import (
	"errors"
	"strings"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

// The other party in the chat. A respondent scans the case's QR code: the
// platform sends subscribe with EventKey "qrscene_<scene>" (not yet
// following) or SCAN with "<scene>" (following); the scan binds their
// openid to the party, and the passive reply to the event greets them
// (a follow or scan opens only 3 customer-service messages for a minute,
// so the greeting must not rely on them). From then on their dialog
// remembers the party (Draft.Party), and what they write goes to that
// case as the respondent's, never through the claimant's intake, until
// they start something of their own (新求助) or the case stops taking
// words.

// invitationScene is the scene an event carries: subscribe's EventKey
// after "qrscene_", SCAN's EventKey; "" for other events and for codes
// that are not invitations.
func (t *turn) invitationScene() string {
	key := t.in.EventKey
	switch strings.ToLower(t.in.Event) {
	case "subscribe":
		var ok bool
		if key, ok = strings.CutPrefix(key, "qrscene_"); !ok {
			return ""
		}
	case "scan":
	default:
		return ""
	}
	if !strings.HasPrefix(key, workflow.ScenePrefix) {
		return ""
	}
	return key
}

// scanned answers the scan of an invitation's code.
func (t *turn) scanned(scene string, followed bool) error {
	p, err := t.b.Store.PartyByScene(t.ctx, scene)
	if errors.Is(err, store.ErrNotFound) {
		if followed {
			t.say(txtWelcome)
		}
		t.say(catalog.InviteUnknown)
		return nil
	}
	if err != nil {
		return err
	}
	k, err := t.b.Store.Case(t.ctx, p.CaseID)
	if err != nil {
		return err
	}
	scan := workflow.ScanOf(p, k, t.cit.OpenID, t.now)
	switch scan {
	case workflow.ScanWithdrawn:
		if followed {
			t.say(txtWelcome)
		}
		t.say(catalog.InviteWithdrawn(t.b.Cases.BodyContact(k.Body)))
		return nil
	case workflow.ScanEnded:
		t.say(catalog.InviteEnded(k.ID))
		return nil
	case workflow.ScanTaken:
		t.say(catalog.InviteTaken)
		return nil
	case workflow.ScanOwn:
		t.say(catalog.InviteOwn(k.ID))
		return nil
	case workflow.ScanJoins:
		// Conditional on the party being unbound as read: of two people
		// scanning at once, the other's turn runs again and is told the
		// code is taken.
		t.b.Cases.PartyJoins(&t.ch, k, p, t.cit.OpenID, t.now)
		p.OpenID = t.cit.OpenID
		if p.Status == dispute.PartyInvited {
			p.Status = dispute.PartyJoined
		}
	}
	t.asPartyOf(k, p)
	if p.Status == dispute.PartyJoined {
		t.say(catalog.RespondentGreeting(k.ID, t.bodyName(k.Body), p.Summary))
		if scan == workflow.ScanJoins {
			// A video mediation set before they came: told now, reminded
			// like the others.
			if v := workflow.VideoForJoiner(&t.ch, k, t.cit.OpenID, t.now); v != "" {
				t.say(v)
			}
		}
	} else {
		t.say(catalog.RespondentAgain(k.ID, p.Status.Name()))
	}
	return nil
}

// asPartyOf makes this turn, and the person's next words, the party's.
func (t *turn) asPartyOf(k dispute.Case, p dispute.Party) {
	t.caseID, t.partyID = k.ID, p.ID
	if t.dlg.Draft.Party != p.ID {
		t.dlg.Draft.Party = p.ID
	}
	// Saved on every turn as a party, so the dialog (and with it the
	// party it remembers) lives StaleDialog past the last word.
	t.dlgChanged = true
}

// party loads the party the dialog remembers, with its case, when it is
// still this person's and its case still takes words; otherwise the
// dialog forgets it and ok is false.
func (t *turn) party() (p dispute.Party, k dispute.Case, ok bool, err error) {
	id := t.dlg.Draft.Party
	if id == "" || t.dlg.Step != stepIdle {
		return p, k, false, nil
	}
	p, err = t.b.Store.Party(t.ctx, id)
	if err == nil {
		k, err = t.b.Store.Case(t.ctx, p.CaseID)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return p, k, false, err
	case p.OpenID == t.cit.OpenID && workflow.TakesWords(k, t.now):
		return p, k, true, nil
	}
	t.dlg.Draft.Party = ""
	t.dlgChanged = true
	return p, k, false, nil
}

// asParty handles a respondent's words; handled is false when they are
// not (or no longer) speaking as a party, or start something of their own.
func (t *turn) asParty(s string) (handled bool, err error) {
	p, k, ok, err := t.party()
	if !ok || err != nil {
		return false, err
	}
	word := answer(s)
	if p.Status == dispute.PartyWithdrawn && !newHelp(word) {
		// Their invitation was taken back: their words reach nobody on
		// the case, so they are told again rather than put through an
		// intake of a complaint they never made.
		name, contact := t.b.Cases.BodyContact(k.Body)
		t.say(catalog.RespondentWithdrawn(k.ID, name, contact))
		return true, nil
	}
	switch word {
	case "新求助", "我要求助", "新问题": // newHelp
		t.dlg.Draft.Party = ""
		return false, nil // the command starts their own
	case "帮助", "help", "使用帮助", "怎么用":
		t.say(catalog.RespondentHelp(k.ID))
	case "进度", "查询", "查进度", "查询进度":
		t.say(catalog.RespondentProgress(k.ID, k.Status.Name(), t.bodyName(k.Body), p.Status.Name()))
		// Someone who is also a claimant of their own cases sees those too.
		if own, err := t.cases(); err != nil {
			return true, err
		} else if len(own) > 0 {
			if err := t.progress(); err != nil {
				return true, err
			}
		}
	case catalog.WordConsent, "同意", "愿意调解", "我同意调解", catalog.WordDecline, "不同意调解", "拒绝调解", "不愿意调解", "我不同意":
		consent := !strings.Contains(word, "不") && !strings.Contains(word, "拒绝")
		changed, err := t.b.Cases.PartyAnswers(t.ctx, &t.ch, k, p, consent, t.now)
		switch {
		case err != nil:
			return true, err
		case changed && consent:
			t.say(catalog.RespondentConsented(k.ID))
		case changed:
			t.say(catalog.RespondentDeclined(k.ID))
		case p.Status == dispute.PartyConsented && consent || p.Status == dispute.PartyDeclined && !consent:
			t.say(catalog.RespondentNoted(k.ID))
		default:
			// Settled (ended, or the agreement took effect): the words go
			// to the mediator, and change nothing.
			t.b.Cases.RespondentWrote(&t.ch, k, p, workflow.Said{Text: s}, t.now)
			t.say(catalog.RespondentAnswerSettled(k.ID))
		}
	case catalog.WordNotPerformed, "对方没有履行", "对方不履行":
		text, err := t.b.Cases.NotPerformed(t.ctx, &t.ch, k, "respondent", p.ID)
		if err != nil {
			return true, err
		}
		t.say(text)
	case "人工", "转人工", "找人工", "人工服务":
		t.record(k.ID, dispute.Event{Kind: dispute.PersonAsked, Actor: "respondent", Text: "被申请人请求人工联系", Party: p.ID})
		t.say(txtHuman)
	default:
		// 确认协议, 申请司法确认, 送达地址: the agreement's words, which
		// find the case whose agreement waits for this person.
		if handled, err := t.agreementCommand(s); handled || err != nil {
			if t.caseID == k.ID {
				t.asPartyOf(k, p)
			}
			return true, err
		}
		t.b.Cases.RespondentWrote(&t.ch, k, p, workflow.Said{Text: s}, t.now)
		switch {
		case routing.DetectUrgent(s):
			t.say(urgentOnCase(k.ID, t.flagUrgent(k)))
		case p.Status == dispute.PartyJoined:
			t.say(catalog.RespondentAsked(k.ID))
		default:
			t.say(catalog.RespondentNoted(k.ID))
		}
	}
	t.asPartyOf(k, p)
	return true, nil
}

// partyMedia puts a respondent's voice or image on their case.
func (t *turn) partyMedia(kind string) (handled bool, err error) {
	p, k, ok, err := t.party()
	if !ok || err != nil {
		return false, err
	}
	if p.Status == dispute.PartyWithdrawn {
		name, contact := t.b.Cases.BodyContact(k.Body)
		t.say(catalog.RespondentWithdrawn(k.ID, name, contact))
		return true, nil
	}
	t.asPartyOf(k, p)
	t.b.Cases.RespondentWrote(&t.ch, k, p, workflow.Media(kind+":"+t.in.MediaID), t.now)
	t.fetch(k.ID)
	if kind == "voice" {
		t.say(txtVoiceOnCase)
	} else {
		t.say(txtImageOnCase)
	}
	return true, nil
}

// notPerformed is the claimant's 对方没履行, on their newest case that
// still takes words.
func (t *turn) notPerformed() error {
	all, err := t.cases()
	if err != nil {
		return err
	}
	// The case something was agreed on: the one whose agreement took
	// effect, else one mediated to success, else the newest that takes
	// words.
	var pick *dispute.Case
	rank := 0
	for i, k := range all {
		if !workflow.TakesWords(k, t.now) {
			continue
		}
		r := 1
		if k.Status == dispute.Resolved {
			r = 2
		}
		if events, err := t.b.Store.Events(t.ctx, k.ID); err != nil {
			return err
		} else if dispute.AgreementOf(k.ID, events).Signed() {
			r = 3
		}
		if r > rank {
			pick, rank = &all[i], r
		}
	}
	if pick == nil {
		t.say(txtNoCases)
		return nil
	}
	t.caseID = pick.ID
	text, err := t.b.Cases.NotPerformed(t.ctx, &t.ch, *pick, "citizen", "")
	if err != nil {
		return err
	}
	t.say(text)
	return nil
}

func (t *turn) bodyName(id string) string {
	if b, ok := t.b.Table.Body(id); ok {
		return b.Name
	}
	return id
}

// newHelp reports whether word asks to start something of one's own.
func newHelp(word string) bool {
	switch word {
	case "新求助", "我要求助", "新问题":
		return true
	}
	return false
}
