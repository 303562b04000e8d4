// Package store is jiefen's persistence: one interface, implemented by the
// embedded SQLite store (store/sqlite) and later by Redis, both held to the
// same contract suite (store/storetest).
//
// Everything a WeChat callback changes is written by one Commit, atomically
// and together with the callback's dedup key: either the message and all its
// effects are stored and the key is taken, or nothing is. That is where
// "every acknowledged message is kept, none is processed twice" comes from.
package store

import (
	"context"
	"errors"
	"time"

	"jiefen/dispute"
)

// Errors every backend returns for the same situations.
var (
	ErrNotFound  = errors.New("store: not found")
	ErrDuplicate = errors.New("store: duplicate delivery") // the Change's dedup key was already taken
	ErrConflict  = errors.New("store: dialog changed concurrently")
	// ErrNoTime refuses a Change whose dedup key has no time to expire
	// from (Change.At is zero).
	ErrNoTime = errors.New("store: change with a dedup key but no time")
)

// Store is the whole persistence interface.
type Store interface {
	Console
	Queue
	Referrals
	WebhookSettings
	QuickReplies
	Audit
	Nonces
	Presence
	Subscriptions
	Risk
	Parties

	// Ping reports whether the store can be used (for /readyz).
	Ping(ctx context.Context) error
	// Probe writes a little (and keeps nothing of it): a store that
	// answers reads while every write fails (a full disk, Redis out of
	// memory) is not ready for callbacks it could not keep.
	Probe(ctx context.Context) error
	Close() error

	// Citizen returns what is known of a citizen, or ErrNotFound.
	Citizen(ctx context.Context, openID string) (dispute.Citizen, error)
	// Conversation returns, in one read, what a turn of the conversation
	// starts from: the citizen (the zero Citizen with OpenID set when never
	// seen) and their dialog (the zero Dialog, Version 0, when none).
	Conversation(ctx context.Context, openID string) (dispute.Citizen, Dialog, error)
	// Commit applies a Change atomically. It returns ErrDuplicate (and
	// changes nothing) when c.Dedup is set and already taken and unexpired
	// at c.At, and ErrConflict when c.Dialog is set and its Version is not
	// the stored one.
	Commit(ctx context.Context, c Change) error
	// DedupReply returns the reply stored with a dedup key, so a retried
	// callback gets the same answer; ErrNotFound when the key is unknown
	// or expired at now.
	DedupReply(ctx context.Context, key string, now time.Time) (string, error)

	// NextCaseSeq returns the next case sequence number of a day
	// ("20261127"), starting at 1; numbers are never given twice.
	NextCaseSeq(ctx context.Context, day string) (int64, error)
	Case(ctx context.Context, id string) (dispute.Case, error)
	// Cases lists the cases that match f, newest first.
	Cases(ctx context.Context, f CaseFilter) ([]dispute.Case, error)
	// Events returns a case's thread, oldest first.
	Events(ctx context.Context, caseID string) ([]dispute.Event, error)
	// DueCases lists up to limit (0: all) cases whose due time
	// (Change.Due) is at or before until, earliest first (then by id):
	// what the deadline watcher has to look at, read from an index, so
	// the cost does not grow with the cases that are not due.
	DueCases(ctx context.Context, until time.Time, limit int) ([]DueCase, error)
	// CasesWithoutDue lists up to limit (0: all) open cases (received,
	// referred, accepted, mediating) whose due time or running deadline
	// (DueSet.Deadline) was never set, by id, each with its due time as
	// stored (zero: nothing due, or never set), for a conditional DueSet:
	// cases stored before the index (or its deadline) existed, or by a
	// caller that set none. A due time set to nothing (a zero DueSet.At)
	// is set.
	CasesWithoutDue(ctx context.Context, limit int) ([]DueCase, error)
	// Threads returns the threads of the cases ids names, keyed by case
	// id, each oldest first and holding only the events whose kind is in
	// kinds (every event when none is given); a case without any has no
	// entry. It is one call however many cases are named, for the pages
	// that need something of many threads (statistics, the queue).
	Threads(ctx context.Context, ids []string, kinds ...dispute.EventKind) (map[string][]dispute.Event, error)

	// The outbound queue is a view of the queue's WeChat lane (queue.go).
	// ClaimOutbound leases up to max due, pending outbound items for lease;
	// at most one per citizen, so a citizen's messages go out in order. An
	// item that was tried and is still open (in flight, held, waiting out a
	// retry) holds back all its citizen's other items; otherwise the oldest
	// due item goes: one not yet due holds back nothing. An item whose
	// lease ran out (its sender died) is due again.
	ClaimOutbound(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Outbound, error)
	// FinishOutbound records what became of a claimed item.
	FinishOutbound(ctx context.Context, id int64, r OutboundResult) error
	// Outbounds lists queue items of a citizen ("" for all), oldest first.
	Outbounds(ctx context.Context, openID string) ([]Outbound, error)
	// ReserveSend counts one customer-service send against the citizen's
	// window if the window still has room at now, atomically.
	ReserveSend(ctx context.Context, openID string, now time.Time) (bool, error)
	// CloseWindow records that the platform refused a send (45015): the
	// window is over whatever we counted.
	CloseWindow(ctx context.Context, openID string, now time.Time) error

	// PutMedia keeps a file the citizen sent (evidence on a case).
	PutMedia(ctx context.Context, m Media) error
	Media(ctx context.Context, mediaID string) (Media, error)

	// Purge removes dedup keys that expired before now, and dialogs last
	// changed StaleDialog or longer before now (a zero UpdatedAt never
	// goes): an intake abandoned that long ago still holds a story and
	// maybe a phone number that nobody will use.
	Purge(ctx context.Context, now time.Time) error

	// Subscribe delivers a Notice for each case that any instance's Commit
	// makes or changes from now on, until ctx ends; the channel is then
	// closed. Notices are hints to look again, not a log: a reader that
	// falls behind misses some rather than slowing commits down.
	Subscribe(ctx context.Context) (<-chan Notice, error)
}

