package workflow

import (
	"context"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// NotPerformed records that a party says the other did not do what was
// agreed (对方没履行): on the thread, as said by actor ("citizen" for the
// claimant, "respondent" with partyID), marking the case in its body's
// queue until someone of the body writes or acts on it. It returns what
// the party is answered (PerformanceAnswer).
func (w *Cases) NotPerformed(ctx context.Context, ch *store.Change, k dispute.Case, actor, partyID string) (string, error) {
	now := w.Now()
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.NotPerformed, Actor: actor,
		Text: catalog.WordNotPerformed, Party: partyID})
	if !k.Status.Open() {
		ch.Updates = append(ch.Updates, store.CaseUpdate{CaseID: k.ID, At: now})
	}
	return w.PerformanceAnswer(ctx, k)
}

// PerformanceAnswer is what a party who reports non-performance is told.
// This is the hook for the agreement's states: once the agreement was
// judicially confirmed (司法确认), the answer is the enforcement route
// (申请强制执行 at the confirming court); until then, what the mediator
// will do.
func (w *Cases) PerformanceAnswer(ctx context.Context, k dispute.Case) (string, error) {
	events, err := w.Store.Events(ctx, k.ID)
	if err != nil {
		return "", err
	}
	if route := w.NonPerformance(k, events); route != "" {
		return catalog.NotPerformedConfirmed(k.ID, route), nil
	}
	return catalog.NotPerformedNoted(k.ID), nil
}
