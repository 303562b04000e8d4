package bot

import (
	"cmp"
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"jiefen/catalog"
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
// then the answer to the pending question, then an addition to the open
// case, a word on a case that ended lately, or a new complaint. Every
// message ends up on a case's thread, in the draft, or answered as a
// command: none is acknowledged and dropped.
func (t *turn) text(s string) error {
	if s == "" {
		t.say(txtHelp)
		return nil
	}
	if t.dlg.Step == stepWithdraw {
		// Before the commands: "撤回" here confirms the withdrawal.
		return t.answerWithdraw(s)
	}
	if handled, err := t.asParty(s); handled || err != nil {
		return err
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
	case stepSensitive:
		return t.answerSensitive(s)
	case stepHeld:
		return t.answerHeld(s)
	case stepNew:
		return t.complaint(s)
	}
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if len(open) > 0 {
		if t.strayConfirmation(s, open[0]) {
			return nil
		}
		if n, ok := choice(s, 5); ok {
			if rated, err := t.rateBeside(open, n); rated || err != nil {
				return err
			}
		}
		// Text sent while a case is open joins its thread: the citizen is
		// never asked to tell the story again.
		c, err := t.addressed(open, s)
		if err != nil {
			return err
		}
		if err := t.addToCase(c, s); err != nil || len(open) < 2 || t.dlg.Step == stepHeld {
			return err
		}
		for _, o := range open {
			if o.ID != c.ID {
				t.say(otherCaseHint(o.ID))
				break
			}
		}
		return nil
	}
	if answered, err := t.followUpAnswer(s); answered || err != nil {
		return err
	}
	if n, ok := choice(s, 5); ok {
		if rated, err := t.rate(n); rated || err != nil {
			return err
		}
	}
	if ended, ok, err := t.recentlyEnded(); err != nil || ok {
		if err != nil {
			return err
		}
		return t.afterEnd(ended, s)
	}
	return t.complaint(s)
}

// command recognises the words that work at any time.
func (t *turn) command(s string) (bool, error) {
	word := answer(s)
	switch word {
	case "帮助", "help", "使用帮助", "怎么用":
		t.say(txtHelp)
	case "进度", "查询", "查进度", "查询进度":
		return true, t.progress()
	case "人工", "转人工", "找人工", "人工服务":
		return true, t.human()
	case catalog.WordNotPerformed, "对方没有履行", "对方不履行":
		return true, t.notPerformed()
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
		if ref, ok := withdrawCommand(word); ok {
			return true, t.withdraw(ref)
		}
		return t.agreementCommand(s)
	}
	return true, nil
}

// withdrawCommand reads "撤回", "撤回 JF20261206-0008", "撤回 0008" or
// "撤回0008" (the last digits, as 进度 lists them) and returns the case
// reference ("" for none). Other words starting with 撤回 are a story.
func withdrawCommand(word string) (string, bool) {
	rest, ok := strings.CutPrefix(word, "撤回")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "案件"))
	rest = strings.TrimSpace(toHalfWidth(rest))
	if rest == "" || caseRefRe.MatchString(rest) {
		return rest, true
	}
	return "", false
}

// caseRefRe is a case number, whole or its last digits.
var caseRefRe = regexp.MustCompile(`^(?i:JF\d{8}-\d{4,}|\d{1,6})$`)

// urgent handles words saying someone is in danger now, whatever the step:
// the citizen is told at once to call 110/120, and the case is made (or the
// open one flagged) for the duty desk without waiting for anything; the
// personal-information notice comes after safety, never before it.
func (t *turn) urgent(s string) error {
	if t.dlg.Draft.Story != "" && t.dlg.Step != stepIdle {
		t.more(s)
		return t.createCase()
	}
	open, err := t.openCases()
	if err != nil {
		return err
	}
	if len(open) > 0 && (t.dlg.Step == stepIdle || t.dlg.Step == stepNew || t.dlg.Step == stepHeld || open[0].Urgent) {
		c := open[0]
		t.caseID = c.ID
		t.b.Cases.CitizenWrote(&t.ch, c, t.said(s), t.now)
		t.say(urgentOnCase(c.ID, t.flagUrgent(c)))
		return nil
	}
	return t.complaint(s)
}

