package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// The console's records (see keys for the layout) are outside the
// transaction slot: none is ever written together with a Change, and each
// method touches one key, so each is one command, pipeline or script on
// whichever shard holds it. Error messages name no session id hash, token
// hash nor password hash.

// userRecord is a user as stored in the users hash, under its name.
type userRecord struct {
	Display       string `json:"display,omitempty"`
	Role          string `json:"role"`
	Body          string `json:"body,omitempty"`
	PasswordHash  string `json:"pw"`
	Disabled      bool   `json:"off,omitempty"`
	SessionsAfter int64  `json:"sa,omitempty"`
	CreatedAt     int64  `json:"at"`
}

// PutUser creates or replaces a user: one HSET of the whole record.
func (s *Store) PutUser(ctx context.Context, u store.User) error {
	b, err := json.Marshal(userRecord{Display: u.Display, Role: u.Role, Body: u.Body, PasswordHash: u.PasswordHash,
		Disabled: u.Disabled, SessionsAfter: store.UnixMS(u.SessionsAfter), CreatedAt: store.UnixMS(u.CreatedAt)})
	if err != nil {
		return fmt.Errorf("redis: put user: %w", err)
	}
	if err := s.rdb.HSet(ctx, s.k.users(), u.Name, b).Err(); err != nil {
		return fmt.Errorf("redis: put user: %w", err)
	}
	return nil
}

func userOf(name, v string) (store.User, error) {
	var r userRecord
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return store.User{}, fmt.Errorf("redis: user: %w", err)
	}
	return store.User{Name: name, Display: r.Display, Role: r.Role, Body: r.Body, PasswordHash: r.PasswordHash,
		Disabled: r.Disabled, SessionsAfter: store.FromUnixMS(r.SessionsAfter), CreatedAt: store.FromUnixMS(r.CreatedAt)}, nil
}

// User is one HGET.
func (s *Store) User(ctx context.Context, name string) (store.User, error) {
	v, err := s.rdb.HGet(ctx, s.k.users(), name).Result()
	if err != nil {
		return store.User{}, wrap(err, "user")
	}
	return userOf(name, v)
}

// Users is one HGETALL, sorted here by name in byte order, as SQLite's
// ORDER BY sorts them. A city's mediators are few: the whole hash is small.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.users()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: users: %w", err)
	}
	out := make([]store.User, 0, len(m))
	for name, v := range m {
		u, err := userOf(name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b store.User) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// PutSession replaces whatever the key held and gives it a PEXPIRE of
// Expires-now, so the server deletes it by itself. The lifetime is relative
// (not a PEXPIREAT at Expires) because Expires is on the caller's clock,
// which need not be the server's: a clock off by a day, or a test's fake
// one, would otherwise have the server drop a fresh session at once or
// keep a dead one. Session still checks Expires against the caller's now.
// DEL, HSET and PEXPIRE go in one MULTI: the session never exists without
// its expiry. An Expires at or before now deletes it.
func (s *Store) PutSession(ctx context.Context, se store.Session, now time.Time) error {
	k := s.k.session(se.IDHash)
	exp := store.UnixMS(se.Expires)
	ttl := se.Expires.Sub(now)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k)
		// At least a millisecond: a shorter lifetime would round to 0,
		// which PEXPIRE takes as "delete now".
		if exp > 0 && ttl >= time.Millisecond {
			p.HSet(ctx, k, "user", se.User, "csrf", se.CSRF, "exp", exp)
			p.PExpire(ctx, k, ttl)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: put session: %w", err)
	}
	return nil
}

// Session is one HGETALL. The expiry is checked against now as well: the
// server's clock and the caller's may differ, and the contract is now's.
func (s *Store) Session(ctx context.Context, idHash string, now time.Time) (store.Session, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.session(idHash)).Result()
	if err != nil {
		return store.Session{}, wrap(err, "session")
	}
	if len(m) == 0 {
		return store.Session{}, fmt.Errorf("redis: session: %w", store.ErrNotFound)
	}
	r := &record{m: m}
	se := store.Session{IDHash: idHash, User: r.str("user"), CSRF: r.str("csrf"), Expires: r.time("exp")}
	if r.err != nil {
		return store.Session{}, fmt.Errorf("redis: session: %w", r.err)
	}
	if !se.Expires.After(now) {
		return store.Session{}, fmt.Errorf("redis: session: %w", store.ErrNotFound)
	}
	return se, nil
}

// DeleteSession is one DEL; an unknown session is already ended.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if err := s.rdb.Del(ctx, s.k.session(idHash)).Err(); err != nil {
		return fmt.Errorf("redis: delete session: %w", err)
	}
	return nil
}

