package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"testing"
	"time"

	"jiefen/store"
	"jiefen/wxsim"
)

// forwarding adds the X-Forwarded-For a proxy (or a forger) would send.
type forwarding struct{ xff string }

func (f forwarding) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.xff)
	return http.DefaultTransport.RoundTrip(r)
}

// browserFrom is a browser whose requests carry X-Forwarded-For: xff.
func (e *env) browserFrom(xff string) *browser {
	b := e.browser()
	jar, _ := cookiejar.New(nil)
	b.c = &http.Client{Jar: jar, Transport: forwarding{xff}, CheckRedirect: b.c.CheckRedirect}
	return b
}

// Behind a trusted proxy each client is its own address: one who guesses
// 30 passwords for a name and sprays 50 more over others locks out
// neither another client's logins nor, beyond a short wait, the user
// whose password was guessed.
func TestLoginBehindProxyLocksNoOneElse(t *testing.T) {
	clock := newTestClock("w0 Tue 09:00")
	e := newEnv(t, envOptions{mode: wxsim.Plain, proxied: true, now: clock.Now})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	attacker := e.browserFrom("198.51.100.7, 203.0.113.66")
	for i := range 30 {
		if code := attacker.login("liuhe", "wrong"); code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	for i := range 50 {
		attacker.login("someone"+strconv.Itoa(i), "wrong")
	}
	if code := attacker.login("dongchang", "password-dongchang"); code != http.StatusTooManyRequests {
		t.Fatalf("the guessing address is not throttled: %d", code)
	}
	if code := e.browserFrom("192.0.2.10").login("dongchang", "password-dongchang"); code != http.StatusSeeOther {
		t.Fatalf("another client's login: %d", code)
	}
	clock.advance(accountSlotForTest)
	if code := e.browserFrom("192.0.2.11").login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("the guessed user, from elsewhere, after a slot: %d", code)
	}
	// The audit log names the client and the proxy it came through.
	entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{User: "liuhe", Action: store.AuditLogin})
	if err != nil || len(entries) != 1 || entries[0].Addr != "192.0.2.11 via 127.0.0.1" {
		t.Fatalf("audit of the login: %+v, %v", entries, err)
	}
}

// accountSlotForTest is handlers' accountSlot: the wait of a slowed account.
const accountSlotForTest = 30 * time.Second

// Without trusted proxies, X-Forwarded-For is the client's word and is
// ignored: changing it every time does not escape the limit, and the
// audit log shows the peer alone.
func TestForgedForwardedForIgnored(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	for i := range 5 {
		if code := e.browserFrom("203.0.113."+strconv.Itoa(i+1)).login("liuhe", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if code := e.browserFrom("203.0.113.99").login("liuhe", "password-liuhe"); code != http.StatusTooManyRequests {
		t.Fatalf("a new forged address escaped the limit: %d", code)
	}
	entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{User: "liuhe"})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v, %v", entries, err)
	}
	for _, en := range entries {
		if en.Addr != "127.0.0.1" {
			t.Fatalf("audit address from a forged header: %q", en.Addr)
		}
	}
}

// Guesses for one account from many addresses: past the account's free
// attempts, one per slot gets its password checked, however many
// addresses try at once; the user, after one slot, signs in.
func TestAccountSlowedAcrossAddresses(t *testing.T) {
	clock := newTestClock("w0 Tue 09:00")
	e := newEnv(t, envOptions{mode: wxsim.Plain, proxied: true, now: clock.Now})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	checked := 0
	for i := range 40 {
		b := e.browserFrom("198.51.100." + strconv.Itoa(i+1))
		switch code := b.login("liuhe", "wrong"); code {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	// Ten free, then one in the current slot.
	if checked > 11 {
		t.Fatalf("%d of 40 guesses from 40 addresses were checked within one slot", checked)
	}
	clock.advance(accountSlotForTest)
	if code := e.browserFrom("192.0.2.10").login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("the user after one slot: %d", code)
	}
}