// lateAnalyzer is a classifier that may answer better after the callback
// has been answered (the LLM, routing.LLM).
type lateAnalyzer interface {
	AnalyzeLater(ctx context.Context, text string, done func(routing.Analysis)) routing.Analysis
}

// complaint starts a draft from a new story, or goes on with one that
// told too little so far: the words are kept and read together.
func (t *turn) complaint(s string) error {
	story := s
	if t.dlg.Draft.Story != "" {
		story = t.dlg.Draft.Story + "\n" + s
	}
	res, summary, err := t.analyze(story)
	if err != nil {
		return err
	}
	if res.Type == dispute.None && !res.Urgent {
		if t.dlg.Draft.Story == "" && isChatter(s) {
			t.say(txtGreeting)
			return nil
		}
		if t.dlg.Draft.Vague < maxVague {
			// Too little to go on: keep the words and ask one short
			// question that moves the story on, not the whole help text.
			t.dlg.Draft.Story = story
			t.dlg.Draft.Vague++
			t.setStep(stepNew)
			t.say(askDetails(t.dlg.Draft.Vague))
			return nil
		}
		res.Type = dispute.Other // still unclear: a person will sort it out
	}
	d := t.dlg.Draft
	if d.Phone == "" {
		// A number in the story is most likely the citizen's own; the
		// confirmation shows it, and another number typed there replaces it.
		if p := findPhone(story); p != "" {
			d.Phone, d.PhoneAsked = p, true
		}
	}
	t.dlg.Draft = store.Draft{Story: story, Type: res.Type, Confidence: res.Confidence, Urgent: res.Urgent,
		Region: cmp.Or(res.Region, d.Region), Phone: d.Phone, PhoneAsked: d.PhoneAsked,
		Media: d.Media, Summary: summary.text, SummaryAI: summary.ai, Vague: d.Vague, Human: d.Human, Related: d.Related,
		SensitiveAgreed: d.SensitiveAgreed, SensitiveRefused: d.SensitiveRefused, SensitiveAt: d.SensitiveAt, SensitiveVersion: d.SensitiveVersion}
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
	if !t.consented() {
		t.setStep(stepConsent)
		t.say(txtAskConsent)
		return nil
	}
	return t.next()
}

// maxVague is how many unclear messages are met with a question before
// the story goes on as it is.
const maxVague = 2

// analyze classifies a story: the LLM's answer within the time budget when
// one is configured (a later, different answer corrects the draft), else
// the local classifier's.
func (t *turn) analyze(story string) (routing.Result, summary, error) {
	var (
		res routing.Result
		sum summary
		err error
	)
	if a, ok := t.b.Classifier.(lateAnalyzer); ok {
		openID := t.cit.OpenID
		an := a.AnalyzeLater(t.ctx, story, func(late routing.Analysis) { t.b.correct(openID, story, late) })
		res, sum = an.Result, summary{an.Summary, an.SummaryAI}
	} else {
		res, err = t.b.Classifier.Classify(t.ctx, story)
	}
	if !t.city().Valid(res.Region) {
		// The table is the one truth about regions: a classifier made for
		// another city (a wiring mistake) must not put on a case a region
		// no body serves.
		res.Region = ""
	}
	return res, sum, err
}

// isChatter reports a greeting or thanks: it needs an answer, not a case.
func isChatter(s string) bool {
	w := answer(s)
	switch w {
	case "你好", "您好", "在吗", "在不在", "有人吗", "hello", "hi", "谢谢", "谢谢你", "谢谢您", "感谢", "好的", "嗯", "ok", "哦":
		return true
	}
	return false
}

// more adds further words to the story: citizens keep typing while we ask.
func (t *turn) more(s string) {
	t.dlg.Draft.Story += "\n" + s
	if t.dlg.Draft.Region == "" {
		t.dlg.Draft.Region = t.city().Detect(s)
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
	case stepRegion, stepPhone, stepConfirm, stepSensitive:
		return t.next()
	}
	return nil
}

