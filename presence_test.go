package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// consoleTab opens a tab with a cookie jar of its own (a second person's
// browser), logged in as name at base.
func consoleTab(t *testing.T, parent context.Context, base, name string) (context.Context, context.CancelFunc) {
	t.Helper()
	// The first tab starts the browser; each person's tab is then a
	// browser context of its own.
	if err := chromedp.Do(parent); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, name),
		chromedp.SendKeys(`input[name=password]`, "password-"+name),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
	)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return ctx, cancel
}

// waitAlone waits until the case page says nobody else has the case open.
func waitAlone(t *testing.T, ctx context.Context) {
	t.Helper()
	waitText(t, ctx, `#presence`, "目前没有其他人在查看此案件")
}

// Two mediators of a body open the same case: each page names the other
// (never its own reader) without reloading; when one closes the tab the
// other's page says nobody else is there.
func TestPresenceInBrowser(t *testing.T) {
	root := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("liuhe-lead", store.RoleSupervisor, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	id := e.fileCase("oPresenceCitizen", "在柳河县的木材厂干了半年，老板跑了，工资一分没给")

	a, closeA := consoleTab(t, root, e.srv.URL, "liuhe")
	defer closeA()
	if err := chromedp.Do(a, chromedp.Navigate(e.srv.URL+"/console/cases/"+id), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitAlone(t, a)

	b, closeB := consoleTab(t, root, e.srv.URL, "liuhe-lead")
	if err := chromedp.Do(b, chromedp.Navigate(e.srv.URL+"/console/cases/"+id), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, b, `#presence`, "liuhe 也在查看此案件")
	waitText(t, a, `#presence`, "liuhe-lead 也在查看此案件")
	if got, _ := chromedp.Run(a, chromedp.Text(`#presence`)); got != "liuhe-lead 也在查看此案件" {
		t.Fatalf("liuhe's page names %q", got)
	}
	shot(t, a, "presence")
	if err := chromedp.Do(a, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(`#presence`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, a, `#presence`, "liuhe-lead")
	shot(t, a, "presence-phone")

	// Another body's mediator cannot announce themselves on the case.
	c, closeC := consoleTab(t, root, e.srv.URL, "dongchang")
	defer closeC()
	if err := chromedp.Do(c, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`new WebSocket("ws://"+location.host+"/console/ws").onopen = function(){ this.send(JSON.stringify({watch:%q})) }`, id))); err != nil {
		t.Fatal(err)
	}

	// The supervisor closes the tab: gone from liuhe's page at once.
	closeB()
	waitAlone(t, a)
	if vs, err := e.app.store.Viewers(context.Background(), id, e.app.server.Web.Now()); err != nil || len(vs) != 1 {
		t.Fatalf("viewers after one left: %q %v", vs, err)
	}
}

// Across instances on one Redis: a page served by A and a page served by
// B show each other live, and a tab closed on B leaves A's page.
func TestPresenceAcrossInstances(t *testing.T) {
	root := newBrowser(t)
	c := newCluster(t)
	for _, name := range []string{"liuhe", "liuhe-lead"} {
		hash, err := handlers.HashPassword("password-" + name)
		if err != nil {
			t.Fatal(err)
		}
		role := store.RoleMediator
		if name == "liuhe-lead" {
			role = store.RoleSupervisor
		}
		if err := c.st.PutUser(context.Background(), store.User{Name: name, Role: role, Body: "lh-labor", PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	const who = "oPresenceMulti"
	for _, text := range []string{"在柳河县的木材厂干了半年，老板跑了，工资一分没给", "同意", "跳过", "1"} {
		deliver(t, c.ca, c.ca.Text(who, text))
	}
	cs := c.cases(t, who)
	if len(cs) != 1 {
		t.Fatalf("cases %+v", cs)
	}
	id := cs[0].ID
	baseA, baseB := "http://"+c.a.addr, "http://"+c.b.addr

	a, closeA := consoleTab(t, root, baseA, "liuhe")
	defer closeA()
	if err := chromedp.Do(a, chromedp.Navigate(baseA+"/console/cases/"+id), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	b, closeB := consoleTab(t, root, baseB, "liuhe-lead")
	if err := chromedp.Do(b, chromedp.Navigate(baseB+"/console/cases/"+id), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, a, `#presence`, "liuhe-lead 也在查看此案件")
	waitText(t, b, `#presence`, "liuhe 也在查看此案件")
	closeB()
	waitAlone(t, a)
}
