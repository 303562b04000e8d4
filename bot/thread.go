package bot

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/dispute"
	"jiefen/workflow"
)

// What a citizen writes once a case exists: it joins that case's thread,
// open or lately ended, so a person of the body reads it.

// addToCase records a message on an open case. An urgent case was made
// before any question, so a region or phone number written afterwards is
// filled in, and the personal-information notice, held back while safety
// came first, is shown once.
func (t *turn) addToCase(c dispute.Case, s string) error {
	if held, err := t.holdSensitive(c, s); held || err != nil {
		return err
	}
	return t.passOn(c, s)
}

// caseLead is a full case number at the start of a message ("JF20261201-0003
// 钱还没到"): the citizen says which of their cases it is about.
var caseLead = regexp.MustCompile(`^(?i:(JF\d{8}-\d{4,}))[\s:：，,。]*`)

// addressed picks the open case a message is about when the citizen has
// several: the one they name at its start; else the one whose people
// (mediator, supervisor) last wrote to them or moved it — they most
// likely answer that person; else the newest.
func (t *turn) addressed(open []dispute.Case, s string) (dispute.Case, error) {
	if m := caseLead.FindStringSubmatch(s); m != nil && strings.TrimSpace(s[len(m[0]):]) != "" {
		for _, c := range open {
			if strings.EqualFold(c.ID, m[1]) {
				return c, nil // the words go as written, number and all
			}
		}
	}
	if len(open) == 1 {
		return open[0], nil
	}
	best, bestAt := open[0], time.Time{}
	for _, c := range open {
		events, err := t.b.Store.Events(t.ctx, c.ID)
		if err != nil {
			return dispute.Case{}, err
		}
		for i := len(events) - 1; i >= 0; i-- {
			if e := events[i]; strings.HasPrefix(e.Actor, "user:") && e.Kind != dispute.Note {
				if e.At.After(bestAt) {
					best, bestAt = c, e.At
				}
				break
			}
		}
	}
	return best, nil
}

// passOn puts s on case c's thread, open or lately ended, and says so.
func (t *turn) passOn(c dispute.Case, s string) error {
	if !c.Status.Open() {
		return t.joinEnded(c, s)
	}
	t.caseID = c.ID
	region, phone := t.b.Cases.CitizenWrote(&t.ch, c, t.said(s), t.now)
	if region == "" && phone == "" {
		t.say(joinedThread(c.ID))
	} else {
		t.say(detailsRecorded(c.ID, region, phone))
	}
	if c.Urgent && t.cit.ConsentAt.IsZero() {
		shown, err := t.noticeShown(c.ID)
		if err != nil {
			return err
		}
		if !shown {
			t.say(txtNoticeAfterUrgent)
		}
	}
	return nil
}

// said is a citizen's words as the workflow takes them: with the region
// and phone number they name, which the workflow records where a case
// lacks them.
func (t *turn) said(s string) workflow.Said {
	return workflow.Said{Text: s, MediaID: t.in.MediaID, Region: t.city().Detect(s), Phone: findPhone(s)}
}

// noticeShown reports whether the case's thread already told the citizen
// the personal-information notice.
func (t *turn) noticeShown(caseID string) (bool, error) {
	events, err := t.b.Store.Events(t.ctx, caseID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(events, func(e dispute.Event) bool {
		return e.Kind == dispute.MessageOut && strings.Contains(e.Text, txtNoticeTitle)
	}), nil
}

// strayWindow is how long after a case is made a lone "1" is taken for a
// second tap on the confirmation rather than words for the mediator.
const strayWindow = 10 * time.Minute

// strayConfirmation answers a repeated confirmation ("1", "确认") sent just
// after the case was made: it is neither content for the thread nor a
// rating.
func (t *turn) strayConfirmation(s string, c dispute.Case) bool {
	if t.now.Sub(c.CreatedAt) > strayWindow {
		return false
	}
	switch answer(s) {
	case "1", "确认", "提交", "确定":
		t.say(alreadyFiled(c.ID))
		return true
	}
	return false
}

// recentlyEnded returns the citizen's newest case when it has ended within
// workflow.AfterEnd (and no case is open, which the caller checked): it
// takes words such as "钱什么时候能到？".
func (t *turn) recentlyEnded() (dispute.Case, bool, error) {
	all, err := t.cases()
	if err != nil || len(all) == 0 {
		return dispute.Case{}, false, err
	}
	c := all[0]
	if c.Status.Open() || !workflow.TakesWords(c, t.now) {
		return dispute.Case{}, false, nil
	}
	return c, true, nil
}

// A message after a case ended starts a new intake when it tells a story
// of its own: the classifier is sure of its type and it is long enough to
// be one ("在柳河县饭店打工，老板两个月工资没给"), whatever the old case's
// type. Short words ("钱什么时候能到？", "谢谢") are about the old case.
const (
	newProblemSure   = 0.9
	newProblemLength = 15 // characters
)

// afterEnd handles words from a citizen whose case ended lately: a clearly
// new problem starts a new intake linked to the old case; anything else
// joins the ended case's thread, and its body's queue shows the case as
// having a new message.
func (t *turn) afterEnd(c dispute.Case, s string) error {
	if !isChatter(s) {
		res, _, err := t.analyze(s)
		if err != nil {
			return err
		}
		if res.Urgent || (res.Type != dispute.None && res.Confidence >= newProblemSure && utf8.RuneCountInString(s) >= newProblemLength) {
			t.dlg.Draft.Related = c.ID
			t.dlgChanged = true
			return t.complaint(s)
		}
	}
	if held, err := t.holdSensitive(c, s); held || err != nil {
		return err
	}
	return t.joinEnded(c, s)
}

// joinEnded puts s on the thread of case c, which ended lately; its
// body's queue shows the case as having a new message.
func (t *turn) joinEnded(c dispute.Case, s string) error {
	t.caseID = c.ID
	t.b.Cases.CitizenWrote(&t.ch, c, workflow.Said{Text: s, MediaID: t.in.MediaID}, t.now)
	name := c.Body
	if b, ok := t.b.Table.Body(c.Body); ok {
		name = b.Name
	}
	t.say(joinedEnded(c.ID, name))
	return nil
}

// answersMediator puts words an intake question could not take on the
// open case whose people wrote to the citizen since their previous
// message: in the middle of telling a new problem, "明天上午都可以" most
// likely answers that mediator's "方便什么时间接电话？", and would
// otherwise be lost (too short for the story) or taken for the new
// problem's story. It reports whether it did.
func (t *turn) answersMediator(s string) (bool, error) {
	if t.prevInbound.IsZero() {
		return false, nil
	}
	open, err := t.openCases()
	if err != nil || len(open) == 0 {
		return false, err
	}
	c, err := t.addressed(open, s)
	if err != nil {
		return false, err
	}
	events, err := t.b.Store.Events(t.ctx, c.ID)
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(events, func(e dispute.Event) bool {
		return e.Kind == dispute.MessageOut && strings.HasPrefix(e.Actor, "user:") && !e.At.Before(t.prevInbound)
	}) {
		return false, nil
	}
	t.b.Cases.CitizenWrote(&t.ch, c, t.said(s), t.now)
	t.say(passedToMediator(c.ID))
	return true, nil
}
