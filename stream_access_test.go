package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// A stream keeps no more access than a new request would get: an API
// stream opened by a mediator closes within seconds once the mediator is
// moved to another body, and never delivers a case of the old body filed
// after the move.
func TestStreamClosesWhenUserMoved(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	value, hash := handlers.NewToken()
	ctx := context.Background()
	if err := e.app.store.PutToken(ctx, store.Token{Hash: hash, User: "liuhe"}); err != nil {
		t.Fatal(err)
	}
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/stream"
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + value}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The stream works: the body's new case arrives.
	first := e.fileCase("oStreamMoved1", "在柳河县的砖厂干活，工资拖了半年不给")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev struct {
		Case string `json:"case"`
	}
	for ev.Case != first {
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("no event for the body's case: %v", err)
		}
	}

	u, err := e.app.store.User(ctx, "liuhe")
	if err != nil {
		t.Fatal(err)
	}
	u.Body = "dc-mediation"
	if err := e.app.store.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	moved := time.Now()
	after := e.fileCase("oStreamMoved2", "在柳河县物流公司干了一年，辞职后最后一个月工资不给")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the stream stayed open %s after its user moved to another body", time.Since(moved).Round(time.Second))
			}
			break // closed
		}
		if err := json.Unmarshal(msg, &ev); err == nil && ev.Case == after {
			t.Fatalf("a case of the old body filed after the move reached the moved user: %s", msg)
		}
	}
	if d := time.Since(moved); d > 8*time.Second {
		t.Fatalf("the stream closed only %s after the move", d)
	}
}

// closesWithin reads conn until it closes; it fails the test when it is
// still open after d.
func closesWithin(t *testing.T, conn *websocket.Conn, d time.Duration, what string) {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(d))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: the stream stayed open %s", what, d)
			}
			return
		}
	}
}

// An API stream lives no longer than its token and its user: it closes
// within seconds when the token is revoked (here straight in the store, as
// another instance or the command line would), when it expires, and when
// the user is disabled.
func TestStreamClosesWhenAccessEnds(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	ctx := context.Background()
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/stream"
	for _, c := range []struct {
		name string
		life time.Duration
		end  func(t *testing.T, tok store.Token)
	}{
		{"revoked", time.Hour, func(t *testing.T, tok store.Token) {
			if err := e.app.store.DeleteToken(ctx, tok.Hash); err != nil {
				t.Fatal(err)
			}
		}},
		{"expired", 4 * time.Second, func(*testing.T, store.Token) {}},
		{"user disabled", time.Hour, func(t *testing.T, _ store.Token) {
			u, err := e.app.store.User(ctx, "liuhe")
			if err != nil {
				t.Fatal(err)
			}
			u.Disabled = true
			if err := e.app.store.PutUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			value, tok := handlers.IssueToken("liuhe", time.Now(), c.life)
			if err := e.app.store.PutToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + value}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			c.end(t, tok)
			closesWithin(t, conn, 10*time.Second, c.name)
			// And it cannot be opened again with that token.
			if _, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + value}}); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("reopening the stream: %v, want 401", err)
			}
		})
	}
}

// A disabled user's console page loses its live stream within seconds,
// and their next request is sent to the login page.
func TestConsoleStreamClosesWhenUserDisabled(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	b := e.browser()
	if code := b.login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	h := http.Header{"Origin": {e.srv.URL}}
	u, _ := url.Parse(e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.srv.URL, "http")+"/console/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	usr, err := e.app.store.User(ctx, "liuhe")
	if err != nil {
		t.Fatal(err)
	}
	usr.Disabled = true
	if err := e.app.store.PutUser(ctx, usr); err != nil {
		t.Fatal(err)
	}
	closesWithin(t, conn, 10*time.Second, "disabled user's console")
	if code, _ := b.get("/console/"); code != http.StatusSeeOther {
		t.Errorf("a disabled user's session still opens the queue: %d", code)
	}
	// Signing in again is refused, with the reason, to whoever knows the password.
	if code := b.login("liuhe", "password-liuhe"); code != http.StatusForbidden {
		t.Errorf("a disabled user signed in: %d", code)
	}
}
