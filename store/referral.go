package store

import (
	"context"
	"time"
)

// Referral states.
const (
	RefPending   = "pending"   // to be sent, at NotBefore or later
	RefDelivered = "delivered" // the agency answered 2xx
	RefFailed    = "failed"    // given up (or unsendable); shown in the console, which may retry it
)

// Referral is one webhook delivery of a case to an agency (a body's
// webhook). It is queued by Commit with the rest of a Change, so a case and
// its referral are stored together or not at all, and it stays in the
// store whatever becomes of it: nothing is dropped silently.
type Referral struct {
	ID int64 // assigned by the store, increasing in the order referrals were queued
	// Delivery is the id the agency deduplicates by (X-Jiefen-Delivery):
	// fixed when the referral is built and sent unchanged on every retry.
	// Unique across the store; Commit refuses a Change that repeats one.
	Delivery string
	CaseID   string // the case must exist (or be made by the same Change)
	Body     string // the routing table's body id
	URL      string // the body's webhook URL when the referral was queued
	// Payload is the JSON body, built once so every retry sends the same
	// bytes (and the same signature input).
	Payload   []byte
	State     string // RefPending, RefDelivered or RefFailed
	Attempts  int    // attempts begun (a claim counts one)
	NotBefore time.Time
	// LastError is what went wrong last: a status code or an error class,
	// never a secret, a URL or personal data. Kept after a later success.
	LastError   string
	CreatedAt   time.Time
	DeliveredAt time.Time // zero until delivered
}

// ReferralFilter selects referrals; empty fields match all.
type ReferralFilter struct {
	CaseID string
	Body   string
	State  string
	Limit  int // 0: no limit
}

// Referrals is the webhook outbox, part of Store: a view of the queue's
// webhook lane (queue.go, QueueViews). Referrals are queued by Commit
// (Change.Referrals) and sent by the referral package's worker.
type Referrals interface {
	// ClaimReferrals leases up to max pending referrals due at now
	// (NotBefore reached, no live lease) for lease, counting one attempt
	// each, and returns them oldest first. There is no ordering rule
	// between them: an agency that is down holds up none of the others.
	// A referral whose lease runs out (its sender died) is due again.
	ClaimReferrals(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Referral, error)
	// FinishReferral records what became of an attempt and ends the lease:
	// RefPending retries at notBefore, RefDelivered stamps DeliveredAt with
	// now, RefFailed gives up. An empty lastErr keeps the one recorded
	// before. ErrNotFound for an unknown id.
	FinishReferral(ctx context.Context, id int64, state string, notBefore time.Time, lastErr string, now time.Time) error
	// ListReferrals returns the referrals matching f, newest first (by ID).
	ListReferrals(ctx context.Context, f ReferralFilter) ([]Referral, error)
	// RetryReferral puts a failed referral back to pending, due at now,
	// with its attempts counted from zero again so it gets a full round
	// of retries (the console's retry button). ErrNotFound for an unknown
	// id, ErrConflict when the referral is not failed.
	RetryReferral(ctx context.Context, id int64, now time.Time) error
}
