package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"jiefen/store"
)

const (
	sessionCookie = "jiefen_session"
	loginCookie   = "jiefen_login" // CSRF token of the login form, before any session exists
	sessionTTL    = 12 * time.Hour // a working day; then log in again
	// Logins are refused after maxFailures wrong passwords within
	// failureWindow, per user name and per address: slow enough to make
	// guessing hopeless, short enough not to lock a mediator out for long.
	maxFailures     = 5
	maxAddrFailures = 50 // an office behind one address has many mediators, and their logins count too
	failureWindow   = 15 * time.Minute
	// Across addresses an account is never locked, only slowed: after
	// maxAccountFailures attempts within failureWindow, it takes one
	// attempt per accountSlot from anywhere. Guessing from many addresses
	// stays bounded (two a minute), and the real user, whom no one else
	// can lock out, waits at most about a slot.
	maxAccountFailures = 10
	accountSlot        = 30 * time.Second
)

type userKey struct{}

// viewer is the signed-in user of a request.
type viewer struct {
	store.User
	CSRF    string    // "" for API tokens, which need none
	session string    // the session's id hash; "" for API tokens
	token   string    // the API token's hash; "" for sessions
	expires time.Time // the session's end
}

func current(r *http.Request) viewer { v, _ := r.Context().Value(userKey{}).(viewer); return v }

// HashPassword hashes a new password for storing.
func HashPassword(password string) (string, error) {
	if len([]rune(password)) < 8 {
		return "", errors.New("the password must have at least 8 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// NewToken returns a new API token's value (shown once) and the hash stored.
func NewToken() (value, hash string) {
	value = "jft_" + randomID()
	return value, hashSecret(value)
}

// tokenTouchEvery is how often a token's last use is written.
const tokenTouchEvery = time.Hour

// tokenPrefixLen is how much of a token's value names it in lists: "jft_"
// and 8 characters (48 of its 256 random bits), enough to tell a user's
// tokens apart, nothing towards guessing the rest.
const tokenPrefixLen = 12

// IssueToken makes a new API token for user, working from now for life:
// the value, shown once, and the record to store (its hash, never it).
func IssueToken(user string, now time.Time, life time.Duration) (string, store.Token) {
	value, hash := NewToken()
	return value, store.Token{Hash: hash, User: user, Prefix: value[:tokenPrefixLen], CreatedAt: now, Expires: now.Add(life)}
}

func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how session ids and tokens are stored: a copy of the store
// holds nothing that logs anyone in.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// secure reports whether the browser reached us over https (directly or
// through the reverse proxy), so cookies can be marked Secure.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (c *auth) loginPage(w http.ResponseWriter, r *http.Request) {
	c.renderLogin(w, r, "", http.StatusOK)
}

func (c *auth) renderLogin(w http.ResponseWriter, r *http.Request, problem string, code int) {
	token := randomID()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/console/login", HttpOnly: true,
		Secure: secure(r), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	c.render(w, code, "login.html", map[string]any{"CSRF": token, "Problem": problem, "Name": r.PostFormValue("name")})
}

// login checks the form's CSRF token (double submit: cookie and field),
// throttles guessing, checks the password and starts a new session with a
// fresh id (a session id set before login is never reused).
func (c *auth) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cookie, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		c.renderLogin(w, r, "页面已过期，请重新登录。", http.StatusForbidden)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	now := c.Now()
	// Attempts are counted per name from one address, and per address: a
	// mediator is not locked out by someone else's guesses elsewhere, and
	// one address cannot spray passwords over many names. Each attempt
	// is counted (reserved) before the password is checked, by the store's
	// atomic increment: parallel guesses each see their own count, so 150
	// at once cannot all pass a check made before any was recorded. A
	// success clears its name's counts.
	addr := clientAddr(r)
	keys := []struct {
		key   string
		limit int
	}{{"login:" + name + "@" + addr, maxFailures}, {"login-addr:" + addr, maxAddrFailures}}
	for _, k := range keys {
		n, err := c.Store.Failure(ctx, k.key, now, failureWindow)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if n > k.limit {
			c.Log.Warn("login throttled", "addr", addr)
			c.renderLogin(w, r, "尝试次数过多，请15分钟后再试。", http.StatusTooManyRequests)
			return
		}
	}
	// The account, from every address together: past its free attempts,
	// one per slot. The slot is reserved by the same atomic increment on
	// a key naming the account and the slot, so parallel guesses from
	// many addresses get one of them through per slot, not one each.
	accountKey := "login-account:" + name
	n, err := c.Store.Failure(ctx, accountKey, now, failureWindow)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if n > maxAccountFailures {
		slot := now.UnixNano() / int64(accountSlot)
		taken, err := c.Store.Failure(ctx, "login-slot:"+name+":"+strconv.FormatInt(slot, 10), now, accountSlot)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if taken > 1 {
			c.Log.Warn("login slowed", "addr", addr)
			c.renderLogin(w, r, "该账号近期登录失败较多，请30秒后再试。", http.StatusTooManyRequests)
			return
		}
	}
	u, err := c.Store.User(ctx, name)
	if err == nil {
		err = bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(r.PostFormValue("password")))
	} else if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a wrong password: no hint that the name exists.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(r.PostFormValue("password")))
	}
	if err != nil {
		c.Log.Warn("login failed", "addr", addr)
		// Under the user's name only when that user exists: what was
		// typed as a name may be a password in the wrong field.
		c.recordLogin(r, u, store.AuditLoginFailed)
		c.renderLogin(w, r, "用户名或密码不对。", http.StatusUnauthorized)
		return
	}
	if u.Disabled {
		// Said only to whoever knows the password: the user learns why,
		// a guesser learns nothing they did not have.
		if err := c.recordAs(r, u, store.AuditLoginFailed, "", "disabled"); err != nil {
			c.Log.Warn("audit: login not recorded", "err", err)
		}
		c.renderLogin(w, r, "该账号已停用，请联系管理员。", http.StatusForbidden)
		return
	}
	// The account's count too: the attacker it slowed gets its free
	// attempts back only as often as the user signs in.
	for _, key := range []string{keys[0].key, accountKey} {
		if err := c.Store.ClearFailures(ctx, key); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	id := randomID()
	s := store.Session{IDHash: hashSecret(id), User: u.Name, CSRF: randomID(), Expires: now.Add(sessionTTL)}
	if err := c.Store.PutSession(ctx, s, now); err != nil {
		c.fail(w, r, err)
		return
	}
	// Max-Age, not Expires: the browser counts the lifetime on its own
	// clock, so a server clock that is off (or a test's fake one) cannot
	// make the cookie die at once or outlive the session. The session's
	// own expiry, checked at every request, is what ends it on time.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL / time.Second)})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/console/login", MaxAge: -1})
	c.recordLogin(r, u, store.AuditLogin)
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// recordLogin records a login or a failed one, before any session exists;
// a failure to record it is logged, not fatal to signing in.
func (c *auth) recordLogin(r *http.Request, u store.User, action string) {
	detail := ""
	if u.Name == "" {
		detail = "unknown name"
	}
	if err := c.recordAs(r, u, action, "", detail); err != nil {
		c.Log.Warn("audit: login not recorded", "err", err)
	}
}

// dummyHash is compared against when the user does not exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("jiefen-no-such-user"), bcrypt.DefaultCost)

func (c *auth) logout(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		_ = c.Store.DeleteSession(r.Context(), hashSecret(ck.Value))
		// Streams of this session on this instance end now; on others at
		// their next ping.
		c.hub.dropSession(hashSecret(ck.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
	return nil
}

// page wraps a console handler: a valid session, and on every request that
// changes something the session's CSRF token (form field or header).
func (c *auth) page(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		var s store.Session
		if err == nil {
			s, err = c.Store.Session(r.Context(), hashSecret(ck.Value), c.Now())
		}
		if err != nil {
			if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, http.ErrNoCookie) {
				c.fail(w, r, err)
				return
			}
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/ws") {
				http.Redirect(w, r, "/console/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "请先登录", http.StatusUnauthorized)
			return
		}
		// The user is read on every request, from the store every
		// instance shares: a user disabled, moved or demoted anywhere is
		// so here from the next request on.
		u, err := c.Store.User(r.Context(), s.User)
		if err != nil || !sessionHolds(u, s) {
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/ws") {
				http.Redirect(w, r, "/console/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "请先登录", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
				http.Error(w, "页面已过期，请刷新后再试。", http.StatusForbidden)
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, viewer{User: u, CSRF: s.CSRF, session: s.IDHash, expires: s.Expires}))
		// Pages hold personal data: no copy in the browser's cache for the
		// back button of a shared office computer.
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			c.fail(w, r, err)
		}
	})
}