// tokenRecord is a token as stored in the tokens hash, under its hash.
type tokenRecord struct {
	User      string `json:"user"`
	Prefix    string `json:"pfx,omitempty"`
	CreatedAt int64  `json:"at"`
	Expires   int64  `json:"exp,omitempty"`
	LastUsed  int64  `json:"used,omitempty"`
}

// PutToken is one HSET of the whole record, so nothing of a token
// replaced under the same hash survives.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	b, err := json.Marshal(tokenRecord{User: t.User, Prefix: t.Prefix, CreatedAt: store.UnixMS(t.CreatedAt), Expires: store.UnixMS(t.Expires),
		LastUsed: store.UnixMS(t.LastUsed)})
	if err != nil {
		return fmt.Errorf("redis: put token: %w", err)
	}
	if err := s.rdb.HSet(ctx, s.k.tokens(), t.Hash, b).Err(); err != nil {
		return fmt.Errorf("redis: put token: %w", err)
	}
	return nil
}

func tokenOf(hash, v string) (store.Token, error) {
	var r tokenRecord
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return store.Token{}, fmt.Errorf("redis: token: %w", err)
	}
	return store.Token{Hash: hash, User: r.User, Prefix: r.Prefix, CreatedAt: store.FromUnixMS(r.CreatedAt),
		Expires: store.FromUnixMS(r.Expires), LastUsed: store.FromUnixMS(r.LastUsed)}, nil
}

// Token is one HGET on the master (go-redis reads no replica unless told
// to): a token DeleteToken removed is gone for every instance at once.
func (s *Store) Token(ctx context.Context, hash string) (store.Token, error) {
	v, err := s.rdb.HGet(ctx, s.k.tokens(), hash).Result()
	if err != nil {
		return store.Token{}, wrap(err, "token")
	}
	return tokenOf(hash, v)
}

// Tokens is one HGETALL, kept to the user's and sorted here.
func (s *Store) Tokens(ctx context.Context, user string) ([]store.Token, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.tokens()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: tokens: %w", err)
	}
	var out []store.Token
	for hash, v := range m {
		t, err := tokenOf(hash, v)
		if err != nil {
			return nil, err
		}
		if t.User == user {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b store.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Hash, b.Hash))
	})
	return out, nil
}

// TouchToken is one script (lua/tokenused.lua): the record is read and
// written back with its last use only if it is still there.
func (s *Store) TouchToken(ctx context.Context, hash string, at time.Time) error {
	if err := tokenUsedScript.Run(ctx, s.rdb, []string{s.k.tokens()}, hash, store.UnixMS(at)).Err(); err != nil {
		return fmt.Errorf("redis: touch token: %w", err)
	}
	return nil
}

// DeleteToken is one HDEL.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	if err := s.rdb.HDel(ctx, s.k.tokens(), hash).Err(); err != nil {
		return fmt.Errorf("redis: delete token: %w", err)
	}
	return nil
}

// Failure records a failed login and counts key's failures in the sliding
// window (now-window, now] with one script (lua/failure.lua). Each failure
// is a zset member of its own: the random part keeps two failures in the
// same millisecond, from any instance, from being one member.
func (s *Store) Failure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	// At least a millisecond, or the window would not hold this failure.
	w := max(window.Milliseconds(), 1)
	t := now.UnixMilli()
	member := strconv.FormatInt(t, 10) + ":" + strconv.FormatUint(rand.Uint64(), 36)
	n, err := failureScript.Run(ctx, s.rdb, []string{s.k.failures(key)}, t, t-w, w, member).Int()
	if err != nil {
		return 0, fmt.Errorf("redis: login failure: %w", err)
	}
	return n, nil
}

// Failures counts key's failed logins in the window (now-window, now], as
// Failure does, with one ZCOUNT: it adds no member and trims nothing.
func (s *Store) Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	// The same bounds as Failure's, so both agree on what the window holds.
	w := max(window.Milliseconds(), 1)
	t := now.UnixMilli()
	n, err := s.rdb.ZCount(ctx, s.k.failures(key), "("+strconv.FormatInt(t-w, 10), strconv.FormatInt(t, 10)).Result()
	if err != nil {
		return 0, fmt.Errorf("redis: login failures: %w", err)
	}
	return int(n), nil
}

// ClearFailures is one DEL.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.k.failures(key)).Err(); err != nil {
		return fmt.Errorf("redis: clear login failures: %w", err)
	}
	return nil
}
