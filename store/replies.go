package store

import (
	"context"
	"time"
)

// QuickReplies keeps the quick replies a body's supervisors or an admin
// set in the console, over the routing table's. Part of Store; each is
// written alone, never with a Change.
type QuickReplies interface {
	// PutBodyReplies creates or replaces a body's quick replies.
	PutBodyReplies(ctx context.Context, r BodyReplies) error
	// BodyReplies returns a body's quick replies, or ErrNotFound when
	// nobody set them (the routing table's then apply).
	BodyReplies(ctx context.Context, body string) (BodyReplies, error)
}

// BodyReplies are a body's quick replies as set in the console; an empty
// list removes the table's on purpose.
type BodyReplies struct {
	Body      string
	Replies   []string
	UpdatedBy string
	UpdatedAt time.Time
}
