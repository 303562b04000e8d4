package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
)

// correct applies an LLM answer that came after the callback was answered
// with the local classifier's: the draft still being put together takes
// the better type (and urgency, region, summary); the citizen confirms
// the type anyway. When the case was made meanwhile, the suggestion goes
// on its thread as a note for the mediator.
func (b *Bot) correct(openID, story string, late routing.Analysis) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for attempt := 0; attempt < 3; attempt++ {
		_, d, err := b.Store.Conversation(ctx, openID)
		if err != nil {
			b.Log.Warn("late classification not applied", "err", err)
			return
		}
		dr := d.Draft
		if !strings.HasPrefix(dr.Story, story) {
			b.noteSuggestion(ctx, openID, story, late)
			return
		}
		if dr.Confidence >= 1 {
			return // the citizen chose the type
		}
		if late.Type.Valid() {
			dr.Type, dr.Confidence = late.Type, late.Confidence
		}
		dr.Urgent = dr.Urgent || late.Urgent
		if dr.Region == "" && b.Table.City().Valid(late.Region) {
			dr.Region = late.Region
		}
		if late.Summary != "" {
			dr.Summary, dr.SummaryAI = late.Summary, late.SummaryAI
		}
		d.Draft, d.UpdatedAt = dr, b.Now()
		err = b.Store.Commit(ctx, store.Change{Dialog: &d})
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				b.Log.Warn("late classification not applied", "err", err)
			}
			return
		}
	}
}

// noteSuggestion leaves the LLM's reading on the case made from story.
func (b *Bot) noteSuggestion(ctx context.Context, openID, story string, late routing.Analysis) {
	cases, err := b.Store.Cases(ctx, store.CaseFilter{OpenID: openID, Limit: 3})
	if err != nil {
		b.Log.Warn("late classification not noted", "err", err)
		return
	}
	for _, k := range cases {
		if strings.HasPrefix(k.Story, story) && k.Type != late.Type && late.Type.Valid() {
			err := b.Store.Commit(ctx, store.Change{Events: []dispute.Event{{CaseID: k.ID, At: b.Now(), Kind: dispute.Note,
				Actor: "system", Text: "智能分析认为类型可能是：" + late.Type.Name() + "（" + late.Summary + "）" + b.aiLabel()}}})
			if err != nil {
				b.Log.Warn("late classification not noted", "err", err)
			}
			return
		}
	}
}

// aiLabel is the label on what an AI model wrote.
func (b *Bot) aiLabel() string {
	if b.AILabel != "" {
		return b.AILabel
	}
	return catalog.AILabel("", "")
}
