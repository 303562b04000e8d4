package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
)

// caseView is what the citizen is told about a new case.
type caseView struct {
	ID       string
	BodyName string
	AcceptBy time.Time // when the body should have accepted it
	Region   string
	DutyDesk string // the duty desk that also has the case, when urgent
}

// flagUrgent records on the thread that an urgent case goes to the duty
// desk as well (the console shows urgent cases to the desk's staff), and
// returns the desk's name, or "" when the routing table has none.
func (t *turn) flagUrgent(caseID string) string {
	duty, ok := t.b.Table.DutyDesk()
	if !ok {
		t.record(caseID, dispute.Event{Kind: dispute.Note, Actor: "system", Text: "紧急案件"})
		return ""
	}
	t.record(caseID, dispute.Event{Kind: dispute.Note, Actor: "system", Text: "紧急案件，已同时通报" + duty.Name})
	return duty.Name
}

// createCase turns the draft into a case routed to its body.
func (t *turn) createCase() error {
	d := t.dlg.Draft
	dec, err := t.route(d)
	if err != nil {
		return err
	}
	day := t.now.In(chinaTime).Format("20060102")
	seq, err := t.b.Store.NextCaseSeq(t.ctx, day)
	if err != nil {
		return err
	}
	// A number taken by a turn that then fails to commit is simply skipped:
	// gaps are harmless, a number given twice would not be.
	id := fmt.Sprintf("JF%s-%04d", day, seq)
	c := dispute.Case{
		ID: id, Status: dispute.Referred, Type: d.Type, Urgent: d.Urgent, Region: d.Region,
		Body: dec.Body.ID, Rule: dec.Rule, Summary: summaryOf(d, t.city()), Story: d.Story,
		OpenID: t.cit.OpenID, Phone: d.Phone, CreatedAt: t.now, UpdatedAt: t.now,
	}
	t.ch.NewCases = append(t.ch.NewCases, c)
	t.caseID = id
	t.record(id, dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: d.Story})
	for _, m := range d.Media {
		t.attach(id, m)
	}
	if d.Related != "" {
		t.record(id, dispute.Event{Kind: dispute.Note, Actor: "system", Text: "市民的上一个案件：" + d.Related + "（已结束）"})
	}
	if d.Human {
		t.record(id, dispute.Event{Kind: dispute.PersonAsked, Actor: "citizen", Text: txtPersonAsked})
	}
	t.record(id, dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Received})
	t.record(id, dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred, Body: dec.Body.ID,
		Text: "转交" + dec.Body.Name})
	deadline.SetDue(&t.ch, c, nil, t.b.Table) // the accept deadline starts
	hook, err := t.b.Hooks.Of(t.ctx, dec.Body.ID)
	if err != nil {
		return err
	}
	if hook.URL != "" {
		// The body's own system gets the referral, signed, from the outbox:
		// committed with the case, so neither exists without the other.
		t.ch.Referrals = append(t.ch.Referrals, referral.Build(c, t.ch.Events, hook, t.consoleLink(id), t.now))
		t.wakeReferrals = true
	}
	due, _ := t.b.Table.AcceptDue(dec.Body, t.now)
	view := caseView{ID: id, BodyName: dec.Body.Name, AcceptBy: due, Region: d.Region}
	switch {
	case d.Urgent && t.cit.ConsentAt.IsZero():
		// Safety first: the notice comes with the citizen's next message.
		view.DutyDesk = t.flagUrgent(id)
		t.say(urgentCreated(view))
	case d.Urgent:
		view.DutyDesk = t.flagUrgent(id)
		t.say(urgentCreated(view))
	case d.Human:
		t.say(humanCreated(view))
	default:
		t.say(caseCreated(view))
	}
	if link := t.caseLink(id); link != "" {
		t.reply += catalog.CaseLinkLine(link)
	}
	t.resetDialog()
	return nil
}

// attach records a voice or image ("image:<id>") on a case's thread.
func (t *turn) attach(caseID, media string) {
	kind, id, _ := strings.Cut(media, ":")
	label := "[图片]"
	if kind == "voice" {
		label = "[语音，待收听]"
	}
	t.record(caseID, dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: label, MediaID: id})
}

// fetch queues the download of the media just received: the platform keeps
// it only 3 days, so it is fetched now (by the messenger, outside the
// callback), whether or not a case exists yet.
func (t *turn) fetch(caseID string) {
	t.ch.Outbound = append(t.ch.Outbound, store.Outbound{
		OpenID: t.cit.OpenID, CaseID: caseID, Kind: store.OutFetchMedia, MediaID: t.in.MediaID, NotBefore: t.now,
	})
}