// StaleDialog is how long an untouched dialog is kept. The bot starts
// afresh after a few days anyway; this bounds how long the personal data
// in an abandoned draft stay in the store.
const StaleDialog = 30 * 24 * time.Hour

// Dialog is the state of a citizen's intake conversation, kept in the store
// so a citizen who goes silent mid-way can pick up later, on any instance.
type Dialog struct {
	OpenID    string
	Version   int64 // bumped by every Commit that saves the dialog
	Step      string
	Draft     Draft
	UpdatedAt time.Time
}

// Draft is the case being put together.
type Draft struct {
	Story      string       `json:"story,omitempty"`
	Type       dispute.Type `json:"type,omitempty"`
	Confidence float64      `json:"confidence,omitempty"`
	Urgent     bool         `json:"urgent,omitempty"`
	Region     string       `json:"region,omitempty"`
	Phone      string       `json:"phone,omitempty"`
	PhoneAsked bool         `json:"phone_asked,omitempty"`
	Media      []string     `json:"media,omitempty"`   // "image:<id>" / "voice:<id>" sent before the case exists
	Target     string       `json:"target,omitempty"`  // the case a pending question is about (e.g. withdrawal)
	Resume     string       `json:"resume,omitempty"`  // the step to go back to after that question
	Summary    string       `json:"summary,omitempty"` // the one-line summary, when an LLM gave one
	// Vague counts the messages that told too little to classify; after a
	// few the story goes on as "other" rather than asking for ever.
	Vague int `json:"vague,omitempty"`
	// Human: the citizen asked for a person (人工); the case is made as
	// soon as the notice is accepted, without the other questions.
	Human bool `json:"human,omitempty"`
	// Related is the citizen's recently ended case this new problem came
	// after: the new case names it, so mediators see the history.
	Related string `json:"related,omitempty"`
	// SummaryAI: an AI model wrote Summary.
	SummaryAI bool `json:"summary_ai,omitempty"`
	// The separate consent for sensitive information (个人信息保护法
	// art. 29): the kinds (personal.Kind codes) the citizen agreed to pass
	// on, and those they declined (taken out of Story); when they last
	// answered, under which notice version. A kind in neither was not
	// asked about yet.
	SensitiveAgreed  []string  `json:"sensitive_agreed,omitempty"`
	SensitiveRefused []string  `json:"sensitive_refused,omitempty"`
	SensitiveAt      time.Time `json:"sensitive_at,omitzero"`
	SensitiveVersion string    `json:"sensitive_version,omitempty"`
	// Party is the party (dispute.Party.ID) this person became by
	// scanning an invitation's code: while the dialog is idle, their
	// words go to that case as the respondent's (bot/party.go).
	Party string `json:"party,omitempty"`
	// Held is a message for the case Target that tells sensitive
	// information the citizen has not agreed to pass on: it waits here,
	// not on the thread, until they answer.
	Held string `json:"held,omitempty"`
}

