package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// An administrator manages users in a real browser: adds a mediator (the
// password made and shown once), gives them an API token (shown once) and
// revokes it, and disables them; the list says so. The pages fit a phone.
func TestUsersInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("admin", store.RoleAdmin, "")
	hash, _ := e.app.store.User(context.Background(), "admin")
	hash.Display = "赵敏"
	if err := e.app.store.PutUser(context.Background(), hash); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, "password-admin"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`a[href="/console/users"]`),
		chromedp.Click(`a[href="/console/users"]`),
		chromedp.WaitVisible(`details.add-user summary`),
		chromedp.Click(`details.add-user summary`),
		chromedp.SendKeys(`form.stack input[name=display]`, "刘和"),
		chromedp.SendKeys(`form.stack input[name=name]`, "liuhe"),
		chromedp.SetValue(`form.stack select[name=role]`, store.RoleMediator),
		chromedp.SetValue(`form.stack select[name=body]`, "lh-labor"),
		chromedp.Click(`form.stack button`),
		chromedp.WaitVisible(`#secret`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `h1`, "刘和")
	password, err := chromedp.Run(ctx, chromedp.Text(`#secret`))
	if err != nil || len(password) != 12 {
		t.Fatalf("the made password: %q %v", password, err)
	}
	shot(t, ctx, "user-added")

	// A token for 30 days: shown once, then listed by its prefix; revoked.
	err = chromedp.Do(ctx,
		chromedp.SetValue(`section.tokens select[name=days]`, "30"),
		chromedp.Click(`section.tokens form.row button`),
		chromedp.WaitVisible(`tr.token-row`),
	)
	if err != nil {
		t.Fatal(err)
	}
	token, err := chromedp.Run(ctx, chromedp.Text(`#secret`))
	if err != nil || !strings.HasPrefix(token, "jft_") {
		t.Fatalf("the new token: %q %v", token, err)
	}
	waitText(t, ctx, `tr.token-row`, token[:12]+"…")
	if code, _ := apiAs(t, e.srv.URL, token); code != 200 {
		t.Fatalf("the token made in the browser: %d", code)
	}
	shot(t, ctx, "user-token")
	err = chromedp.Do(ctx, chromedp.Click(`tr.token-row button`), chromedp.WaitVisible(`section.tokens tr.empty`))
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := apiAs(t, e.srv.URL, token); code != 401 {
		t.Fatalf("the token revoked in the browser: %d", code)
	}

	// Disabled: the page and the list say so.
	err = chromedp.Do(ctx, chromedp.Click(`section.account button.danger`), chromedp.WaitVisible(`h1 .badge.off`))
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `h1`, "已停用")
	shot(t, ctx, "user-disabled")
	err = chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/console/users"), chromedp.WaitVisible(`tr.user-row.disabled`))
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `tr.user-row.disabled`, "刘和")
	waitText(t, ctx, `tr.user-row.disabled .state`, "已停用")
	shot(t, ctx, "users")
	if u, err := e.app.store.User(context.Background(), "liuhe"); err != nil || !u.Disabled || u.Display != "刘和" {
		t.Fatalf("the user in the store: %+v %v", u, err)
	}

	// On a phone: nothing scrolls sideways, on the list nor a user's page
	// with a token listed.
	_, kept := handlers.IssueToken("liuhe", time.Now(), 90*24*time.Hour)
	if err := e.app.store.PutToken(context.Background(), kept); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, sel, name string }{
		{"/console/users", `tr.user-row`, "users-phone"},
		{"/console/users/liuhe", `tr.token-row`, "user-phone"},
	} {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(p.sel))
		if err != nil {
			t.Fatal(err)
		}
		width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if err != nil || width > 391 {
			t.Errorf("%s on a 390 px phone is %.0f px wide: it scrolls sideways (%v)", p.path, width, err)
		}
		shot(t, ctx, p.name)
	}
	// The form to add a user, opened on the phone.
	err = chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/console/users"), chromedp.WaitVisible(`details.add-user summary`),
		chromedp.Click(`details.add-user summary`), chromedp.WaitVisible(`form.stack button`))
	if err != nil {
		t.Fatal(err)
	}
	if width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`)); err != nil || width > 391 {
		t.Errorf("the add-user form on a 390 px phone is %.0f px wide (%v)", width, err)
	}
	shot(t, ctx, "users-add-phone")
}
