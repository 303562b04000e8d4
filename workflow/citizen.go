package workflow

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
)

// The citizen's operations, taken through the chat. The conversation (the
// bot) works out what the citizen meant; these add what it changes to the
// turn's Change, which the bot commits with its dialog and dedup key, so a
// message and all it caused are stored together or not at all.

// Filing is a new case as the conversation put it together.
type Filing struct {
	OpenID     string
	Story      string // the citizen's words
	Summary    string // for mediators
	SummaryAI  bool   // an AI model wrote Summary
	Type       dispute.Type
	Confidence float64
	Urgent     bool
	Region     string
	Phone      string
	Media      []string // "image:<id>" / "voice:<id>" sent before the case existed
	Related    string   // the citizen's recently ended case this came after
	AsksPerson bool     // the citizen asked for a person (人工)
	ConsoleURL string   // the console's base address, for the agency's referral
	// Consents are the citizen's answers to the notices before filing,
	// recorded with the case (audit log; the sensitive one on the thread).
	Consents []Consent
}

// urgentSure is the confidence in an urgent story's type above which its
// type's body takes it (the duty desk is told in any case).
const urgentSure = 0.6

// Route chooses the body for a case of this type and region. Someone in
// danger whose story the classifier could not place goes to the duty desk
// itself: a guess at the type must not send a knife threat to a body that
// cannot act on it today.
func (w *Cases) Route(typ dispute.Type, region string, urgent bool, confidence float64) (routing.Decision, error) {
	if urgent && confidence < urgentSure {
		if duty, ok := w.Table.DutyDesk(); ok {
			return routing.Decision{Body: duty, Rule: "urgent:duty-desk"}, nil
		}
	}
	return w.Table.Route(typ, region)
}

// File makes a case: numbered, routed, its thread started with the
// citizen's words (and what they sent before), its body's system sent the
// referral, its acceptance clock started, and the duty desk told when
// someone is in danger. It returns the case and its body.
func (w *Cases) File(ctx context.Context, ch *store.Change, f Filing, now time.Time) (dispute.Case, routing.Body, error) {
	dec, err := w.Route(f.Type, f.Region, f.Urgent, f.Confidence)
	if err != nil {
		return dispute.Case{}, routing.Body{}, err
	}
	day := now.In(w.Table.Calendar().Location()).Format("20060102")
	seq, err := w.Store.NextCaseSeq(ctx, day)
	if err != nil {
		return dispute.Case{}, routing.Body{}, err
	}
	// A number taken by a turn that then fails to commit is simply
	// skipped: gaps are harmless, a number given twice would not be.
	k := dispute.Case{
		ID: fmt.Sprintf("JF%s-%04d", day, seq), Status: dispute.Referred, Type: f.Type, Urgent: f.Urgent, Region: f.Region,
		Body: dec.Body.ID, Rule: dec.Rule, Summary: f.Summary, SummaryAI: f.SummaryAI, Story: f.Story,
		OpenID: f.OpenID, Phone: f.Phone, CreatedAt: now, UpdatedAt: now,
	}
	ch.NewCases = append(ch.NewCases, k)
	ev := func(e dispute.Event) {
		e.CaseID, e.At = k.ID, now
		ch.Events = append(ch.Events, e)
	}
	ev(dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: f.Story})
	for _, m := range f.Media {
		s := Media(m)
		ev(dispute.Event{Kind: dispute.MessageIn, Actor: "citizen", Text: s.Text, MediaID: s.MediaID})
	}
	if f.Related != "" {
		ev(dispute.Event{Kind: dispute.Note, Actor: "system", Text: "市民的上一个案件：" + f.Related + "（已结束）"})
	}
	if f.AsksPerson {
		ev(dispute.Event{Kind: dispute.PersonAsked, Actor: "citizen", Text: PersonAskedText})
	}
	recordConsents(ch, k, f.Consents, now)
	ev(dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Received})
	ev(dispute.Event{Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred, Body: dec.Body.ID, Text: "转交" + dec.Body.Name})
	if f.Urgent {
		w.FlagUrgent(ch, k, now)
	}
	deadline.SetDue(ch, k, nil, w.Table) // the accept deadline starts
	hook, err := w.Hooks.Of(ctx, dec.Body.ID)
	if err != nil {
		return dispute.Case{}, routing.Body{}, err
	}
	if hook.URL != "" {
		// The body's own system gets the referral, signed, from the
		// outbox: committed with the case, so neither exists without the
		// other.
		ch.Referrals = append(ch.Referrals, referral.Build(k, ch.Events, hook,
			strings.TrimRight(f.ConsoleURL, "/")+"/console/cases/"+k.ID, now))
	}
	return k, dec.Body, nil
}