// Change is everything one step of the conversation (or one console action)
// changes, applied by Commit at once, as the ordered list of typed
// operations its Ops method gives (ops.go).
type Change struct {
	// At is the moment of the change on the caller's clock. The store
	// reads no clock of its own: a dedup key's expiry counts from At, so
	// Commit refuses a Change with a Dedup key and a zero At (ErrNoTime).
	// Without a key At is not used; every other part carries its own time.
	At       time.Time
	Dedup    string        // callback dedup key; "" for none
	DedupTTL time.Duration // how long the key holds, from At; 0 or less: for ever
	Reply    string        // the passive reply, kept with the key for retries

	Citizen *dispute.Citizen // upserted when set
	Dialog  *Dialog          // saved when set, if its Version is still the stored one
	// Unchanged makes the Change conditional on cases' threads as the
	// caller read them (ThreadMark).
	Unchanged []ThreadMark
	// Subscriptions records the citizen's answers to subscription
	// notices (store.Subscriptions).
	Subscriptions []SubscriptionAnswer
	NewCases      []dispute.Case
	Parties       []dispute.Party // new parties of cases (store.Parties)
	PartyMoves    []PartyMove     // party status changes and bindings
	PartyQR       []PartyQR       // QR tickets the platform gave for parties' scenes
	Statuses      []StatusChange
	MarkUrgent    []string        // case ids now urgent (someone is in danger)
	Assign        []Assignment    // who in the body has a case
	Transfers     []Transfer      // a case goes to another body
	Video         []VideoSchedule // video mediation scheduled
	Retype        []Retype        // a mediator corrects a case's type
	Updates       []CaseUpdate    // what the citizen told after filing; a case active again
	// Audit is the entries that account for this Change (who did what),
	// stored in the same transaction: no change without its entry, and no
	// entry for a change that did not happen.
	Audit       []AuditEntry
	Events      []dispute.Event // appended; ID is assigned by the store
	Outbound    []Outbound      // enqueued
	ReleaseHeld string          // an openid: its held outbound items become pending again
	// Referrals are queued for their agencies' webhooks, pending whatever
	// state is filled in, in the same transaction as the rest: a case and
	// its referral are stored together or not at all. Each needs a
	// Delivery no referral has had and a case that exists (or that this
	// Change makes); otherwise the whole Change is refused.
	Referrals []Referral
	// Due sets the cases' due times, the index DueCases reads. Whoever
	// commits a change that moves a case's clock (a new case, a status
	// change, a transfer, an extension, a reminder or escalation firing)
	// sets it: deadline.SetDue computes it.
	Due []DueSet
}

// DueSet sets the next moment the deadline watcher acts on a case (a
// reminder or an escalation falls due), or, with a zero At, records that
// nothing is due. It is bookkeeping: the case's UpdatedAt stays, and no
// Notice is sent.
type DueSet struct {
	CaseID string
	At     time.Time // zero: nothing is due
	// IfWas makes it conditional: it applies only if the case's due time
	// is still Was (zero: nothing due, or never set), as the ops before
	// it left it; otherwise Commit returns ErrConflict and changes
	// nothing. The watcher writes so, so that a due time it computed
	// from a thread read a moment before cannot overwrite one that a
	// concurrent change of the case (a transfer, an extension) set.
	IfWas bool
	Was   time.Time
	// Deadline and DueAt are the deadline running on the case (its kind
	// and when it falls due; "" and zero: none runs), written with At
	// onto the case (dispute.Case.Deadline, DueAt): the lists that show
	// or select deadlines read them there, not from threads.
	Deadline string
	DueAt    time.Time
}

// DueCase is a case's entry in the due-time index.
type DueCase struct {
	CaseID string
	At     time.Time
}

// Tell has the bot tell a case's citizen text: the message goes on the
// case's thread and into the outbound queue in the same Change, so what the
// citizen is sent and what the thread says they were told are stored
// together. It is appended after the Change's events so far.
func (c *Change) Tell(k dispute.Case, text string, at time.Time) {
	c.Events = append(c.Events, dispute.Event{CaseID: k.ID, At: at, Kind: dispute.MessageOut, Actor: "bot", Text: text})
	c.Outbound = append(c.Outbound, Outbound{OpenID: k.OpenID, CaseID: k.ID, Kind: OutText, Text: text, NotBefore: at, CreatedAt: at})
}

// ThreadMark makes a Change conditional on a case's thread: it applies
// only if the newest event of the case is still LastID (0: none), as the
// caller read it; otherwise Commit returns ErrConflict and changes
// nothing. A word that completes what several people do one each (every
// party's 确认协议 signs the agreement; every party's 申请司法确认 goes
// to the court) carries one: of two parties answering at the same moment,
// the second runs again on a thread holding the first's answer, so the
// last word always completes it.
type ThreadMark struct {
	CaseID string
	LastID int64
}

