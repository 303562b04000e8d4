package store

import (
	"context"
	"time"
)

// Console is what the mediators' console keeps: its users, their login
// sessions and API tokens, and the counters that slow down password
// guessing. Every backend implements it beside Store.
type Console interface {
	// PutUser creates or replaces a user (by Name).
	PutUser(ctx context.Context, u User) error
	// User returns a user by name, or ErrNotFound.
	User(ctx context.Context, name string) (User, error)
	// Users lists every user, by name.
	Users(ctx context.Context) ([]User, error)

	// PutSession stores a login session under the hash of its cookie value.
	// now is the caller's clock, the one Session will be asked at: a store
	// that lets its server expire the session turns s.Expires into a
	// lifetime from now, never into a moment on the server's own clock.
	PutSession(ctx context.Context, s Session, now time.Time) error
	// Session returns an unexpired session (at now), or ErrNotFound.
	Session(ctx context.Context, idHash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, idHash string) error

	// PutToken stores an API token under the hash of its value.
	PutToken(ctx context.Context, t Token) error
	// Token returns a token by hash, or ErrNotFound.
	Token(ctx context.Context, hash string) (Token, error)

	// Failure counts one failed login for key (a user name, an address)
	// and returns how many there were within window up to now, this one
	// included. ClearFailures forgets them after a successful login.
	Failure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// Failures counts the failures for key within window up to now,
	// without adding one.
	Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	ClearFailures(ctx context.Context, key string) error
}

// Roles of console users.
const (
	RoleAdmin      = "admin"      // every body's cases, users, tokens
	RoleSupervisor = "supervisor" // their body's cases; assigns, transfers
	RoleMediator   = "mediator"   // their body's cases
)

// User is a console user. Body is the routing table's body id ("" for an
// admin, who sees every body).
type User struct {
	Name         string
	Role         string
	Body         string
	PasswordHash string // bcrypt; never the password
	CreatedAt    time.Time
}

// Session is a logged-in browser. IDHash is the SHA-256 of the cookie
// value, so a copy of the store does not hold usable cookies.
type Session struct {
	IDHash  string
	User    string
	CSRF    string // the token forms and state-changing requests must carry
	Expires time.Time
}

// Token is an API token; Hash is the SHA-256 of its value, which is shown
// once and never stored.
type Token struct {
	Hash      string
	User      string
	CreatedAt time.Time
}
