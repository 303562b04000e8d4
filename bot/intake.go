package bot

import (
	"context"
	"strconv"
	"strings"

	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
)

// Menu keys of the custom menu set by `jiefen menu` (CLICK events).
const (
	MenuNew      = "JF_NEW"
	MenuProgress = "JF_PROGRESS"
	MenuHelp     = "JF_HELP"
)

// text handles a citizen's words: commands first (they work at any step),
// then the answer to the pending question, then a new complaint or an
// addition to the open case.
func (t *turn) text(s string) error {
	if s == "" {
		t.say(txtHelp)
		return nil
	}
	if t.dlg.Step == stepWithdraw {
		// Before the commands: "撤回" here confirms the withdrawal.
		return t.answerWithdraw(s)
	}
	if routing.DetectUrgent(s) {
		return t.urgent(s)
	}
	if handled, err := t.command(s); handled || err != nil {
		return err
	}
	switch t.dlg.Step {
	case stepConsent:
		return t.answerConsent(s)
	case stepRegion:
		return t.answerRegion(s)
	case stepPhone:
		return t.answerPhone(s)
	case stepConfirm:
		return t.answerConfirm(s)
	case stepType:
		return t.answerType(s)
	case stepNew:
		return t.complaint(s)
	}
	if n, ok := choice(s, 5); ok {
		if rated, err := t.rate(n); rated || err != nil {
			return err
		}
	}
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if len(open) == 0 {
		if answered, err := t.followUpAnswer(s); answered || err != nil {
			return err
		}
	}
	if len(open) > 0 {
		// Text sent while a case is open joins its thread: the citizen is
		// never asked to tell the story again.
		c := open[0]
		t.caseID = c.ID
		t.record(c.ID, dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: s, MediaID: t.in.MediaID})
		t.say(joinedThread(c.ID))
		return nil
	}
	return t.complaint(s)
}

// command recognises the words that work at any time.
func (t *turn) command(s string) (bool, error) {
	word := strings.Trim(s, " 。.!！?？~")
	switch word {
	case "帮助", "help", "使用帮助", "怎么用":
		t.say(txtHelp)
	case "进度", "查询", "查进度", "查询进度":
		return true, t.progress()
	case "人工", "转人工", "找人工":
		return true, t.human()
	case "新求助", "我要求助", "新问题":
		t.resetDialog()
		t.setStep(stepNew)
		t.say(txtStartNew)
	case "取消", "不登记了":
		if t.dlg.Step == stepIdle {
			return false, nil
		}
		t.resetDialog()
		t.say(txtCancelled)
	default:
		if word == "撤回" || strings.HasPrefix(word, "撤回 ") || strings.HasPrefix(word, "撤回JF") {
			return true, t.withdraw(strings.TrimSpace(strings.TrimPrefix(word, "撤回")))
		}
		return false, nil
	}
	return true, nil
}

// urgent handles words saying someone is in danger now, whatever the step:
// the citizen is told at once to call 110/120, and the case is made (or the
// open one flagged) for the duty desk without waiting for anything.
func (t *turn) urgent(s string) error {
	if t.dlg.Draft.Story != "" {
		t.more(s)
		return t.createCase()
	}
	if t.dlg.Step == stepIdle {
		open, err := t.openCases()
		if err != nil {
			return err
		}
		if len(open) > 0 {
			c := open[0]
			t.caseID = c.ID
			t.record(c.ID, dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: s})
			t.ch.MarkUrgent = append(t.ch.MarkUrgent, c.ID)
			t.say(urgentOnCase(c.ID, t.flagUrgent(c.ID)))
			return nil
		}
	}
	return t.complaint(s)
}

// lateAnalyzer is a classifier that may answer better after the callback
// has been answered (the LLM, routing.LLM).
type lateAnalyzer interface {
	AnalyzeLater(ctx context.Context, text string, done func(routing.Analysis)) routing.Analysis
}

// complaint starts a draft from a new story.
func (t *turn) complaint(s string) error {
	var res routing.Result
	var summary string
	if a, ok := t.b.Classifier.(lateAnalyzer); ok {
		// The answer within the time budget, else the local one at once;
		// a later, different LLM answer corrects the draft.
		openID := t.cit.OpenID
		an := a.AnalyzeLater(t.ctx, s, func(late routing.Analysis) { t.b.correct(openID, s, late) })
		res, summary = an.Result, an.Summary
	} else {
		var err error
		if res, err = t.b.Classifier.Classify(t.ctx, s); err != nil {
			return err
		}
	}
	if res.Type == dispute.None && !res.Urgent {
		t.say(txtGreeting)
		return nil
	}
	t.dlg.Draft = store.Draft{Story: s, Type: res.Type, Confidence: res.Confidence, Urgent: res.Urgent, Region: res.Region,
		Media: t.dlg.Draft.Media, Summary: summary}
	if t.dlg.Draft.Type == dispute.None {
		t.dlg.Draft.Type = dispute.Other
	}
	t.dlgChanged = true
	if res.Urgent {
		// Someone may be in danger now: the case is made at once, without
		// waiting for the questions. The law allows processing personal
		// information without consent to protect life in an emergency
		// (个人信息保护法 第十三条); the citizen can add details afterwards.
		return t.createCase()
	}
	if t.cit.ConsentAt.IsZero() {
		t.setStep(stepConsent)
		t.say(txtAskConsent)
		return nil
	}
	return t.next()
}

