package wxsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

// tokenTTL is the lifetime the platform gives every access_token.
const tokenTTL = 7200 * time.Second

// stableOverlap is how early the platform rotates a stable token: when less
// than this remains it issues a new one and lets the old one run out, so a
// caller never receives expires_in below 300.
const stableOverlap = 300 * time.Second

type token struct {
	value   string
	stable  bool
	expires time.Time
	revoked bool
}

// issue mints a token shaped like the real ones (long, URL-safe). Caller
// holds mu.
func (p *Platform) issue(stable bool, now time.Time) *token {
	b := make([]byte, 102)
	_, _ = rand.Read(b)
	t := &token{value: base64.RawURLEncoding.EncodeToString(b), stable: stable, expires: now.Add(tokenTTL)}
	p.tokens[t.value] = t
	p.fetches++
	return t
}

// TokenFetches counts access tokens handed out by either token endpoint,
// so a test can tell whether a bot shares its token or refetches it.
func (p *Platform) TokenFetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

// ExpireTokens makes every token issued so far answer 42001, as if two
// hours had passed for them; new fetches get fresh tokens.
func (p *Platform) ExpireTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for _, t := range p.tokens {
		if t.expires.After(now) {
			t.expires = now
		}
	}
}

// InvalidateTokens makes every token issued so far answer 40001, as when
// another process refreshed the token or it leaked and was reset.
func (p *Platform) InvalidateTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tokens {
		t.revoked = true
	}
}

// checkToken validates the access_token query parameter and answers the
// error itself when it is bad. Caller holds mu.
func (p *Platform) checkToken(w http.ResponseWriter, r *http.Request) bool {
	v := r.URL.Query().Get("access_token")
	if v == "" {
		writeErr(w, 41001)
		return false
	}
	t, ok := p.tokens[v]
	switch {
	case !ok || t.revoked:
		writeErr(w, 40001)
		return false
	case !p.now().Before(t.expires):
		writeErr(w, 42001)
		return false
	}
	return true
}

// checkCredentials answers the platform's error for a bad appid/secret
// pair. Caller holds mu.
func (p *Platform) checkCredentials(w http.ResponseWriter, grant, appID, secret string) bool {
	switch {
	case grant != "client_credential":
		writeErr(w, 40002)
	case appID == "":
		writeErr(w, 41002)
	case secret == "":
		writeErr(w, 41004)
	case appID != p.appID:
		writeErr(w, 40013)
	case secret != p.secret:
		writeErr(w, 40125)
	default:
		return true
	}
	return false
}

// handleToken is the classic getAccessToken: every call mints a new token
// and the previous classic token stops working at once.
func (p *Platform) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		q = r.Form
	}
	if !p.checkCredentials(w, q.Get("grant_type"), q.Get("appid"), q.Get("secret")) {
		return
	}
	if p.classic != nil {
		p.classic.revoked = true
	}
	p.classic = p.issue(false, p.now())
	writeJSON(w, map[string]any{"access_token": p.classic.value, "expires_in": int(tokenTTL / time.Second)})
}

// handleStableToken is getStableAccessToken: the same token comes back until
// it nears expiry (then a new one overlaps the old for five minutes) or the
// caller forces a refresh, which kills the old one. It is isolated from the
// classic endpoint, as on the real platform.
func (p *Platform) handleStableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if !p.checkCredentials(w, req.GrantType, req.AppID, req.Secret) {
		return
	}
	now := p.now()
	cur := p.stable
	switch {
	case cur == nil || cur.revoked || !now.Before(cur.expires):
		p.stable = p.issue(true, now)
	case req.ForceRefresh:
		cur.revoked = true
		p.stable = p.issue(true, now)
	case cur.expires.Sub(now) <= stableOverlap:
		p.stable = p.issue(true, now)
	default:
		p.fetches++
	}
	left := int(p.stable.expires.Sub(now) / time.Second)
	writeJSON(w, map[string]any{"access_token": p.stable.value, "expires_in": left})
}
