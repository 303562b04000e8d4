package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"jiefen/store"
	"jiefen/wxsim"
)

// An administrator manages users and tokens in the console: adds a user
// (the password made and shown once), who can sign in and is shown by
// name; makes a token (shown once, listed by its prefix only) that the API
// takes, and revokes it; disables the user, whose session ends at once
// and does not come back when the user is enabled again. Each change is
// in the audit log. Others see nothing of it, and every form needs the
// session's CSRF token.
func TestConsoleUsers(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("admin", store.RoleAdmin, "")
	e.addUser("lead", store.RoleSupervisor, "lh-labor")
	adm := e.browser()
	adm.login("admin", "password-admin")

	code, page := adm.get("/console/users")
	if code != http.StatusOK || !strings.Contains(page, `href="/console/users"`) {
		t.Fatalf("users page: %d", code)
	}
	code, page = adm.postPage("/console/users", url.Values{"csrf": {adm.csrf}, "name": {"liuhe"}, "display": {"刘和"},
		"role": {store.RoleMediator}, "body": {"lh-labor"}})
	m := secretRe.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("add user: %d, no password shown", code)
	}
	password := m[1]
	if _, again := adm.get("/console/users/liuhe"); strings.Contains(again, password) {
		t.Fatal("the made password is shown again")
	}
	for _, bad := range []url.Values{
		{"name": {"liuhe"}, "display": {"另一个"}, "role": {store.RoleMediator}, "body": {"lh-labor"}}, // taken
		{"name": {"x y"}, "display": {"某"}, "role": {store.RoleMediator}, "body": {"lh-labor"}},
		{"name": {"zhang"}, "display": {""}, "role": {store.RoleMediator}, "body": {"lh-labor"}},
		{"name": {"zhang"}, "display": {"张"}, "role": {store.RoleMediator}, "body": {"nowhere"}},
		{"name": {"zhang"}, "display": {"张"}, "role": {"root"}},
		{"name": {"zhang"}, "display": {"张"}, "role": {store.RoleAdmin}, "password": {"short"}},
	} {
		bad.Set("csrf", adm.csrf)
		if code := adm.post("/console/users", bad); code < 400 || code >= 500 {
			t.Errorf("add user %v: %d, want a 4xx", bad, code)
		}
	}
	if u, err := e.app.store.User(context.Background(), "liuhe"); err != nil || u.Display != "刘和" || u.Body != "lh-labor" {
		t.Fatalf("the added user: %+v, %v", u, err)
	}

	// The new user signs in and is greeted by name.
	lh := e.browser()
	if code := lh.login("liuhe", password); code != http.StatusSeeOther {
		t.Fatalf("the new user's login: %d", code)
	}
	if _, q := lh.get("/console/"); !strings.Contains(q, "刘和 · ") {
		t.Error("the header does not name the user by display name")
	}
	if _, list := adm.get("/console/users"); !strings.Contains(list, "刘和") || !strings.Contains(list, "<code>liuhe</code>") {
		t.Error("the users list lacks the new user")
	}

	// A token, shown once, listed by prefix, taken by the API, revoked.
	code, page = adm.postPage("/console/users/liuhe/tokens", url.Values{"csrf": {adm.csrf}, "days": {"30"}})
	m = secretRe.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil || !strings.HasPrefix(m[1], "jft_") {
		t.Fatalf("create token: %d", code)
	}
	token := m[1]
	if code, _ := apiAs(t, e.srv.URL, token); code != http.StatusOK {
		t.Fatalf("the console's token: %d", code)
	}
	_, page = adm.get("/console/users/liuhe")
	if strings.Contains(page, token) || !strings.Contains(page, token[:12]+"…") {
		t.Fatal("the user page shows the whole token, or not its prefix")
	}
	if strings.Contains(page, "未使用") || !strings.Contains(page, " 使用</td>") {
		t.Error("the user page does not say when the token was last used")
	}
	if code := adm.post("/console/users/liuhe/tokens/revoke", url.Values{"csrf": {adm.csrf}, "token": {token[:12]}}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := apiAs(t, e.srv.URL, token); code != http.StatusUnauthorized {
		t.Errorf("a token revoked in the console: %d", code)
	}

	// Disabled: the session ends now; enabled again, it stays ended.
	if code := adm.post("/console/users/liuhe/disable", url.Values{"csrf": {adm.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("disable: %d", code)
	}
	if code, _ := lh.get("/console/"); code != http.StatusSeeOther {
		t.Errorf("a disabled user's session: %d, want the login page", code)
	}
	if _, list := adm.get("/console/users"); !strings.Contains(list, "已停用") {
		t.Error("the list does not show the user disabled")
	}
	if code := adm.post("/console/users/liuhe/enable", url.Values{"csrf": {adm.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("enable: %d", code)
	}
	if code, _ := lh.get("/console/"); code != http.StatusSeeOther {
		t.Errorf("the session of before the disabling came back: %d", code)
	}
	if code := lh.login("liuhe", password); code != http.StatusSeeOther {
		t.Errorf("login once enabled: %d", code)
	}
	// A new password ends the sessions too, and the old one stops working.
	code, page = adm.postPage("/console/users/liuhe/password", url.Values{"csrf": {adm.csrf}})
	if m = secretRe.FindStringSubmatch(page); code != http.StatusOK || m == nil || m[1] == password {
		t.Fatalf("reset password: %d", code)
	}
	if code, _ := lh.get("/console/"); code != http.StatusSeeOther {
		t.Errorf("a session after a password reset: %d", code)
	}
	if code := lh.login("liuhe", password); code != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %d", code)
	}
	if code := adm.post("/console/users/admin/disable", url.Values{"csrf": {adm.csrf}}); code != http.StatusBadRequest {
		t.Errorf("an admin disabling themself: %d", code)
	}

	// Every change is in the audit log, under the admin's name.
	entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{User: "admin", Action: store.AuditChange})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, strings.Join(strings.Fields(en.Detail)[:2], " "))
	}
	slices.Reverse(got)
	want := []string{"user add", "token create", "token revoke", "user disable", "user enable", "user password"}
	if !slices.Equal(got, want) {
		t.Errorf("audit: %q, want %q", got, want)
	}
	if _, a := adm.get("/console/audit"); !strings.Contains(a, "撤销接口令牌") || !strings.Contains(a, "停用账号") {
		t.Error("the audit page does not name the changes")
	}

	// A supervisor sees nothing of it; a form without the CSRF token is refused.
	sup := e.browser()
	sup.login("lead", "password-lead")
	for _, p := range []string{"/console/users", "/console/users/liuhe"} {
		if code, page := sup.get(p); code != http.StatusNotFound || strings.Contains(page, "刘和") {
			t.Errorf("a supervisor's GET %s: %d", p, code)
		}
	}
	if _, q := sup.get("/console/"); strings.Contains(q, `href="/console/users"`) {
		t.Error("a supervisor's header links to the users page")
	}
	if code := sup.post("/console/users/liuhe/tokens", url.Values{"csrf": {sup.csrf}, "days": {"30"}}); code != http.StatusNotFound {
		t.Errorf("a supervisor creating a token: %d", code)
	}
	if code := adm.post("/console/users/lead/disable", url.Values{}); code != http.StatusForbidden {
		t.Errorf("disable without CSRF: %d", code)
	}
	if toks, _ := e.app.store.Tokens(context.Background(), "liuhe"); len(toks) != 0 {
		t.Errorf("tokens left: %+v", toks)
	}
}

