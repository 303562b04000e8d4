package bot

import (
	"slices"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// Answers to the follow-up question (FollowUpQuestion).
var (
	answersSolved   = []string{"解决了", "已解决", "已经解决了"}
	answersUnsolved = []string{"没有", "没解决", "还没有", "没有解决", "还没解决"}
)

// AwaitsFollowUp reports whether a thread's last follow-up event is the
// bot's question, not yet answered by the citizen.
func AwaitsFollowUp(events []dispute.Event) bool {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == dispute.FollowUp {
			return events[i].Actor == "bot"
		}
	}
	return false
}

// followUpAnswer takes "解决了" or "没有" as the answer to the follow-up
// question on the citizen's newest resolved case still awaiting one. "没有"
// reopens that case (resolved → mediating): its body sees it again at
// once, with the whole thread.
func (t *turn) followUpAnswer(s string) (bool, error) {
	word := strings.Trim(s, " 。.!！~，,")
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
		if !AwaitsFollowUp(events) {
			continue
		}
		t.caseID = c.ID
		t.record(c.ID, dispute.Event{Kind: dispute.FollowUp, Actor: "citizen", Text: s})
		if solved {
			t.say(txtFollowUpThanks)
			return true, nil
		}
		// Conditional: a mediator who reopened or closed it meanwhile wins.
		t.ch.Statuses = append(t.ch.Statuses, store.StatusChange{CaseID: c.ID, To: dispute.Mediating, At: t.now, From: dispute.Resolved})
		t.record(c.ID, dispute.Event{Kind: dispute.StatusSet, Actor: "citizen", Status: dispute.Mediating, Text: "市民回访答复问题未解决，重新调解"})
		name := c.Body
		if b, ok := t.b.Table.Body(c.Body); ok {
			name = b.Name
		}
		t.say(followUpReopened(c.ID, name))
		return true, nil
	}
	return false, nil
}
