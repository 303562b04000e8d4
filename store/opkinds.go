package store

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"jiefen/dispute"
)

// The kinds of op, in the order of Change.Ops. Each JSON form is what
// the Redis script (store/redis/lua/commit.lua) reads, field for field.

// DedupOp takes a callback's dedup key, keeping Reply with it for retries.
// The key holds for TTL from At (0 or less: for ever), and a key whose
// time ran out at At is free again.
type DedupOp struct {
	Key   string
	TTL   time.Duration
	Reply string
	At    time.Time
}

func (DedupOp) OpKind() OpKind         { return OpDedup }
func (DedupOp) Notice() (Notice, bool) { return Notice{}, false }
func (o DedupOp) Validate() error {
	if o.At.IsZero() {
		return fmt.Errorf("store: dedup key %s: %w", o.Key, ErrNoTime)
	}
	return nil
}

// TTLMillis is the key's lifetime in milliseconds, 0 for none: at least
// 1 for any positive TTL, which is not "no expiry".
func (o DedupOp) TTLMillis() int64 {
	if o.TTL <= 0 {
		return 0
	}
	return max(o.TTL.Milliseconds(), 1)
}

// Expires is when the key's time runs out (Unix ms), 0 for never.
func (o DedupOp) Expires() int64 {
	if ttl := o.TTLMillis(); ttl > 0 {
		return UnixMS(o.At) + ttl
	}
	return 0
}

func (o DedupOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op    OpKind `json:"op"`
		Key   string `json:"key"`
		Reply string `json:"reply"`
		At    int64  `json:"at,string"`
		TTL   int64  `json:"ttl,string"` // ms, 0: for ever
		Exp   int64  `json:"exp,string"` // At + TTL (ms), 0: never
	}{OpDedup, o.Key, o.Reply, UnixMS(o.At), o.TTLMillis(), o.Expires()})
}

// CitizenOp upserts a citizen.
type CitizenOp dispute.Citizen

func (CitizenOp) OpKind() OpKind         { return OpCitizen }
func (CitizenOp) Notice() (Notice, bool) { return Notice{}, false }
func (o CitizenOp) Validate() error {
	if o.OpenID == "" {
		return fmt.Errorf("store: citizen without an openid")
	}
	return nil
}

func (o CitizenOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op      OpKind `json:"op"`
		OpenID  string `json:"openid"`
		Consent int64  `json:"consent,string"`
		Version string `json:"consent_version"`
		Inbound int64  `json:"inbound,string"`
		Until   int64  `json:"window,string"`
		Quota   int    `json:"quota,string"`
		Sent    int    `json:"sent,string"`
	}{OpCitizen, o.OpenID, UnixMS(o.ConsentAt), o.ConsentVersion, UnixMS(o.LastInboundAt), UnixMS(o.WindowUntil), o.Quota, o.Sent})
}

// DialogOp saves a dialog if its Version is still the stored one (0: none
// is stored), bumping the version; ErrConflict otherwise.
type DialogOp Dialog

func (DialogOp) OpKind() OpKind         { return OpDialog }
func (DialogOp) Notice() (Notice, bool) { return Notice{}, false }
func (o DialogOp) Validate() error {
	if o.OpenID == "" {
		return fmt.Errorf("store: dialog without an openid")
	}
	return nil
}

// Life is how long the dialog is kept after this save (StaleDialog,
// Purge's rule), 0 for a dialog without a time, which is kept.
func (o DialogOp) Life() time.Duration {
	if o.UpdatedAt.IsZero() {
		return 0
	}
	return StaleDialog
}

func (o DialogOp) MarshalJSON() ([]byte, error) {
	draft, err := json.Marshal(o.Draft)
	if err != nil {
		return nil, fmt.Errorf("store: dialog draft: %w", err)
	}
	return json.Marshal(struct {
		Op      OpKind `json:"op"`
		OpenID  string `json:"openid"`
		Version int64  `json:"v,string"`
		Step    string `json:"step"`
		Draft   string `json:"draft"` // the Draft's JSON, stored as it is
		At      int64  `json:"at,string"`
		Life    int64  `json:"life,string"` // ms, 0: kept
	}{OpDialog, o.OpenID, o.Version, o.Step, string(draft), UnixMS(o.UpdatedAt), o.Life().Milliseconds()})
}

