package bot

import (
	"fmt"
	"jiefen/referral"
	"jiefen/routing"
	"strconv"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// caseView is what the citizen is told about a new case.
type caseView struct {
	ID          string
	BodyName    string
	AcceptHours int
	Region      string
	DutyDesk    string // the duty desk that also has the case, when urgent
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
	dec, err := t.b.Table.Route(d.Type, d.Region)
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
		Body: dec.Body.ID, Rule: dec.Rule, Summary: summaryOf(d), Story: d.Story,
		OpenID: t.cit.OpenID, Phone: d.Phone, CreatedAt: t.now, UpdatedAt: t.now,
	}
	t.ch.NewCases = append(t.ch.NewCases, c)
	t.caseID = id
	t.record(id, dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: d.Story})
	for _, m := range d.Media {
		t.attach(id, m)
	}
	t.record(id, dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Received})
	t.record(id, dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred, Body: dec.Body.ID,
		Text: "转交" + dec.Body.Name + "（规则 " + dec.Rule + "）"})
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
	view := caseView{ID: id, BodyName: dec.Body.Name, AcceptHours: dec.Body.AcceptWithinHours, Region: d.Region}
	if d.Urgent {
		view.DutyDesk = t.flagUrgent(id)
		t.say(urgentCreated(view))
	} else {
		t.say(caseCreated(view))
	}
	if link := t.caseLink(id); link != "" {
		t.reply += CaseLinkLine(link)
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
	if t.dlg.Step == stepIdle && len(open) > 0 {
		t.caseID = open[0].ID
		t.attach(open[0].ID, ref)
		t.fetch(open[0].ID)
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

func (t *turn) openCases() ([]dispute.Case, error) {
	if t.cit.ConsentAt.IsZero() {
		// A case is made only after the citizen accepted the notice, so
		// someone who never did has none: no need to ask the store, which
		// matters because a new citizen's first message comes here.
		return nil, nil
	}
	all, err := t.b.Store.Cases(t.ctx, store.CaseFilter{OpenID: t.cit.OpenID})
	if err != nil {
		return nil, err
	}
	// The store lists newest first: an addition most likely concerns the
	// latest case.
	var open []dispute.Case
	for _, c := range all {
		if c.Status.Open() {
			open = append(open, c)
		}
	}
	return open, nil
}

func (t *turn) progress() error {
	all, err := t.b.Store.Cases(t.ctx, store.CaseFilter{OpenID: t.cit.OpenID})
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
		lines = append(lines, fmt.Sprintf("%s %s\n状态：%s\n承办：%s\n更新：%s",
			c.ID, c.Type.Name(), c.Status.Name(), body, c.UpdatedAt.In(chinaTime).Format("1月2日 15:04")))
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
		for _, c := range open {
			if strings.EqualFold(c.ID, id) {
				return t.askWithdraw(c.ID)
			}
		}
		t.say(txtWithdrawNone)
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
	switch strings.Trim(s, " 。.!！") {
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
		t.say(fmt.Sprintf(txtWithdrawDone, id))
	default:
		t.say(fmt.Sprintf(txtWithdrawKeep, id))
	}
	return nil
}

func (t *turn) human() error {
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if len(open) == 0 {
		if t.dlg.Draft.Story != "" {
			// Mid-intake: a person follows up once the case is made.
			t.say(txtHumanDraft)
			return t.ask()
		}
		t.setStep(stepNew)
		t.say(txtHumanNew)
		return nil
	}
	t.caseID = open[0].ID
	t.record(open[0].ID, dispute.Event{Kind: dispute.Note, Actor: "citizen", Text: "市民请求人工联系"})
	t.say(txtHuman)
	return nil
}

// summaryOf is the case's one-line summary for mediators: the LLM's when
// it gave one, else an extractive one (routing.Summarize).
func summaryOf(d store.Draft) string {
	if d.Summary != "" {
		return d.Summary
	}
	return routing.Summarize(d.Story)
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
	all, err := t.b.Store.Cases(t.ctx, store.CaseFilter{OpenID: t.cit.OpenID, Limit: 1})
	if err != nil || len(all) == 0 || all[0].Status.Open() {
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
