package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/handlers"
	"jiefen/store"
)

// browserAt is a cookie-keeping console client for the server at base.
func browserAt(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Two instances on one Redis: a token an admin revokes on one is refused
// by the other at its next request, and the other's open stream of that
// token closes within seconds; a user disabled on one is signed out on
// the other. Nothing of a user, session or token is cached in an instance.
func TestRevocationHoldsAcrossInstances(t *testing.T) {
	c := newCluster(t)
	ctx := context.Background()
	for _, u := range []struct{ name, role, body string }{{"admin", store.RoleAdmin, ""}, {"liuhe", store.RoleMediator, "lh-labor"}} {
		hash, err := handlers.HashPassword("password-" + u.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.st.PutUser(ctx, store.User{Name: u.name, Role: u.role, Body: u.body, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	value, tok := handlers.IssueToken("liuhe", time.Now(), time.Hour)
	if err := c.st.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	baseA, baseB := "http://"+c.a.addr, "http://"+c.b.addr
	if code, _ := apiAs(t, baseB, value); code != http.StatusOK {
		t.Fatalf("the token on B: %d", code)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+c.b.addr+"/api/v1/stream", http.Header{"Authorization": {"Bearer " + value}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	lhB := browserAt(t, baseB)
	if code := lhB.login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("login on B: %d", code)
	}

	adm := browserAt(t, baseA)
	if code := adm.login("admin", "password-admin"); code != http.StatusSeeOther {
		t.Fatalf("admin login on A: %d", code)
	}
	adm.get("/console/users/liuhe")
	if code := adm.post("/console/users/liuhe/tokens/revoke", url.Values{"csrf": {adm.csrf}, "token": {tok.Prefix}}); code != http.StatusSeeOther {
		t.Fatalf("revoke on A: %d", code)
	}
	if code, msg := apiAs(t, baseB, value); code != http.StatusUnauthorized {
		t.Errorf("the token revoked on A, on B: %d %q", code, msg)
	}
	closesWithin(t, conn, 10*time.Second, "B's stream of a token revoked on A")

	if code, _ := lhB.get("/console/"); code != http.StatusOK {
		t.Fatalf("liuhe's session on B: %d", code)
	}
	if code := adm.post("/console/users/liuhe/disable", url.Values{"csrf": {adm.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("disable on A: %d", code)
	}
	if code, _ := lhB.get("/console/"); code != http.StatusSeeOther {
		t.Errorf("the session on B of a user disabled on A: %d, want the login page", code)
	}
}
