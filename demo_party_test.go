package main

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// The other party in the demo, by hand: a mediator invites from the
// console; a second simulated person (/demo/?who=2, not following yet)
// scans the code with 扫码, is greeted, and agrees.
func TestDemoSecondPersonScans(t *testing.T) {
	ctx := newBrowser(t)
	base, out := startDemo(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(`#text`)); err != nil {
		t.Fatal(err)
	}
	id := demoFile(t, ctx)

	b := demoMediator(t, base, out)
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/parties", url.Values{"csrf": {b.csrf}, "name": {"王老板"}}); code != http.StatusSeeOther {
		t.Fatalf("invite: %d", code)
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/demo/?who=2"), chromedp.WaitVisible(`#text`),
		chromedp.Click(`#scan`), chromedp.WaitVisible(`#codes button.scan`), chromedp.Click(`#codes button.scan`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#chat`, "不同意")
	waitText(t, ctx, `#chat`, id)
	demoSay(t, ctx, "同意调解", "已记录")
	shot(t, ctx, "demo-respondent")
}