// The console names people by their display names wherever it names a
// person: the header, who has the case, the thread's authors and notes of
// a takeover, the queue and the audit log; the login names stay out of
// those places.
func TestConsoleShowsPeopleByName(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	ctx := context.Background()
	for _, u := range []struct{ name, display, role, body string }{
		{"liuhe", "刘和", store.RoleMediator, "lh-labor"},
		{"lead", "孙立华", store.RoleSupervisor, "lh-labor"},
		{"admin", "赵敏", store.RoleAdmin, ""},
	} {
		e.addUser(u.name, u.role, u.body)
		x, err := e.app.store.User(ctx, u.name)
		if err != nil {
			t.Fatal(err)
		}
		x.Display = u.display
		if err := e.app.store.PutUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	id := e.fileCase("oPeopleNames1", "在柳河县的砖厂干活，工资拖了半年不给")
	lh, lead, adm := e.browser(), e.browser(), e.browser()
	lh.login("liuhe", "password-liuhe")
	lead.login("lead", "password-lead")
	adm.login("admin", "password-admin")
	lh.get("/console/cases/" + id)
	if code := lh.post("/console/cases/"+id+"/take", url.Values{"csrf": {lh.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("take: %d", code)
	}
	if code := lh.post("/console/cases/"+id+"/reply", url.Values{"csrf": {lh.csrf}, "text": {"您好，材料已收到。"}}); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	lead.get("/console/cases/" + id)
	if code := lead.post("/console/cases/"+id+"/take", url.Values{"csrf": {lead.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("takeover: %d", code)
	}
	_, page := lh.get("/console/cases/" + id)
	mustContain(t, page, "刘和 · ", "孙立华 接手了案件（原由 刘和 办理）", `<span class="who">刘和</span>`, "<dd>孙立华</dd>")
	_, queue := lead.get("/console/")
	mustContain(t, queue, `<td class="assignee">孙立华</td>`)
	_, audit := adm.get("/console/audit")
	mustContain(t, audit, `<td title="登录名 liuhe">刘和</td>`, ">孙立华</td>", ">赵敏</td>")
	for what, p := range map[string]string{"case page": page, "queue": queue} {
		for _, login := range []string{">liuhe<", ">lead<", "liuhe 接手", "原由 liuhe", "liuhe ·"} {
			if strings.Contains(p, login) {
				t.Errorf("the %s shows a login name where a person's name belongs: %q", what, login)
			}
		}
	}
	// A mediator who finds the case taken is told by whom, by name.
	e.addUser("other", store.RoleMediator, "lh-labor")
	o := e.browser()
	o.login("other", "password-other")
	o.get("/console/cases/" + id)
	if code, p := o.postPage("/console/cases/"+id+"/take", url.Values{"csrf": {o.csrf}}); code != http.StatusConflict || !strings.Contains(p, "孙立华") {
		t.Errorf("taking a taken case: %d, want 409 naming 孙立华", code)
	}
}
