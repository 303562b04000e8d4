package bot

import (
	"context"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

// Dialog steps: the question the citizen is answering.
const (
	stepIdle     = ""
	stepNew      = "new" // asked to describe a new problem: the next text is a complaint even with a case open
	stepConsent  = "consent"
	stepRegion   = "region"
	stepPhone    = "phone"
	stepConfirm  = "confirm"
	stepType     = "type"
	stepWithdraw = "withdraw"
	// stepSensitive: asked the separate consent for the sensitive
	// information in the story (bot/sensitive.go).
	stepSensitive = "sensitive"
	// stepHeld: a message on a filed case waits for the separate consent
	// for the sensitive information it tells (bot/sensitive.go).
	stepHeld = "held"
)

// turn is one inbound message being handled: the state read from the store,
// and the Change and reply being built. Nothing is written until finish and
// Commit, so a failed turn leaves no trace and the platform's retry redoes it.
type turn struct {
	b   *Bot
	ctx context.Context
	in  Inbound
	now time.Time

	cit        dispute.Citizen
	known      bool           // the citizen had written or followed before this message
	all        []dispute.Case // the citizen's cases, newest first, once read (casesRead)
	casesRead  bool
	dlg        store.Dialog
	dlgChanged bool
	ch         store.Change
	reply      string
	caseID     string // the case this turn's messages belong to, for the thread
	partyID    string // the party of that case this turn speaks with; "" for the claimant
	// wakeReferrals is set when the Change queues a webhook referral.
	wakeReferrals bool
	// prevInbound is when the citizen wrote before this message (zero:
	// never), read before this one opened the window.
	prevInbound time.Time
}

func (t *turn) run() error {
	switch t.in.Kind {
	case "event":
		return t.event()
	case "text":
		t.opened()
		return t.text(strings.TrimSpace(t.in.Text))
	case "voice":
		t.opened()
		if rec := strings.TrimSpace(t.in.Recognition); rec != "" {
			return t.text(rec)
		}
		if handled, err := t.partyMedia("voice"); handled || err != nil {
			return err
		}
		return t.media("voice")
	case "image":
		t.opened()
		if handled, err := t.partyMedia("image"); handled || err != nil {
			return err
		}
		return t.media("image")
	default:
		t.opened()
		t.say(txtUnsupported)
		return nil
	}
}

// opened records a citizen message: it opens the customer-service window
// and frees messages held because the window had closed.
func (t *turn) opened() {
	t.prevInbound = t.cit.LastInboundAt
	t.cit.OpenWindow(t.now, dispute.MessageWindow, dispute.MessageQuota)
	t.ch.ReleaseHeld = t.cit.OpenID
}

func (t *turn) event() error {
	switch strings.ToLower(t.in.Event) {
	case "subscribe":
		t.cit.OpenWindow(t.now, dispute.EventWindow, dispute.EventQuota)
		if scene := t.invitationScene(); scene != "" {
			return t.scanned(scene, true)
		}
		t.say(txtWelcome)
	case "scan":
		t.cit.OpenWindow(t.now, dispute.EventWindow, dispute.EventQuota)
		if scene := t.invitationScene(); scene != "" {
			return t.scanned(scene, false)
		}
	case "click":
		t.cit.OpenWindow(t.now, dispute.EventWindow, dispute.EventQuota)
		switch t.in.EventKey {
		case MenuNew:
			t.setStep(stepNew)
			t.say(txtStartNew)
		case MenuProgress:
			return t.progress()
		case MenuHelp:
			t.say(txtHelp)
		}
	case "subscribe_msg_popup_event", "subscribe_msg_change_event":
		// The citizen allowed (or refused, or later cancelled) notices;
		// no answer: the popup is on the case page, not in the chat.
		t.subscriptionAnswers()
	}
	// Other events (unsubscribe, VIEW, template receipts) need no answer.
	return nil
}

// say appends to the passive reply.
// city is the routing table's city: the regions the bot asks about and
// recognises.
func (t *turn) city() routing.City { return t.b.Table.City() }

func (t *turn) say(s string) {
	if t.reply != "" {
		t.reply += "\n\n"
	}
	t.reply += s
}

func (t *turn) setStep(step string) {
	t.dlg.Step = step
	t.dlgChanged = true
}

func (t *turn) resetDialog() {
	t.dlg.Step = stepIdle
	t.dlg.Draft = store.Draft{}
	t.dlgChanged = true
}

// record appends an event to the thread of a case.
func (t *turn) record(caseID string, e dispute.Event) {
	e.CaseID = caseID
	if e.At.IsZero() {
		e.At = t.now
	}
	t.ch.Events = append(t.ch.Events, e)
}

// maxPassive is where a passive reply is cut; the rest goes out through the
// customer-service queue. The platform's limit is undocumented, about 2048
// bytes of XML: 600 characters stays well inside it.
const maxPassive = 600

// finish completes the Change: citizen, dialog, dedup key, the reply kept
// for retries, and the reply's overflow queued.
func (t *turn) finish() {
	chunks := workflow.SplitText(t.reply, maxPassive)
	if len(chunks) > 1 {
		t.reply = chunks[0]
		for _, c := range chunks[1:] {
			// A moment later, so the rest does not overtake the passive
			// reply still on its way back through the callback.
			t.ch.Outbound = append(t.ch.Outbound, store.Outbound{
				OpenID: t.cit.OpenID, CaseID: t.caseID, Kind: store.OutText, Text: c, NotBefore: t.now.Add(2 * time.Second),
			})
		}
	}
	if t.caseID != "" && t.reply != "" {
		t.record(t.caseID, dispute.Event{Kind: dispute.MessageOut, Actor: "bot", Text: strings.Join(chunks, ""), Party: t.partyID})
	}
	cit := t.cit
	t.ch.Citizen = &cit
	if t.dlgChanged {
		t.dlg.UpdatedAt = t.now
		d := t.dlg
		t.ch.Dialog = &d
	}
	t.ch.At = t.now
	t.ch.Dedup = t.in.DedupKey()
	t.ch.DedupTTL = DedupTTL
	t.ch.Reply = t.reply
}
