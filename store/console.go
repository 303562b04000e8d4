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
	// Token returns a token by hash, or ErrNotFound. It returns expired
	// tokens too: whoever checks one decides with its own clock (Live).
	Token(ctx context.Context, hash string) (Token, error)
	// Tokens lists a user's tokens, expired ones included, oldest first
	// (by CreatedAt, then Hash).
	Tokens(ctx context.Context, user string) ([]Token, error)
	// DeleteToken revokes a token: from its return on, Token answers
	// ErrNotFound on every instance. An unknown hash is already revoked.
	DeleteToken(ctx context.Context, hash string) error
	// TouchToken notes that the token was used at at (LastUsed); it never
	// brings back a token that was revoked meanwhile. An unknown hash is
	// no error.
	TouchToken(ctx context.Context, hash string, at time.Time) error

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
	Name         string // the login name
	Display      string // the person's name as colleagues know it (刘和); "" for none
	Role         string
	Body         string
	PasswordHash string // bcrypt; never the password
	// Disabled users cannot sign in, and their sessions and tokens stop
	// working: every request, and every open stream within seconds,
	// reads the user again.
	Disabled bool
	// SessionsAfter voids the sessions signed in before it (zero: none):
	// set when the user is disabled or their password is reset, so that
	// neither enabling them again nor the old password's holder brings
	// an old session back.
	SessionsAfter time.Time
	CreatedAt     time.Time
}

// Shown is how the console names the user to people: the display name,
// or the login name for a user who has none.
func (u User) Shown() string {
	if u.Display != "" {
		return u.Display
	}
	return u.Name
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
	Hash string
	User string
	// Prefix is the value's first characters ("jft_Ab12Cd34"): enough for
	// a person to tell their tokens apart, far too few to guess the rest.
	Prefix    string
	CreatedAt time.Time
	// Expires is when the token stops working; zero: never. Tokens made
	// by the console and the command line always have one; those stored
	// before tokens expired were given CreatedAt + TokenLife.
	Expires time.Time
	// LastUsed is when the API last took the token, to the hour (the API
	// notes a use once an hour at most); zero: never.
	LastUsed time.Time
}

// TokenLife is how long a new token works unless told otherwise.
const TokenLife = 90 * 24 * time.Hour

// Live reports whether the token still works at now.
func (t Token) Live(now time.Time) bool { return t.Expires.IsZero() || now.Before(t.Expires) }

// ID names the token in lists and on the command line: its prefix, or
// for a token stored before prefixes were kept, the start of its hash.
func (t Token) ID() string {
	if t.Prefix != "" {
		return t.Prefix
	}
	return "#" + t.Hash[:min(len(t.Hash), 10)]
}