// MarkOf is the ThreadMark of a thread as read (events in stored order).
func MarkOf(caseID string, events []dispute.Event) ThreadMark {
	m := ThreadMark{CaseID: caseID}
	if len(events) > 0 {
		m.LastID = events[len(events)-1].ID
	}
	return m
}

// Assignment gives a case to a console user ("" takes it back from anyone).
type Assignment struct {
	CaseID string
	User   string
	At     time.Time
	// IfFree makes it a claim: it applies only if the case has no assignee
	// (or already has User); otherwise Commit returns ErrConflict and
	// changes nothing. Two mediators taking a case at once: one wins.
	IfFree bool
}

// Transfer gives a case to another body (after a decline, or by hand);
// the case leaves its assignee, who belongs to the old body.
type Transfer struct {
	CaseID string
	From   string // the body it leaves: told by a Notice, so its queues drop the case
	Body   string
	Rule   string // what routed it there: a routing rule, or "transfer:<user>"
	At     time.Time
}

// Retype corrects a case's dispute type (the case stays with its body:
// moving it is a Transfer).
type Retype struct {
	CaseID string
	Type   dispute.Type
	At     time.Time
}

// CaseUpdate fills in what a citizen told after their case was made (an
// urgent case is made before any question is asked, so its region and phone
// come later) and marks the case as changed at At, which also brings an
// ended case a citizen wrote on back to the top of its body's queue. Empty
// fields keep what is stored.
type CaseUpdate struct {
	CaseID string
	Region string
	Phone  string
	At     time.Time
}

// VideoSchedule sets (or, with a zero Start, cancels) a case's video mediation.
type VideoSchedule struct {
	CaseID string
	Start  time.Time
	URL    string
	At     time.Time
}

// StatusChange moves a case to a new status (the caller checks dispute.CanMove).
type StatusChange struct {
	CaseID string
	To     dispute.Status
	At     time.Time
	// From, when set, is the status the caller saw: if the case has moved
	// on since, Commit returns ErrConflict and changes nothing, so an
	// accept and a decline at the same moment cannot both happen.
	From dispute.Status
}

// CaseFilter selects cases; empty fields match all.
type CaseFilter struct {
	OpenID string
	Status dispute.Status
	Type   dispute.Type
	Region string
	Body   string
	// UpdatedSince keeps the cases changed at or after it (zero: all): a
	// scan for recent changes need not decode every case ever stored.
	UpdatedSince time.Time
	// CreatedFrom and CreatedBefore keep the cases made at or after the
	// one and before the other (zero: no bound): a period's statistics
	// read that period's cases only.
	CreatedFrom, CreatedBefore time.Time
	// DueBy keeps the cases whose running deadline (Case.DueAt) falls due
	// at or before it (zero: all), read from an index: the overdue list.
	DueBy time.Time
	// Query searches (search.go): case numbers, phone numbers, and the
	// words of stories and threads; "" : no search.
	Query string
	// QueryPhones is the body whose cases a Query finds by phone number
	// ("": no case's): the caller's own, so that searching a number
	// tells nobody else that a case with that phone exists.
	QueryPhones string
	Limit       int // 0: no limit
}

// Outbound kinds.
const (
	OutText       = "text"        // a customer-service text message to the citizen
	OutFetchMedia = "fetch_media" // download a citizen's image through the platform API
	// OutVideoReminder is a text sent only if the case's video mediation
	// still starts at the time in MediaID (RFC 3339): rescheduling makes
	// an older reminder obsolete.
	OutVideoReminder = "video_reminder"
)

// Outbound states.
const (
	OutPending = "pending"
	OutHeld    = "held" // outside the window, no template: waits for the citizen's next message
	OutSent    = "sent"
	OutFailed  = "failed" // given up after retries; stays visible
)

// Outbound is one queued call to the platform API on a citizen's behalf.
type Outbound struct {
	ID        int64
	OpenID    string
	CaseID    string // "" when not about a case
	Kind      string
	Text      string
	MediaID   string
	State     string
	Attempts  int
	NotBefore time.Time
	LastError string // never holds secrets or message text
	Via       string // how it was delivered: "custom" or "template"
	CreatedAt time.Time
}

// OutboundResult is the outcome of one attempt.
type OutboundResult struct {
	State     string    // OutSent, OutPending (retry at NotBefore), OutHeld or OutFailed
	NotBefore time.Time // for a retry
	Err       string
	Via       string
}

// Media is a file a citizen sent.
type Media struct {
	MediaID     string
	OpenID      string
	CaseID      string
	ContentType string
	Data        []byte
	At          time.Time
}
