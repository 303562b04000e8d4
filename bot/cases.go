package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

// caseView is what the citizen is told about a new case.
type caseView struct {
	ID       string
	BodyName string
	AcceptBy time.Time // when the body should have accepted it
	Region   string
	DutyDesk string // the duty desk that also has the case, when urgent
}

// flagUrgent flags the case for the duty desk and returns the desk's name.
func (t *turn) flagUrgent(k dispute.Case) string {
	return t.b.Cases.FlagUrgent(&t.ch, k, t.now)
}

// createCase turns the draft into a case routed to its body.
func (t *turn) createCase() error {
	d := t.dlg.Draft
	if !d.Urgent {
		// Nothing sensitive is passed on without its separate consent;
		// someone in danger comes first (个人信息保护法 第十三条).
		if kinds := t.sensitivePending(); len(kinds) > 0 {
			t.askSensitive(kinds)
			return nil
		}
	}
	sum := summaryOf(d, t.city())
	c, body, err := t.b.Cases.File(t.ctx, &t.ch, workflow.Filing{OpenID: t.cit.OpenID, Story: d.Story,
		Summary: sum.text, SummaryAI: sum.ai, Type: d.Type, Confidence: d.Confidence, Urgent: d.Urgent, Region: d.Region,
		Phone: d.Phone, Media: d.Media, Related: d.Related, AsksPerson: d.Human, ConsoleURL: t.base(),
		Consents: t.consents()}, t.now)
	if err != nil {
		return err
	}
	t.caseID = c.ID
	t.wakeReferrals = len(t.ch.Referrals) > 0
	due, _ := t.b.Table.AcceptDue(body, t.now)
	view := caseView{ID: c.ID, BodyName: body.Name, AcceptBy: due, Region: d.Region}
	if duty, ok := t.b.Table.DutyDesk(); ok && d.Urgent {
		view.DutyDesk = duty.Name
	}
	switch {
	case d.Urgent:
		// Safety first: the notice, if not yet accepted, comes with the
		// citizen's next message.
		t.say(urgentCreated(view))
	case d.Human:
		t.say(humanCreated(view))
	default:
		t.say(caseCreated(view))
	}
	if link := t.caseLink(c.ID); link != "" {
		t.reply += catalog.CaseLinkLine(link)
	}
	t.resetDialog()
	return nil
}

// attach records a voice or image ("image:<id>") on a case's thread.
func (t *turn) attach(k dispute.Case, media string) {
	t.b.Cases.CitizenWrote(&t.ch, k, workflow.Media(media), t.now)
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
	}
	if onCase {
		t.caseID = target.ID
		t.attach(target, ref)
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
		if err := t.b.Cases.CitizenWithdraws(t.ctx, &t.ch, c, t.now); err != nil {
			var refused *workflow.Error
			if !errors.As(err, &refused) {
				return err
			}
			t.say(refused.Msg) // it ended meanwhile, or its agreement took effect
			return nil
		}
		t.caseID = id
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
		c, err := t.addressed(open, "")
		if err != nil {
			return err
		}
		t.caseID = c.ID
		t.b.Cases.CitizenAsksPerson(&t.ch, c, t.now)
		t.say(txtHuman)
		return nil
	}
	if t.dlg.Step == stepIdle {
		// A mediation that ended lately: its people know the matter, and
		// its body's queue shows the request (结案后新消息), rather than a
		// new empty case going to the city's fallback body.
		c, ok, err := t.recentlyEnded()
		if err != nil {
			return err
		}
		if ok && c.Status != dispute.Withdrawn { // a withdrawn matter is the citizen's to start again
			t.caseID = c.ID
			t.b.Cases.CitizenAsksPerson(&t.ch, c, t.now)
			t.b.Cases.CitizenWrote(&t.ch, c, workflow.Said{Text: t.in.Text}, t.now)
			t.say(txtHuman)
			return nil
		}
	}
	d := &t.dlg.Draft
	d.Human = true
	t.dlgChanged = true
	if d.Type == "" {
		d.Type = dispute.Other
	}
	if d.Story == "" {
		d.Story = workflow.PersonAskedText
	}
	if !t.consented() && !d.Urgent {
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

// summary is a case's one-line summary for mediators, and whether an AI
// model wrote it (it is labelled where shown).
type summary struct {
	text string
	ai   bool
}

// summaryOf is the case's one-line summary for mediators: the LLM's when
// it gave one, else an extractive one (routing.Summarize).
func summaryOf(d store.Draft, city routing.City) summary {
	if d.Summary != "" {
		return summary{d.Summary, d.SummaryAI}
	}
	return summary{routing.Summarize(d.Story, city), false}
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
	c, _, ok, err := t.rateable()
	if !ok || err != nil {
		return false, err
	}
	t.rated(c, n)
	return true, nil
}

// rated records n as the rating of case c.
func (t *turn) rated(c dispute.Case, n int) {
	t.caseID = c.ID
	t.b.Cases.CitizenRates(&t.ch, c, n, t.now)
	t.say(txtRated)
}

// rateable is the citizen's mediation that ended last (not withdrawn:
// the rating is asked only after a mediation), when it is not rated yet,
// with when it ended; ok is false when there is none.
func (t *turn) rateable() (c dispute.Case, ended time.Time, ok bool, err error) {
	all, err := t.cases()
	if err != nil {
		return c, ended, false, err
	}
	for _, k := range all { // newest first
		if k.Status.Open() {
			continue
		}
		if k.Status != dispute.Resolved && k.Status != dispute.Unresolved {
			return c, ended, false, nil
		}
		events, err := t.b.Store.Events(t.ctx, k.ID)
		if err != nil {
			return c, ended, false, err
		}
		for i := len(events) - 1; i >= 0; i-- {
			e := events[i]
			if e.Kind == dispute.Rating {
				return c, ended, false, nil
			}
			if e.Kind == dispute.StatusSet && !e.Status.Open() {
				return k, e.At, true, nil
			}
		}
		return c, ended, false, nil
	}
	return c, ended, false, nil
}

// rateBeside takes a 1–5 from a citizen who also has open cases as the
// rating of the mediation that just ended, when it ended within a day and
// nobody of the open cases wrote to them since (a digit then may answer
// that person: "几个人没拿到钱？" "5").
func (t *turn) rateBeside(open []dispute.Case, n int) (bool, error) {
	c, ended, ok, err := t.rateable()
	if !ok || err != nil || t.now.Sub(ended) > 24*time.Hour {
		return false, err
	}
	for _, o := range open {
		events, err := t.b.Store.Events(t.ctx, o.ID)
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(events, func(e dispute.Event) bool { return e.At.After(ended) && strings.HasPrefix(e.Actor, "user:") }) {
			return false, nil
		}
	}
	t.rated(c, n)
	return true, nil
}

// base is jiefen's public address: configured, else how the platform
// reached this server.
func (t *turn) base() string {
	if t.b.PublicURL != "" {
		return t.b.PublicURL
	}
	return t.in.BaseURL
}
