package sqlite

import (
	"context"
	"fmt"
	"time"

	"jiefen/store"
)

// The console's records are written outside Commit, each by one statement
// on the writer pool (Failure by one short transaction there): they share
// the single writer connection with the committer through database/sql,
// queueing behind a batch rather than colliding with it. Error messages
// name no session id hash, token hash nor password hash.

// PutUser creates or replaces a user.
func (s *Store) PutUser(ctx context.Context, u store.User) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO users (name, display, role, body, password_hash, disabled, sessions_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET display = excluded.display, role = excluded.role, body = excluded.body,
			password_hash = excluded.password_hash, disabled = excluded.disabled,
			sessions_after = excluded.sessions_after, created_at = excluded.created_at`,
		u.Name, u.Display, u.Role, u.Body, u.PasswordHash, u.Disabled, store.UnixMS(u.SessionsAfter), store.UnixMS(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put user: %w", err)
	}
	return nil
}

const userColumns = `name, display, role, body, password_hash, disabled, sessions_after, created_at`

func scanUser(row scanner) (store.User, error) {
	var u store.User
	var after, created int64
	err := row.Scan(&u.Name, &u.Display, &u.Role, &u.Body, &u.PasswordHash, &u.Disabled, &after, &created)
	u.SessionsAfter, u.CreatedAt = store.FromUnixMS(after), store.FromUnixMS(created)
	return u, err
}

// User returns a user by name.
func (s *Store) User(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if err != nil {
		return store.User{}, notFound(err, "user")
	}
	return u, nil
}

// Users lists every user by name, in byte order (SQLite's BINARY
// collation), as the Redis store sorts them.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return out, nil
}

// PutSession stores (or replaces) a session. An expired row stays until
// Purge, but Session no longer returns it. now is not needed: the row keeps
// Expires, which readers and Purge compare with their own now.
func (s *Store) PutSession(ctx context.Context, se store.Session, _ time.Time) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO sessions (id_hash, user, csrf, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id_hash) DO UPDATE SET user = excluded.user, csrf = excluded.csrf, expires_at = excluded.expires_at`,
		se.IDHash, se.User, se.CSRF, store.UnixMS(se.Expires))
	if err != nil {
		return fmt.Errorf("sqlite: put session: %w", err)
	}
	return nil
}

// Session returns the session if it is still valid at now.
func (s *Store) Session(ctx context.Context, idHash string, now time.Time) (store.Session, error) {
	se := store.Session{IDHash: idHash}
	var expires int64
	err := s.r.QueryRowContext(ctx, `SELECT user, csrf, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?`,
		idHash, now.UnixMilli()).Scan(&se.User, &se.CSRF, &expires)
	if err != nil {
		return store.Session{}, notFound(err, "session")
	}
	se.Expires = store.FromUnixMS(expires)
	return se, nil
}

// DeleteSession ends a session; an unknown one is already ended.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// PutToken stores (or replaces) an API token.
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO tokens (hash, user, prefix, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET user = excluded.user, prefix = excluded.prefix,
			created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = excluded.used_at`,
		t.Hash, t.User, t.Prefix, store.UnixMS(t.CreatedAt), store.UnixMS(t.Expires), store.UnixMS(t.LastUsed))
	if err != nil {
		return fmt.Errorf("sqlite: put token: %w", err)
	}
	return nil
}

const tokenColumns = `hash, user, prefix, created_at, expires_at, used_at`

func scanToken(row scanner) (store.Token, error) {
	var t store.Token
	var created, expires, used int64
	err := row.Scan(&t.Hash, &t.User, &t.Prefix, &created, &expires, &used)
	t.CreatedAt, t.Expires, t.LastUsed = store.FromUnixMS(created), store.FromUnixMS(expires), store.FromUnixMS(used)
	return t, err
}

// Token returns a token by the hash of its value. It reads the reader
// pool, which sees every write that has returned: a DeleteToken that
// returned is seen by the next request.
func (s *Store) Token(ctx context.Context, hash string) (store.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return store.Token{}, notFound(err, "token")
	}
	return t, nil
}

// Tokens lists a user's tokens, oldest first (the tokens_user index).
func (s *Store) Tokens(ctx context.Context, user string) ([]store.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE user = ? ORDER BY created_at, hash`, user)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	return out, nil
}

// TouchToken sets a token's last use; an UPDATE, so a revoked token
// stays revoked.
func (s *Store) TouchToken(ctx context.Context, hash string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE tokens SET used_at = ? WHERE hash = ?`, store.UnixMS(at), hash); err != nil {
		return fmt.Errorf("sqlite: touch token: %w", err)
	}
	return nil
}

// DeleteToken revokes a token; an unknown one is already revoked.
func (s *Store) DeleteToken(ctx context.Context, hash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete token: %w", err)
	}
	return nil
}

// Failure records a failed login and counts those of key in the sliding
// window (now-window, now]. Recording and counting are one transaction on
// the single writer, so concurrent failures each see their own count. The
// key's rows that fell out of the window go in the same transaction; Purge
// takes those of keys that stopped failing.
func (s *Store) Failure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	// At least a millisecond, or the window would not hold this failure.
	w := max(window.Milliseconds(), 1)
	t := now.UnixMilli()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: login failure: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ? AND at <= ?`, key, t-w); err != nil {
		return 0, fmt.Errorf("sqlite: login failure: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at, until) VALUES (?, ?, ?)`, key, t, t+w); err != nil {
		return 0, fmt.Errorf("sqlite: login failure: %w", err)
	}
	var n int
	// Everything after the window's start, a failure recorded a moment
	// "later" included: parallel attempts read their now each, and one
	// whose clock read earlier must still count the others' (login
	// reserves an attempt with this before checking the password).
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = ? AND at > ?`,
		key, t-w).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: login failure: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: login failure: %w", err)
	}
	return n, nil
}

// Failures counts key's failed logins in the window (now-window, now], as
// Failure does, and records nothing: one read on the reader pool, which
// sees every Failure that has returned.
func (s *Store) Failures(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	// The same bounds as Failure's, so both agree on what the window holds.
	w := max(window.Milliseconds(), 1)
	t := now.UnixMilli()
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = ? AND at > ? AND at <= ?`,
		key, t-w, t).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: login failures: %w", err)
	}
	return n, nil
}

// ClearFailures forgets key's failed logins.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("sqlite: clear login failures: %w", err)
	}
	return nil
}