// ThreadOp checks that a case's newest event is still the one its caller
// read (ThreadMark); ErrConflict otherwise. It writes nothing.
type ThreadOp ThreadMark

func (ThreadOp) OpKind() OpKind         { return OpThread }
func (ThreadOp) Notice() (Notice, bool) { return Notice{}, false }
func (o ThreadOp) Validate() error {
	if o.CaseID == "" {
		return fmt.Errorf("store: thread check without a case")
	}
	return nil
}

func (o ThreadOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind `json:"op"`
		CaseID string `json:"case"`
		LastID int64  `json:"last,string"`
	}{OpThread, o.CaseID, o.LastID})
}

// NewCaseOp stores a new case; it is refused if the id exists.
type NewCaseOp dispute.Case

func (NewCaseOp) OpKind() OpKind           { return OpNewCase }
func (o NewCaseOp) Validate() error        { return needCase(OpNewCase, o.ID) }
func (o NewCaseOp) Notice() (Notice, bool) { return Notice{CaseID: o.ID, New: true}, true }

func (o NewCaseOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op       OpKind         `json:"op"`
		ID       string         `json:"id"`
		Status   dispute.Status `json:"status"`
		Type     dispute.Type   `json:"type"`
		Urgent   bool           `json:"urgent"`
		Region   string         `json:"region"`
		Body     string         `json:"body"`
		Rule     string         `json:"rule"`
		Summary  string         `json:"summary"`
		AI       bool           `json:"summary_ai"`
		Story    string         `json:"story"`
		OpenID   string         `json:"openid"`
		Phone    string         `json:"phone"`
		Created  int64          `json:"created,string"`
		Updated  int64          `json:"updated,string"`
		Assignee string         `json:"assignee"`
		VideoAt  int64          `json:"video_at,string"`
		VideoURL string         `json:"video_url"`
		Grams    []string       `json:"grams"` // the search index's bigrams of story and summary
	}{OpNewCase, o.ID, o.Status, o.Type, o.Urgent, o.Region, o.Body, o.Rule, o.Summary, o.SummaryAI, o.Story, o.OpenID, o.Phone,
		UnixMS(o.CreatedAt), UnixMS(o.UpdatedAt), o.Assignee, UnixMS(o.VideoAt), o.VideoURL, SearchGrams(o.Story, o.Summary)})
}

// StatusOp moves a case to a new status (StatusChange): with From set,
// only if the case has that status as the ops before it left it;
// ErrConflict otherwise.
type StatusOp StatusChange

func (StatusOp) OpKind() OpKind           { return OpStatus }
func (o StatusOp) Validate() error        { return needCase(OpStatus, o.CaseID) }
func (o StatusOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o StatusOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind         `json:"op"`
		Case string         `json:"case"`
		To   dispute.Status `json:"to"`
		At   int64          `json:"at,string"`
		From dispute.Status `json:"from"` // "": any
	}{OpStatus, o.CaseID, o.To, UnixMS(o.At), o.From})
}

// UrgentOp marks a case urgent (someone is in danger).
type UrgentOp struct{ CaseID string }

func (UrgentOp) OpKind() OpKind           { return OpUrgent }
func (o UrgentOp) Validate() error        { return needCase(OpUrgent, o.CaseID) }
func (o UrgentOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o UrgentOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind `json:"op"`
		Case string `json:"case"`
	}{OpUrgent, o.CaseID})
}

// ClaimOp writes nothing: it refuses the Change (ErrConflict) when the
// case has an assignee other than User, as the ops before it left the
// case. It comes from an Assignment with IfFree, whose AssignOp follows.
type ClaimOp struct{ CaseID, User string }

func (ClaimOp) OpKind() OpKind         { return OpClaim }
func (o ClaimOp) Validate() error      { return needCase(OpClaim, o.CaseID) }
func (ClaimOp) Notice() (Notice, bool) { return Notice{}, false } // its AssignOp announces it

func (o ClaimOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind `json:"op"`
		Case string `json:"case"`
		User string `json:"user"`
	}{OpClaim, o.CaseID, o.User})
}

