package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// The queue with a search on stays the search's answer while cases arrive
// live: a new case that does not match it is not added; one that matches
// is; a case that comes to match it (a message with the word) joins it.
func TestQueueSearchStaysLive(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	first := e.fileCase("oSearchLiveA", "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "liuhe"),
		chromedp.SendKeys(`input[name=password]`, "password-liuhe"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
		chromedp.SendKeys(`input[name=q]`, "木材厂"),
		chromedp.Submit(`input[name=q]`),
		chromedp.WaitVisible(`#case-`+first),
		chromedp.WaitVisible(`#live.on`),
	)
	if err != nil {
		t.Fatal(err)
	}
	other := e.fileCase("oSearchLiveB", "在柳河县的饭店打工半年，老板一直拖欠工资不给")
	match := e.fileCase("oSearchLiveC", "柳河县木材厂拖欠我两个月工资，老板不接电话")
	waitText(t, ctx, `#rows`, match)
	got, err := chromedp.Run(ctx, chromedp.Text(`#rows`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, other) || !strings.Contains(got, first) {
		t.Fatalf("with 木材厂 searched, the queue holds %q: want %s and %s, not %s", got, first, match, other)
	}
	shot(t, ctx, "queue-search-live")
	// The other case's citizen names the word: now it matches.
	e.say("oSearchLiveB", "补充：我之前也在木材厂干过，那边也没给钱")
	waitText(t, ctx, `#rows`, other)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#case-`+other+` .badge.unread`)); err != nil {
		t.Fatal(err)
	}
}