// media handles a voice message without recognised text, or an image.
func (t *turn) media(kind string) error {
	ref := kind + ":" + t.in.MediaID
	open, err := t.openCases()
	if err != nil {
		return err
	}
	target, onCase := dispute.Case{}, false
	if t.dlg.Step == stepIdle && len(open) > 0 {
		target, onCase = open[0], true
	} else if t.dlg.Step == stepIdle {
		// A photo of a receipt after the case ended belongs with it too.
		if target, onCase, err = t.recentlyEnded(); err != nil {
			return err
		}
		if onCase {
			t.ch.Updates = append(t.ch.Updates, store.CaseUpdate{CaseID: target.ID, At: t.now})
		}
	}
	if onCase {
		t.caseID = target.ID
		t.attach(target.ID, ref)
		t.fetch(target.ID)
		if kind == "voice" {
			t.say(txtVoiceOnCase)
		} else {
			t.say(txtImageOnCase)
		}
		return nil
	}
	// No case yet: the media id waits with the draft and joins the case's
	// thread when one is made.
	t.fetch("")
	t.dlg.Draft.Media = append(t.dlg.Draft.Media, ref)
	t.dlgChanged = true
	if t.dlg.Draft.Story != "" {
		// Mid-intake: keep going with the question pending.
		t.say(txtMediaKept)
		return t.ask()
	}
	if kind == "voice" {
		t.say(txtVoiceNeedsText)
	} else {
		t.say(txtImageNeedsText)
	}
	return nil
}

// route chooses the body of a draft. Someone in danger whose story the
// classifier could not place goes to the duty desk itself: a guess at the
// type must not send a knife threat to a body that cannot act on it today.
func (t *turn) route(d store.Draft) (routing.Decision, error) {
	if d.Urgent && d.Confidence < urgentSure {
		if duty, ok := t.b.Table.DutyDesk(); ok {
			return routing.Decision{Body: duty, Rule: "urgent:duty-desk"}, nil
		}
	}
	return t.b.Table.Route(d.Type, d.Region)
}

// urgentSure is the confidence in an urgent story's type above which its
// type's body takes it (the duty desk is told in any case).
const urgentSure = 0.6

// cases lists the citizen's cases, newest first, read once per turn.
func (t *turn) cases() ([]dispute.Case, error) {
	if t.casesRead {
		return t.all, nil
	}
	if !t.known && t.cit.ConsentAt.IsZero() {
		// Someone who never wrote before has no case: no need to ask the
		// store, which matters because a new citizen's first message
		// comes here. (An urgent case needs no consent, so consent alone
		// does not say there is none.)
		t.casesRead = true
		return nil, nil
	}
	all, err := t.b.Store.Cases(t.ctx, store.CaseFilter{OpenID: t.cit.OpenID})
	if err != nil {
		return nil, err
	}
	t.all, t.casesRead = all, true
	return all, nil
}

// openCases lists the citizen's open cases, newest first: an addition most
// likely concerns the latest.
func (t *turn) openCases() ([]dispute.Case, error) {
	all, err := t.cases()
	if err != nil {
		return nil, err
	}
	var open []dispute.Case
	for _, c := range all {
		if c.Status.Open() {
			open = append(open, c)
		}
	}
	return open, nil
}

func (t *turn) progress() error {
	all, err := t.cases()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		t.say(txtNoCases)
		return nil
	}
	var lines []string
	for _, c := range all[:min(len(all), 5)] { // newest first
		body := c.Body
		if b, ok := t.b.Table.Body(c.Body); ok {
			body = b.Name
		}
		line := fmt.Sprintf("%s %s\n状态：%s\n承办：%s\n更新：%s",
			c.ID, c.Type.Name(), c.Status.Name(), body, c.UpdatedAt.In(chinaTime).Format("1月2日 15:04"))
		if link := t.caseLink(c.ID); link != "" {
			line += catalog.CaseLinkLine(link)
		}
		lines = append(lines, line)
	}
	t.say(progressList(lines))
	return nil
}

func (t *turn) withdraw(id string) error {
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if id != "" {
		var hits []string
		for _, c := range open {
			// The whole number, or its last digits as 进度 shows them.
			if strings.EqualFold(c.ID, id) || (!strings.HasPrefix(strings.ToUpper(id), "JF") && strings.HasSuffix(c.ID, id)) {
				hits = append(hits, c.ID)
			}
		}
		switch len(hits) {
		case 0:
			t.say(withdrawNoMatch(id))
		case 1:
			return t.askWithdraw(hits[0])
		default:
			t.say(withdrawWhich(hits))
		}
		return nil
	}
	switch len(open) {
	case 0:
		if t.dlg.Step != stepIdle && t.dlg.Step != stepNew {
			// 撤回 during intake: the citizen wants to stop this one.
			t.resetDialog()
			t.say(txtCancelled)
			return nil
		}
		t.say(txtWithdrawNone)
	case 1:
		return t.askWithdraw(open[0].ID)
	default:
		ids := make([]string, len(open))
		for i, c := range open {
			ids[i] = c.ID
		}
		t.say(withdrawWhich(ids))
	}
	return nil
}