// TransferOp gives a case to another body; it leaves its assignee.
type TransferOp Transfer

func (TransferOp) OpKind() OpKind    { return OpTransfer }
func (o TransferOp) Validate() error { return needCase(OpTransfer, o.CaseID) }
func (o TransferOp) Notice() (Notice, bool) {
	return Notice{CaseID: o.CaseID, Left: o.From}, true
}

func (o TransferOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind `json:"op"`
		Case string `json:"case"`
		Body string `json:"body"`
		Rule string `json:"rule"`
		At   int64  `json:"at,string"`
	}{OpTransfer, o.CaseID, o.Body, o.Rule, UnixMS(o.At)})
}

// AssignOp gives a case to a console user ("": nobody).
type AssignOp struct {
	CaseID, User string
	At           time.Time
}

func (AssignOp) OpKind() OpKind           { return OpAssign }
func (o AssignOp) Validate() error        { return needCase(OpAssign, o.CaseID) }
func (o AssignOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o AssignOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind `json:"op"`
		Case string `json:"case"`
		User string `json:"user"`
		At   int64  `json:"at,string"`
	}{OpAssign, o.CaseID, o.User, UnixMS(o.At)})
}

// VideoOp sets a case's video mediation; a zero Start cancels it, and then
// URL is empty (Change.Ops sees to it).
type VideoOp VideoSchedule

func (VideoOp) OpKind() OpKind           { return OpVideo }
func (o VideoOp) Validate() error        { return needCase(OpVideo, o.CaseID) }
func (o VideoOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o VideoOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op    OpKind `json:"op"`
		Case  string `json:"case"`
		Start int64  `json:"start,string"`
		URL   string `json:"url"`
		At    int64  `json:"at,string"`
	}{OpVideo, o.CaseID, UnixMS(o.Start), o.URL, UnixMS(o.At)})
}

// RetypeOp corrects a case's type.
type RetypeOp Retype

func (RetypeOp) OpKind() OpKind           { return OpRetype }
func (o RetypeOp) Validate() error        { return needCase(OpRetype, o.CaseID) }
func (o RetypeOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o RetypeOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op   OpKind       `json:"op"`
		Case string       `json:"case"`
		Type dispute.Type `json:"type"`
		At   int64        `json:"at,string"`
	}{OpRetype, o.CaseID, o.Type, UnixMS(o.At)})
}

// UpdateOp fills in a case's region and phone where given; its time of
// last change becomes At unless it is later already.
type UpdateOp CaseUpdate

func (UpdateOp) OpKind() OpKind           { return OpUpdate }
func (o UpdateOp) Validate() error        { return needCase(OpUpdate, o.CaseID) }
func (o UpdateOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o UpdateOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind `json:"op"`
		Case   string `json:"case"`
		Region string `json:"region"` // "": kept
		Phone  string `json:"phone"`  // "": kept
		At     int64  `json:"at,string"`
	}{OpUpdate, o.CaseID, o.Region, o.Phone, UnixMS(o.At)})
}

// EventOp appends an event to its case's thread; the store assigns its id.
type EventOp dispute.Event

func (EventOp) OpKind() OpKind           { return OpEvent }
func (o EventOp) Validate() error        { return needCase(OpEvent, o.CaseID) }
func (o EventOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }

func (o EventOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind            `json:"op"`
		Case   string            `json:"case"`
		At     int64             `json:"at,string"`
		Kind   dispute.EventKind `json:"kind"`
		Actor  string            `json:"actor"`
		Text   string            `json:"text"`
		Media  string            `json:"media"`
		Status dispute.Status    `json:"status"`
		Body   string            `json:"body"`
		Party  string            `json:"party"`
		Grams  []string          `json:"grams"` // the search index's bigrams of its text, if searchable
	}{OpEvent, o.CaseID, UnixMS(o.At), o.Kind, o.Actor, o.Text, o.MediaID, o.Status, o.Body, o.Party, o.grams()})
}

func (o EventOp) grams() []string {
	if !Searchable(dispute.Event(o)) {
		return []string{}
	}
	return SearchGrams(o.Text)
}

// ReleaseOp makes a citizen's held items pending again: those of their
// ordering key.
type ReleaseOp struct{ OpenID string }