// next asks for the first thing still missing, or for confirmation.
func (t *turn) next() error {
	d := &t.dlg.Draft
	switch {
	case d.Urgent, d.Human:
		// createCase asks the sensitive consent first when it is due.
		return t.createCase()
	case d.Region == "":
		t.setStep(stepRegion)
		t.say(askRegion(t.city()))
	case !d.PhoneAsked:
		t.setStep(stepPhone)
		t.say(txtAskPhone)
	default:
		dec, err := t.b.Table.Route(d.Type, d.Region)
		if err != nil {
			return err
		}
		if kinds := t.sensitivePending(); len(kinds) > 0 {
			t.askSensitive(kinds)
			return nil
		}
		t.setStep(stepConfirm)
		t.say(askConfirm(draftView{Draft: *d, BodyName: dec.Body.Name}))
	}
	return nil
}

func (t *turn) answerConsent(s string) error {
	switch answer(s) {
	case "同意", "好", "好的", "可以", "是", "行", "1", "嗯":
		t.cit.ConsentAt, t.cit.ConsentVersion = t.now, catalog.NoticeVersion
		return t.next()
	case "不同意", "不", "不要", "拒绝", "2":
		t.resetDialog()
		t.say(txtNoConsent)
		return nil
	}
	if t.keepContact(s, false) {
		t.say(txtContactKept + txtAskConsentAgain)
		return nil
	}
	t.more(s)
	t.say(txtAskConsentAgain)
	return nil
}

// keepContact takes a phone number or a region out of an answer (typed
// before they were asked for, or a correction at the confirmation) into
// the draft, and only what else it says into the story; it reports whether
// there was one. A region replaces the draft's when correct is set.
func (t *turn) keepContact(s string, correct bool) bool {
	d := &t.dlg.Draft
	phone, region := findPhone(s), t.city().Detect(s)
	if phone == "" && region == "" {
		return false
	}
	if phone != "" {
		d.Phone, d.PhoneAsked = phone, true
	}
	if region != "" && (d.Region == "" || correct) {
		d.Region = region
	}
	t.dlgChanged = true
	if rest := leftover(s, phone, region); utf8.RuneCountInString(rest) >= 8 {
		t.more(s) // more of the story came with it: kept as written
	}
	return true
}

// leftover is s without its phone number, its region and filler words:
// what else the citizen said.
func leftover(s, phone, region string) string {
	s = toHalfWidth(s)
	for _, cut := range []string{phone, region, strings.TrimRight(region, "区县市"), "我的", "我在", "电话", "手机", "号码", "是", "联系"} {
		if cut != "" {
			s = strings.ReplaceAll(s, cut, "")
		}
	}
	return strings.Trim(strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("-+，,。.：:；;！!", r) {
			return -1
		}
		return r
	}, s), " ")
}

func (t *turn) answerRegion(s string) error {
	regions := t.city().Names()
	if n, ok := choice(s, len(regions)); ok {
		t.dlg.Draft.Region = regions[n-1]
		t.dlgChanged = true
		return t.next()
	}
	if t.city().Detect(s) != "" {
		t.keepContact(s, false)
		return t.next()
	}
	if answered, err := t.answersMediator(s); err != nil {
		return err
	} else if !answered && len([]rune(s)) >= 8 {
		t.more(s)
	}
	t.say(askRegion(t.city()))
	return nil
}

func (t *turn) answerPhone(s string) error {
	switch answer(s) {
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
	if why := phoneProblem(s); why != "" {
		// A mistyped number: say what is wrong; it is not story.
		t.say(why)
		return nil
	}
	if answered, err := t.answersMediator(s); err != nil || answered {
		if answered {
			t.say(txtAskPhone)
		}
		return err
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
	switch answer(s) {
	case "1", "确认", "对", "是", "提交", "确定", "没问题", "好", "好的":
		return t.createCase()
	case "2", "修改", "改", "不对", "修改类型":
		t.setStep(stepType)
		t.say(askType())
		return nil
	}
	if t.keepContact(s, true) {
		return t.next() // a corrected phone or region: confirm again
	}
	if why := phoneProblem(s); why != "" {
		t.say(why)
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

// answer is a short reply as it is matched against the words the bot
// knows: Simplified, half-width digits, lower case, without the
// punctuation people add ("好的。", "確認！").
func answer(s string) string {
	return strings.ToLower(strings.Trim(routing.Simplified(toHalfWidth(s)), " 。.!！?？~，,、"))
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