// sessionHolds reports whether the user still lets the session act: not
// disabled, and signed in since their sessions were last voided (a reset
// password, a disabling). A session began sessionTTL before it expires.
func sessionHolds(u store.User, s store.Session) bool {
	return !u.Disabled && !s.Expires.Add(-sessionTTL).Before(u.SessionsAfter)
}

// api wraps an API handler: "Authorization: Bearer <token>" acting as its user.
func (c *auth) api(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		value, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || value == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing bearer token"})
			return
		}
		// Token and user are read on every request (no cache): a token
		// revoked or a user disabled on any instance fails the next one.
		hash := hashSecret(strings.TrimSpace(value))
		t, err := c.Store.Token(r.Context(), hash)
		var u store.User
		if err == nil {
			u, err = c.Store.User(r.Context(), t.User)
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid token"})
				return
			}
			c.failJSON(w, err)
			return
		}
		switch {
		case !t.Live(c.Now()):
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "token expired"})
			return
		case u.Disabled:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "user disabled"})
			return
		}
		// The last use, for the users page: one write an hour at most per
		// token, not one per request. It is not worth failing a request for.
		if now := c.Now(); now.Sub(t.LastUsed) >= tokenTouchEvery {
			if err := c.Store.TouchToken(r.Context(), hash, now); err != nil {
				c.Log.Warn("api token: last use not noted", "err", err)
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, viewer{User: u, token: hash}))
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			c.failJSON(w, err)
		}
	})
}
