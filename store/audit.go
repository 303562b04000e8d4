package store

import (
	"context"
	"time"
)

// Audit actions: what a console user (or the machine itself) did.
const (
	AuditView        = "view"         // read a case's personal data (the case page, the API)
	AuditChange      = "change"       // changed a case (status, assignment, note …)
	AuditSend        = "send"         // sent a message to a citizen
	AuditExport      = "export"       // downloaded data (the statistics CSV)
	AuditLogin       = "login"        // signed in
	AuditLoginFailed = "login_failed" // a wrong name or password
	AuditLogout      = "logout"       // signed out
	AuditRedact      = "redact"       // removed a case's personal data (retention)
	AuditConsent     = "consent"      // the citizen agreed to (or declined) a notice: which, its version, when
)

// AuditActions lists the actions, for filters and labels.
var AuditActions = []string{AuditView, AuditChange, AuditSend, AuditExport, AuditLogin, AuditLoginFailed, AuditLogout, AuditRedact, AuditConsent}

// AuditSystem is the User of entries the machine itself writes.
const AuditSystem = "system"

// AuditCitizen is the User (and Role) of the citizen's own entries: their
// consents. The openid stays out of the log; the case names them.
const AuditCitizen = "citizen"

// OutRedacted is the LastError of an outbound item that was still to be
// sent when Anonymize took its text away.
const OutRedacted = "redacted"

// AuditEntry is one line of the audit log: who did what, to which case,
// when and from where. Detail is short and never holds personal data
// (complaint text, openids, phone numbers): "status accepted", "reply",
// "stats.csv 2026-11-01..2026-11-30", never a message's text.
type AuditEntry struct {
	ID     int64 // assigned by the store, increasing in the order entries were appended
	At     time.Time
	User   string // the console user's name; AuditSystem for the machine
	Role   string
	Action string
	CaseID string // "" when the action concerns no case
	Detail string
	Addr   string // the client's address; "" for the machine
}

// AuditFilter selects audit entries; empty fields match all.
type AuditFilter struct {
	User   string
	CaseID string
	Action string
	From   time.Time // entries at or after; zero: no bound
	To     time.Time // entries before; zero: no bound
	// Before pages: only entries that come after the entry with this id
	// in the log's order (an unknown id gives none). 0 starts at the newest.
	Before int64
	Limit  int // 0: no limit
}

// Audit is the audit log and personal-data retention, part of Store.
type Audit interface {
	// AppendAudit adds an entry; its ID is assigned. The log is append
	// only: no method changes or removes an entry.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// AuditLog returns the entries matching f, newest first: by At, then
	// by ID for entries of the same instant.
	AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// EndedBefore lists up to limit cases (in no particular order) that
	// ended (resolved, unresolved or withdrawn), whose UpdatedAt is before
	// before, and that are not anonymised yet. UpdatedAt of an ended case
	// is when it ended or later, so retention never starts early.
	EndedBefore(ctx context.Context, before time.Time, limit int) ([]string, error)
	// Anonymize removes a case's personal data and keeps the anonymised
	// record: it clears the case's Story, Summary (made from the story),
	// OpenID, Phone and VideoURL; the text and media id of every event
	// but ratings and type corrections (whose text is a code); the text,
	// media id and openid of the case's outbound items (open ones fail);
	// the payloads of its referrals; and the media kept for it. Type,
	// region, body, status, times, ratings and the thread's shape stay,
	// so statistics still count the case. It stamps Anonymized with e.At
	// and appends e (with CaseID set to the case), all at once.
	//
	// It reports whether this call anonymised the case: false, changing
	// nothing, when it already was, so several instances may race.
	// ErrNotFound for an unknown case, ErrConflict for one still open.
	Anonymize(ctx context.Context, caseID string, e AuditEntry) (bool, error)
}