// PersonAskedText is how a request for a person reads on the thread.
const PersonAskedText = "市民请求人工联系"

// Media is a voice message or an image ("image:<id>", "voice:<id>") as it
// reads on a thread.
func Media(ref string) Said {
	kind, id, _ := strings.Cut(ref, ":")
	label := "[图片]"
	if kind == "voice" {
		label = "[语音，待收听]"
	}
	return Said{Text: label, MediaID: id}
}

// FlagUrgent marks a case urgent and records on its thread that the duty
// desk has it as well (the console shows urgent cases to the desk's
// staff). It returns the desk's name, or "" when the table has none.
func (w *Cases) FlagUrgent(ch *store.Change, k dispute.Case, now time.Time) string {
	if !k.Urgent {
		ch.MarkUrgent = append(ch.MarkUrgent, k.ID)
	}
	duty, ok := w.Table.DutyDesk()
	text := "紧急案件"
	if ok {
		text += "，已同时通报" + duty.Name
	}
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Note, Actor: "system", Text: text})
	return duty.Name
}

// Said is a citizen's message on a case, as the conversation read it.
type Said struct {
	Text    string
	MediaID string
	Region  string // a region the words name, if any
	Phone   string // a phone number in them, if any
}

// CitizenWrote puts a citizen's message on a case's thread. An urgent case
// was made before any question, so a region or phone number written
// afterwards is filled in (a phone only there: elsewhere it was asked for,
// and a number in a later message may well be the other side's). On a case
// that has ended the message brings it back to the top of its body's
// queue. It returns what it filled in.
func (w *Cases) CitizenWrote(ch *store.Change, k dispute.Case, s Said, now time.Time) (region, phone string) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: s.Text, MediaID: s.MediaID})
	if k.Region == "" {
		region = s.Region
	}
	if k.Phone == "" && k.Urgent {
		phone = s.Phone
	}
	if region != "" || phone != "" || !k.Status.Open() {
		ch.Updates = append(ch.Updates, store.CaseUpdate{CaseID: k.ID, Region: region, Phone: phone, At: now})
	}
	return region, phone
}

// CitizenAsksPerson marks the case for a person of its body (人工): its
// queue shows it until someone writes or moves the case.
func (w *Cases) CitizenAsksPerson(ch *store.Change, k dispute.Case, now time.Time) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.PersonAsked, Actor: "citizen", Text: PersonAskedText})
}

// CitizenWithdraws ends the case at the citizen's word. Conditional on the
// status it had when read: a mediator's move meanwhile wins. The
// respondents who came are told the mediation is off.
func (w *Cases) CitizenWithdraws(ctx context.Context, ch *store.Change, k dispute.Case, now time.Time) error {
	if !dispute.CanMove(k.Status, dispute.Withdrawn) {
		return refuse(Conflict, "案件已结束，不能撤回。")
	}
	if settled, err := w.Settled(ctx, k); err != nil {
		return err
	} else if settled {
		// Both sides signed: withdrawing would leave the agreement (and
		// perhaps a court's application) hanging on a case said to be off.
		return refuse(Conflict, "案件 "+k.ID+" 的调解协议已经生效，不能撤回。如对协议或履行有疑问，请回复“人工”或直接给调解员留言。")
	}
	ch.Statuses = append(ch.Statuses, store.StatusChange{CaseID: k.ID, To: dispute.Withdrawn, At: now, From: k.Status})
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "citizen", Status: dispute.Withdrawn, Text: "市民撤回"})
	deadline.SetDue(ch, k, nil, w.Table) // ended: nothing due
	return w.tellRespondents(ctx, ch, k, dispute.Withdrawn, "", "", now)
}

// CitizenRates records a 1–5 rating of the service on an ended case.
func (w *Cases) CitizenRates(ch *store.Change, k dispute.Case, n int, now time.Time) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.Rating, Actor: "citizen", Text: strconv.Itoa(n)})
}

// CitizenAnswersFollowUp records the answer to the follow-up question on
// a resolved case; "not solved" reopens it (resolved → mediating, a fresh
// mediation period) for its body, with the whole thread. Conditional: a
// mediator who reopened or closed it meanwhile wins.
func (w *Cases) CitizenAnswersFollowUp(ch *store.Change, k dispute.Case, thread []dispute.Event, text string, solved bool, now time.Time) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.FollowUp, Actor: "citizen", Text: text})
	if solved {
		return
	}
	ch.Statuses = append(ch.Statuses, store.StatusChange{CaseID: k.ID, To: dispute.Mediating, At: now, From: dispute.Resolved})
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: "citizen", Status: dispute.Mediating, Text: "市民回访答复问题未解决，重新调解"})
	deadline.SetDue(ch, k, thread, w.Table) // a fresh mediation period
}