// more adds further words to the story: citizens keep typing while we ask.
func (t *turn) more(s string) {
	t.dlg.Draft.Story += "\n" + s
	if t.dlg.Draft.Region == "" {
		t.dlg.Draft.Region = routing.DetectRegion(s)
	}
	if routing.DetectUrgent(s) {
		t.dlg.Draft.Urgent = true
	}
	t.dlgChanged = true
}

// ask repeats the question of the current step, after an interruption
// (a command, a picture) that did not answer it.
func (t *turn) ask() error {
	switch t.dlg.Step {
	case stepConsent:
		t.say(txtAskConsentAgain)
	case stepType:
		t.say(askType())
	case stepNew:
		t.say(txtStartNew)
	case stepRegion, stepPhone, stepConfirm:
		return t.next()
	}
	return nil
}

// next asks for the first thing still missing, or for confirmation.
func (t *turn) next() error {
	d := &t.dlg.Draft
	switch {
	case d.Urgent:
		return t.createCase()
	case d.Region == "":
		t.setStep(stepRegion)
		t.say(askRegion())
	case !d.PhoneAsked:
		t.setStep(stepPhone)
		t.say(txtAskPhone)
	default:
		dec, err := t.b.Table.Route(d.Type, d.Region)
		if err != nil {
			return err
		}
		t.setStep(stepConfirm)
		t.say(askConfirm(draftView{Draft: *d, BodyName: dec.Body.Name}))
	}
	return nil
}

func (t *turn) answerConsent(s string) error {
	switch strings.Trim(s, " 。.!！") {
	case "同意", "好", "好的", "可以", "是", "行", "1", "同意。", "嗯":
		t.cit.ConsentAt = t.now
		return t.next()
	case "不同意", "不", "不要", "拒绝", "2":
		t.resetDialog()
		t.say(txtNoConsent)
		return nil
	}
	t.more(s)
	t.say(txtAskConsentAgain)
	return nil
}

func (t *turn) answerRegion(s string) error {
	if n, ok := choice(s, len(dispute.Regions)); ok {
		t.dlg.Draft.Region = dispute.Regions[n-1]
		t.dlgChanged = true
		return t.next()
	}
	if r := routing.DetectRegion(s); r != "" {
		if len([]rune(s)) > len([]rune(r))+4 {
			t.more(s) // the answer also tells more of the story
		}
		t.dlg.Draft.Region = r
		t.dlgChanged = true
		return t.next()
	}
	if len([]rune(s)) >= 8 {
		t.more(s)
	}
	t.say(askRegion())
	return nil
}

func (t *turn) answerPhone(s string) error {
	switch strings.Trim(s, " 。.!！") {
	case "跳过", "不留", "不想留", "不方便", "没有", "不":
		t.dlg.Draft.PhoneAsked = true
		t.dlgChanged = true
		return t.next()
	}
	if p := findPhone(s); p != "" {
		t.dlg.Draft.Phone = p
		t.dlg.Draft.PhoneAsked = true
		t.dlgChanged = true
		return t.next()
	}
	if len([]rune(s)) >= 8 {
		// More of the story ("一共欠我12000元"), not a mistyped number.
		t.more(s)
		t.say(txtAskPhone)
		return nil
	}
	t.say(txtBadPhone)
	return nil
}

func (t *turn) answerConfirm(s string) error {
	switch strings.Trim(s, " 。.!！") {
	case "1", "确认", "对", "是", "提交", "确定", "没问题", "好", "好的":
		return t.createCase()
	case "2", "修改", "改", "不对", "修改类型":
		t.setStep(stepType)
		t.say(askType())
		return nil
	}
	if len([]rune(s)) >= 8 {
		t.more(s)
	}
	return t.next()
}

func (t *turn) answerType(s string) error {
	n, ok := choice(s, len(dispute.Types))
	if !ok {
		t.say(askType())
		return nil
	}
	t.dlg.Draft.Type = dispute.Types[n-1]
	t.dlg.Draft.Confidence = 1 // chosen by the citizen
	t.dlgChanged = true
	return t.next()
}

// choice reads a numbered answer such as "3" or "3." or "３".
func choice(s string, max int) (int, bool) {
	s = strings.Trim(toHalfWidth(s), " .。、")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

// toHalfWidth turns full-width digits (common from Chinese keyboards) into ASCII.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}

// draftView is what the confirmation shows.
type draftView struct {
	store.Draft
	BodyName string
}
