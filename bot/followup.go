package bot

import (
	"slices"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// Answers to the follow-up question (catalog.FollowUpQuestion).
var (
	answersSolved   = []string{"解决了", "已解决", "已经解决了"}
	answersUnsolved = []string{"没有", "没解决", "还没有", "没有解决", "还没解决"}
)

// followUpAnswerWindow is how long after the question reached the citizen
// a bare "没有" still answers it; later it is just a word in a chat.
const followUpAnswerWindow = 7 * 24 * time.Hour

// awaitsFollowUp reports whether the case's follow-up question, asked after
// its latest resolution, still waits for an answer at now: the thread's
// last follow-up event since that resolution is the bot's question, asked
// within followUpAnswerWindow.
func awaitsFollowUp(events []dispute.Event, now time.Time) bool {
	for i := len(events) - 1; i >= 0; i-- {
		switch e := events[i]; {
		case e.Kind == dispute.StatusSet && e.Status == dispute.Resolved:
			return false // no question since the case was last resolved
		case e.Kind == dispute.FollowUp:
			return e.Actor == "bot" && now.Sub(e.At) < followUpAnswerWindow
		}
	}
	return false
}

// followUpSeen reports whether the follow-up question of a case has reached
// the citizen: outside the 48-hour window it may still be held, to go out
// after the very message being answered, and then the citizen has not seen
// the question yet.
func (t *turn) followUpSeen(caseID string) (bool, error) {
	obs, err := t.b.Store.Outbounds(t.ctx, t.cit.OpenID)
	if err != nil {
		return false, err
	}
	q := catalog.FollowUpQuestion(caseID)
	for _, o := range slices.Backward(obs) {
		if o.CaseID == caseID && o.Text == q {
			return o.State == store.OutSent, nil
		}
	}
	return false, nil
}

// followUpAnswer takes "解决了" or "没有" as the answer to the follow-up
// question on the citizen's newest resolved case awaiting one, if the
// question reached them; it runs only when the citizen has no open case,
// whose thread such a word would rather belong to. "没有" reopens that case
// (resolved → mediating): its body sees it again at once, with the whole
// thread.
func (t *turn) followUpAnswer(s string) (bool, error) {
	word := answer(s)
	solved := slices.Contains(answersSolved, word)
	if !solved && !slices.Contains(answersUnsolved, word) {
		return false, nil
	}
	all, err := t.b.Store.Cases(t.ctx, store.CaseFilter{OpenID: t.cit.OpenID, Status: dispute.Resolved})
	if err != nil {
		return false, err
	}
	for _, c := range all { // newest first
		events, err := t.b.Store.Events(t.ctx, c.ID)
		if err != nil {
			return false, err
		}
		if !awaitsFollowUp(events, t.now) {
			continue
		}
		if seen, err := t.followUpSeen(c.ID); err != nil || !seen {
			return false, err
		}
		t.caseID = c.ID
		t.b.Cases.CitizenAnswersFollowUp(&t.ch, c, events, s, solved, t.now)
		if solved {
			t.say(txtFollowUpThanks)
			return true, nil
		}
		name := c.Body
		if b, ok := t.b.Table.Body(c.Body); ok {
			name = b.Name
		}
		t.say(followUpReopened(c.ID, name))
		return true, nil
	}
	return false, nil
}
