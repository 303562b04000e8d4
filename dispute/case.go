package dispute

import "time"

// Case is one citizen's dispute as a body handles it. ID is the case number
// (JF + YYYYMMDD + "-" + at least 4 digits).
type Case struct {
	ID       string    `json:"id"`
	Status   Status    `json:"status"`
	Type     Type      `json:"type"`
	Urgent   bool      `json:"urgent"`
	Region   string    `json:"region"`
	Body     string    `json:"body"`
	Rule     string    `json:"rule"`               // the routing rule that chose Body, for accountability
	Assignee string    `json:"assignee,omitempty"` // the console user who has taken the case
	VideoAt  time.Time `json:"video_at,omitempty"` // the scheduled video mediation, zero when none
	VideoURL string    `json:"video_url,omitempty"`
	Summary  string    `json:"summary"`
	// SummaryAI: an AI model wrote Summary, so wherever it is shown it is
	// labelled as such (《人工智能生成合成内容标识办法》).
	SummaryAI bool      `json:"summary_ai,omitempty"`
	Story     string    `json:"story"`  // the citizen's own words: personal data
	OpenID    string    `json:"openid"` // personal data
	Phone     string    `json:"phone"`  // personal data; "" when the citizen skipped it
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Anonymized is when the retention period took the personal data
	// (Story, Summary, OpenID, Phone) away; zero while they are kept.
	Anonymized time.Time `json:"anonymized_at,omitzero"`
	// Deadline is the kind of time limit running on the case ("accept" or
	// "mediate", the deadline package's kinds) and DueAt when it falls
	// due; "" and zero when none runs. The Commit that moves the case's
	// clock stores them (store.DueSet), so lists show and select
	// deadlines without reading threads.
	Deadline string    `json:"deadline,omitempty"`
	DueAt    time.Time `json:"due_at,omitzero"`
}

// EventKind says what an Event records.
type EventKind string

// Event kinds of a case thread.
const (
	MessageIn  EventKind = "message_in"  // the citizen wrote (text, voice or image)
	MessageOut EventKind = "message_out" // the bot or a mediator wrote to the citizen
	StatusSet  EventKind = "status"      // the case moved to Status
	Note       EventKind = "note"        // internal, never sent to the citizen
	Declined   EventKind = "declined"    // Body declined the referral (Text: why); the case is routed again
	Video      EventKind = "video"       // video mediation scheduled (Text: time and link)
	Rating     EventKind = "rating"      // the citizen rated the service (Text: 1 to 5)
	Retyped    EventKind = "retyped"     // a mediator corrected the type (Text: "<old> <new>" codes): a labelled example for training
	Extended   EventKind = "extended"    // the mediation deadline was extended (Text: "<days> <reason>")
	Reminder   EventKind = "reminder"    // a deadline is near (Actor "system"; Text for the mediator)
	Escalated  EventKind = "escalated"   // a deadline passed: 督办 by the body's supervisor and the admin (Actor "system")
	FollowUp   EventKind = "follow_up"   // after resolved: the bot asks whether the problem is solved, the citizen answers (Text)
	// PersonAsked: the citizen asked for a person (人工). The body's queue
	// marks the case until someone of the body writes or acts on it.
	PersonAsked EventKind = "person_asked"
)

// Event is one entry of a case's thread, in the order it happened.
type Event struct {
	ID      int64     `json:"id"`
	CaseID  string    `json:"case_id"`
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	Actor   string    `json:"actor"` // "citizen", "bot", "system" or "user:<name>"
	Text    string    `json:"text,omitempty"`
	MediaID string    `json:"media_id,omitempty"`
	Status  Status    `json:"status,omitempty"`
	Body    string    `json:"body,omitempty"` // the body a referral, decline or transfer concerns
}

// Citizen is what jiefen remembers of a person writing to the official account:
// their consent and the customer-service window the platform grants.
type Citizen struct {
	OpenID    string
	ConsentAt time.Time // zero until the personal-information notice is accepted
	// ConsentVersion is the version of the notice accepted at ConsentAt
	// (catalog.NoticeVersion then); "" for consents older than versions.
	ConsentVersion string
	// The platform allows Quota customer-service messages until WindowUntil
	// after a citizen's action: 5 within 48 hours after a message, 3 within a
	// minute after a follow or menu click. Sent counts those used.
	LastInboundAt time.Time
	WindowUntil   time.Time
	Quota         int
	Sent          int
}

// Window limits of the customer-service API: 5 messages within 48 hours of
// a citizen's message, 3 within a minute of a follow, scan or menu click.
const (
	MessageWindow = 48 * time.Hour
	MessageQuota  = 5
	EventWindow   = time.Minute
	EventQuota    = 3
)

// Remaining is how many customer-service messages the platform still accepts
// for this citizen at now.
func (c Citizen) Remaining(now time.Time) int {
	if !now.Before(c.WindowUntil) || c.Sent >= c.Quota {
		return 0
	}
	return c.Quota - c.Sent
}

// OpenWindow records a citizen action that grants a new window. A follow's
// short window never shrinks a message window that still has more room.
func (c *Citizen) OpenWindow(now time.Time, d time.Duration, quota int) {
	c.LastInboundAt = now
	if c.Remaining(now) > quota && now.Add(d).Before(c.WindowUntil) {
		return
	}
	c.WindowUntil = now.Add(d)
	c.Quota = quota
	c.Sent = 0
}