// askWithdraw asks for confirmation; a draft in progress is kept and its
// question asked again afterwards.
func (t *turn) askWithdraw(id string) error {
	t.dlg.Draft.Target, t.dlg.Draft.Resume = id, t.dlg.Step
	t.setStep(stepWithdraw)
	t.say(askWithdraw(id))
	return nil
}

func (t *turn) answerWithdraw(s string) error {
	id := t.dlg.Draft.Target
	t.dlg.Step, t.dlg.Draft.Target, t.dlg.Draft.Resume = t.dlg.Draft.Resume, "", ""
	t.dlgChanged = true
	defer func() {
		if t.dlg.Step != stepIdle && t.dlg.Step != stepNew {
			_ = t.ask()
		}
	}()
	switch answer(s) {
	case "1", "确定", "确定撤回", "是", "撤回":
		c, err := t.b.Store.Case(t.ctx, id)
		if err != nil {
			return err
		}
		if !dispute.CanMove(c.Status, dispute.Withdrawn) {
			t.say(txtWithdrawNone)
			return nil
		}
		t.caseID = id
		t.ch.Statuses = append(t.ch.Statuses, store.StatusChange{CaseID: id, To: dispute.Withdrawn, At: t.now})
		t.record(id, dispute.Event{Kind: dispute.StatusSet, Actor: "citizen", Status: dispute.Withdrawn, Text: "市民撤回"})
		deadline.SetDue(&t.ch, c, nil, t.b.Table) // ended: nothing due
		t.say(fmt.Sprintf(txtWithdrawDone, id))
	default:
		t.say(fmt.Sprintf(txtWithdrawKeep, id))
	}
	return nil
}

// human puts the citizen in front of a person (人工): on the open case
// the body's queue marks it; without one a case is made now (with the
// draft's story if there is one, else for the fallback body), once the
// notice is accepted.
func (t *turn) human() error {
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if len(open) > 0 {
		t.caseID = open[0].ID
		t.record(open[0].ID, dispute.Event{Kind: dispute.PersonAsked, Actor: "citizen", Text: txtPersonAsked})
		t.say(txtHuman)
		return nil
	}
	d := &t.dlg.Draft
	d.Human = true
	t.dlgChanged = true
	if d.Type == "" {
		d.Type = dispute.Other
	}
	if d.Story == "" {
		d.Story = txtPersonAsked
	}
	if t.cit.ConsentAt.IsZero() && !d.Urgent {
		if t.dlg.Step == stepConsent {
			t.say(txtHumanAfterConsent) // the notice is on the screen already
			return nil
		}
		t.setStep(stepConsent)
		t.say(txtHumanConsent)
		return nil
	}
	return t.createCase()
}

// summaryOf is the case's one-line summary for mediators: the LLM's when
// it gave one, else an extractive one (routing.Summarize).
func summaryOf(d store.Draft, city routing.City) string {
	if d.Summary != "" {
		return d.Summary
	}
	return routing.Summarize(d.Story, city)
}

// caseLink is the signed address of a case's page, or "" when jiefen does
// not know its own public address.
func (t *turn) caseLink(id string) string {
	base := t.b.PublicURL
	if base == "" {
		base = t.in.BaseURL
	}
	if base == "" {
		return ""
	}
	return t.b.Links.URL(base, id)
}

// rate records a 1–5 answer as the rating of the citizen's newest case,
// when that case has ended and is not rated since it last ended (a case
// reopened by the follow-up and ended again is asked again).
func (t *turn) rate(n int) (bool, error) {
	all, err := t.cases()
	// Asked only after a mediation ended, not after the citizen withdrew.
	if err != nil || len(all) == 0 || (all[0].Status != dispute.Resolved && all[0].Status != dispute.Unresolved) {
		return false, err
	}
	events, err := t.b.Store.Events(t.ctx, all[0].ID)
	if err != nil {
		return false, err
	}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind == dispute.Rating {
			return false, nil
		}
		if e.Kind == dispute.StatusSet && !e.Status.Open() {
			break
		}
	}
	t.caseID = all[0].ID
	t.record(all[0].ID, dispute.Event{Kind: dispute.Rating, Actor: "citizen", Text: strconv.Itoa(n)})
	t.say(txtRated)
	return true, nil
}

// consoleLink is the case in the console, for an agency's referral.
func (t *turn) consoleLink(id string) string {
	base := t.b.PublicURL
	if base == "" {
		base = t.in.BaseURL
	}
	return strings.TrimRight(base, "/") + "/console/cases/" + id
}