func (ReleaseOp) OpKind() OpKind         { return OpRelease }
func (ReleaseOp) Validate() error        { return nil }
func (ReleaseOp) Notice() (Notice, bool) { return Notice{}, false }

func (o ReleaseOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind `json:"op"`
		OpenID string `json:"openid"`
		Key    string `json:"key"`  // the citizen's ordering key (MessageKey)
		Lane   string `json:"lane"` // the lane of that key
	}{OpRelease, o.OpenID, MessageKey(o.OpenID), LaneWeChat})
}

// EnqueueOp queues an item (an outbound entry, a referral: queue.go),
// pending and untried whatever state the caller filled in, in the lane
// of its kind. An item that NeedsCase must name a case that exists, as
// the ops before it left the store; an item with a Delivery must have
// one new to the store and to the Change.
type EnqueueOp Item

func (EnqueueOp) OpKind() OpKind         { return OpEnqueue }
func (EnqueueOp) Notice() (Notice, bool) { return Notice{}, false }
func (o EnqueueOp) Validate() error {
	if Item(o).NeedsCase() {
		if o.Delivery == "" {
			return fmt.Errorf("store: %s of case %s: no delivery id", o.Kind, o.CaseID)
		}
		if err := needCase(OpEnqueue, o.CaseID); err != nil {
			return err
		}
	}
	// The payload travels as a JSON string, which holds UTF-8 only: any
	// other byte would arrive replaced, and the agency would get (and
	// verify the signature of) other bytes than were signed.
	if !utf8.Valid(o.Payload) {
		return fmt.Errorf("store: %s of case %s: payload is not UTF-8", o.Kind, o.CaseID)
	}
	return nil
}

func (o EnqueueOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op        OpKind `json:"op"`
		Kind      string `json:"kind"`
		Lane      string `json:"lane"`
		Key       string `json:"key"`
		Case      string `json:"case"`
		NeedsCase bool   `json:"needcase"`
		OpenID    string `json:"openid"`
		Text      string `json:"text"`
		Media     string `json:"media"`
		Delivery  string `json:"delivery"`
		Body      string `json:"body"`
		URL       string `json:"url"`
		Payload   string `json:"payload"`
		NotBefore int64  `json:"nb,string"`
		Created   int64  `json:"at,string"`
	}{OpEnqueue, o.Kind, LaneOf(o.Kind), o.Key, o.CaseID, Item(o).NeedsCase(), o.OpenID, o.Text, o.MediaID,
		o.Delivery, o.Body, o.URL, string(o.Payload), UnixMS(o.NotBefore), UnixMS(o.CreatedAt)})
}

// AuditOp appends an audit entry; the store assigns its id.
type AuditOp AuditEntry

func (AuditOp) OpKind() OpKind         { return OpAudit }
func (AuditOp) Validate() error        { return nil }
func (AuditOp) Notice() (Notice, bool) { return Notice{}, false }

func (o AuditOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind `json:"op"`
		At     int64  `json:"at,string"`
		User   string `json:"user"`
		Role   string `json:"role"`
		Action string `json:"action"`
		Case   string `json:"case"`
		Detail string `json:"detail"`
		Addr   string `json:"addr"`
	}{OpAudit, UnixMS(o.At), o.User, o.Role, o.Action, o.CaseID, o.Detail, o.Addr})
}

// DueOp sets a case's due time (DueSet).
type DueOp DueSet

func (DueOp) OpKind() OpKind         { return OpDue }
func (o DueOp) Validate() error      { return needCase(OpDue, o.CaseID) }
func (DueOp) Notice() (Notice, bool) { return Notice{}, false }

func (o DueOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op    OpKind `json:"op"`
		Case  string `json:"case"`
		At    int64  `json:"at,string"` // 0: nothing due
		IfWas bool   `json:"ifwas"`
		Was   int64  `json:"was,string"`
		Kind  string `json:"deadline"` // "": no deadline runs
		DueAt int64  `json:"due_at,string"`
	}{OpDue, o.CaseID, UnixMS(o.At), o.IfWas, UnixMS(o.Was), o.Deadline, UnixMS(o.DueAt)})
}
