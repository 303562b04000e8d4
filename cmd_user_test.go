package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiefen/wxsim"
)

// cli runs one jiefen command on the data in dir; stdin is "" for none.
func cli(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	getenv := func(k string) string { return map[string]string{"JIEFEN_DATA": dir}[k] }
	var out bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func mustCLI(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	out, err := cli(t, dir, stdin, args...)
	if err != nil {
		t.Fatalf("jiefen %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// apiAs calls GET /api/v1/cases with a token: the status and the JSON error.
func apiAs(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// The command line manages a user's access: list and revoke tokens one by
// one or all at once, disable and enable the user; each takes effect on
// the running server at its next request.
func TestUserAccessCommands(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "a-long-password\n", "user", "add", "--name", "liuhe", "--display", "刘和", "--role", "mediator", "--body", "lh-labor")
	if out := mustCLI(t, dir, "", "user", "list"); !strings.Contains(out, "liuhe") || !strings.Contains(out, "刘和") || !strings.Contains(out, "active") {
		t.Fatalf("user list:\n%s", out)
	}
	first := strings.TrimSpace(mustCLI(t, dir, "", "token", "create", "--user", "liuhe"))
	second := strings.TrimSpace(mustCLI(t, dir, "", "token", "create", "--user", "liuhe", "--expires", "30d"))
	list := mustCLI(t, dir, "", "token", "list", "--user", "liuhe")
	// Each token by its prefix, never whole; 90 and 30 days ahead.
	for _, want := range []string{first[:12], second[:12], time.Now().Add(90 * 24 * time.Hour).Format("2006-01-02"),
		time.Now().Add(30 * 24 * time.Hour).Format("2006-01-02")} {
		if !strings.Contains(list, want) {
			t.Errorf("token list lacks %s:\n%s", want, list)
		}
	}
	if strings.Contains(list, first) || strings.Contains(list, second) {
		t.Fatalf("token list shows a whole token:\n%s", list)
	}
	for _, bad := range [][]string{
		{"token", "create", "--user", "liuhe", "--expires", "0d"},
		{"token", "create", "--user", "liuhe", "--expires", "400d"},
		{"token", "create", "--user", "liuhe", "--expires", "soon"},
		{"token", "create", "--user", "nobody"},
		{"token", "revoke", "--user", "liuhe"},
		{"token", "revoke", "--user", "liuhe", "--id", "jft_nothing"},
		{"token", "revoke", "--user", "liuhe", "--id", first[:12], "--all"},
		{"user", "disable", "--name", "nobody"},
	} {
		if _, err := cli(t, dir, "", bad...); err == nil {
			t.Errorf("jiefen %s was accepted", strings.Join(bad, " "))
		}
	}

	e := newEnv(t, envOptions{mode: wxsim.Plain, dir: dir})
	for _, tok := range []string{first, second} {
		if code, _ := apiAs(t, e.srv.URL, tok); code != http.StatusOK {
			t.Fatalf("a new token: %d", code)
		}
	}
	// Revoked by its ID: refused at once, the other still works.
	mustCLI(t, dir, "", "token", "revoke", "--user", "liuhe", "--id", first[:12])
	if code, msg := apiAs(t, e.srv.URL, first); code != http.StatusUnauthorized || msg != "invalid token" {
		t.Errorf("a revoked token: %d %q, want 401 invalid token", code, msg)
	}
	if code, _ := apiAs(t, e.srv.URL, second); code != http.StatusOK {
		t.Errorf("the other token after a revocation: %d", code)
	}
	// A disabled user's tokens stop working, and work again once enabled.
	mustCLI(t, dir, "", "user", "disable", "--name", "liuhe")
	if out := mustCLI(t, dir, "", "user", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("user list after disable:\n%s", out)
	}
	if code, msg := apiAs(t, e.srv.URL, second); code != http.StatusUnauthorized || msg != "user disabled" {
		t.Errorf("a disabled user's token: %d %q, want 401 user disabled", code, msg)
	}
	mustCLI(t, dir, "", "user", "enable", "--name", "liuhe")
	if code, _ := apiAs(t, e.srv.URL, second); code != http.StatusOK {
		t.Errorf("the token once the user is enabled again: %d", code)
	}
	// All at once.
	third := strings.TrimSpace(mustCLI(t, dir, "", "token", "create", "--user", "liuhe"))
	if out := mustCLI(t, dir, "", "token", "revoke", "--user", "liuhe", "--all"); !strings.Contains(out, "2 token(s)") {
		t.Errorf("revoke --all: %s", out)
	}
	for _, tok := range []string{second, third} {
		if code, _ := apiAs(t, e.srv.URL, tok); code != http.StatusUnauthorized {
			t.Errorf("a token after revoke --all: %d", code)
		}
	}
	if out := mustCLI(t, dir, "", "token", "list", "--user", "liuhe"); strings.Contains(out, "jft_") {
		t.Errorf("token list after revoke --all:\n%s", out)
	}
}

// A token works until its expiry, then the API answers 401 "token expired":
// the server's clock runs two hours ahead of the command that made it with
// --expires 1h.
func TestExpiredToken(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "a-long-password\n", "user", "add", "--name", "liuhe", "--role", "mediator", "--body", "lh-labor")
	short := strings.TrimSpace(mustCLI(t, dir, "", "token", "create", "--user", "liuhe", "--expires", "1h"))
	long := strings.TrimSpace(mustCLI(t, dir, "", "token", "create", "--user", "liuhe", "--expires", "3h"))
	e := newEnv(t, envOptions{mode: wxsim.Plain, dir: dir, now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	if code, msg := apiAs(t, e.srv.URL, short); code != http.StatusUnauthorized || msg != "token expired" {
		t.Errorf("an expired token: %d %q, want 401 token expired", code, msg)
	}
	if code, _ := apiAs(t, e.srv.URL, long); code != http.StatusOK {
		t.Errorf("a token not expired yet: %d", code)
	}
	if out := mustCLI(t, dir, "", "token", "list", "--user", "liuhe"); !strings.Contains(out, "active") {
		t.Errorf("token list:\n%s", out) // the command's own clock: both still live
	}
}
