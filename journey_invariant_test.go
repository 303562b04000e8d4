package main

// The invariant checked after every journey: nothing the citizen said is
// lost, every queued message was delivered or is visibly waiting.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"jiefen/bot"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// invariant checks, once the outbound queue has settled, that nothing
// the citizen said was lost, that every question got an answer, and that
// every message queued for them reached them or visibly waits, on its
// case's thread. It names every breach.
func (r *jrun) invariant() {
	r.t.Helper()
	ctx := context.Background()
	st := r.e.app.store
	outbounds := func() []store.Outbound {
		obs, err := st.Outbounds(ctx, r.who)
		if err != nil {
			r.t.Fatal(err)
		}
		return obs
	}
	// Settled: nothing due still pending (an item scheduled for later,
	// such as a video reminder, is not due).
	due := func(o store.Outbound) bool {
		return o.State == store.OutPending && (o.Attempts > 0 || !o.NotBefore.After(r.clock.Now()))
	}
	r.poll(func() bool {
		return !slices.ContainsFunc(outbounds(), due) && !slices.ContainsFunc(r.partyOutbounds(), due)
	})

	var breaches []string
	breach := func(format string, args ...any) { breaches = append(breaches, fmt.Sprintf(format, args...)) }
	cases := r.oldestFirst()
	threads := map[string][]dispute.Event{}
	for _, k := range cases {
		threads[k.ID] = r.events(k.ID)
	}
	_, dlg, err := st.Conversation(ctx, r.who)
	if err != nil {
		r.t.Fatal(err)
	}
	kept := func(text, mediaID string) bool {
		if mediaID != "" && slices.ContainsFunc(dlg.Draft.Media, func(m string) bool { return strings.HasSuffix(m, ":"+mediaID) }) {
			return true
		}
		if text != "" && (strings.Contains(dlg.Draft.Story, text) || strings.Contains(dlg.Draft.Held, text)) {
			return true
		}
		for _, k := range cases {
			if text != "" && strings.Contains(k.Story, text) {
				return true
			}
			for _, ev := range threads[k.ID] {
				if ev.Kind == dispute.MessageIn && (mediaID != "" && ev.MediaID == mediaID || text != "" && strings.Contains(ev.Text, text)) {
					return true
				}
			}
		}
		return false
	}
	for _, s := range r.said {
		switch {
		case s.answer && strings.TrimSpace(s.reply) == "":
			breach("no reply to %s", s.l)
		case !s.answer && !kept(s.text, s.mediaID):
			breach("lost: %s (on no case, in no story, not in the draft)", s.l)
		}
	}

	deliveries := append(r.e.platform.Deliveries(r.who), r.e.platform.Deliveries(respondentOf(r.who))...)
	for _, o := range append(outbounds(), r.partyOutbounds()...) {
		what := fmt.Sprintf("outbound #%d (%s, %s, case %q) %.60q", o.ID, o.Kind, o.State, o.CaseID, o.Text+o.MediaID)
		switch o.State {
		case store.OutSent:
			if !r.deliveredAs(o, deliveries) {
				breach("%s: marked sent via %q, but the platform has no such delivery", what, o.Via)
			}
		case store.OutHeld, store.OutFailed:
			if o.LastError == "" {
				breach("%s: %s without a reason", what, o.State)
			}
		default:
			if due(o) {
				breach("%s: never delivered (last error %q)", what, o.LastError)
			}
		}
		if o.Kind == store.OutFetchMedia {
			if !kept("", o.MediaID) {
				breach("%s: the media is on no case and in no draft", what)
			}
			continue
		}
		if !onThread(o, threads[o.CaseID]) {
			breach("%s: not on a case thread", what)
		}
	}
	if len(breaches) > 0 {
		r.t.Fatalf("invariant broken after the journey:\n  %s", strings.Join(breaches, "\n  "))
	}
}

// deliveredAs finds the platform's record of a sent item.
func (r *jrun) deliveredAs(o store.Outbound, deliveries []wxsim.Delivery) bool {
	switch o.Via {
	case "media":
		m, err := r.e.app.store.Media(context.Background(), o.MediaID)
		return err == nil && len(m.Data) > 0
	case "obsolete":
		return o.Kind == store.OutVideoReminder
	case "template":
		return slices.ContainsFunc(deliveries, func(d wxsim.Delivery) bool {
			return d.Kind == "template" && d.Data["keyword1"] == o.CaseID
		})
	case "subscribe":
		return slices.ContainsFunc(deliveries, func(d wxsim.Delivery) bool {
			return d.Kind == "subscribe" && d.Data[bot.DefaultSubscribeCaseField] == o.CaseID
		})
	}
	return slices.ContainsFunc(deliveries, func(d wxsim.Delivery) bool { return !d.Passive && d.Text == o.Text })
}

// onThread reports whether what an item tells the citizen is on its
// case's thread: the same words (a mediator's inside the heading the
// citizen sees; the overflow of a long reply inside that reply), or for a
// video reminder, the video mediation it reminds of.
func onThread(o store.Outbound, thread []dispute.Event) bool {
	for _, ev := range thread {
		if o.Kind == store.OutVideoReminder && ev.Kind == dispute.Video {
			return true
		}
		if ev.Text != "" && ev.Kind != dispute.MessageIn && (strings.Contains(o.Text, ev.Text) || strings.Contains(ev.Text, o.Text)) {
			return true
		}
	}
	return false
}
