package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// A message the platform refused for good (the citizen had unfollowed)
// shows as failed, with the reason in words, and a retry once they follow
// again delivers it; the page shows the new state without reloading.
func TestFailedMessageRetriedInTheConsole(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oRetryCitizen"
	id := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/login"),
		chromedp.SendKeys(`input[name=name]`, "liuhe"),
		chromedp.SendKeys(`input[name=password]`, "password-liuhe"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	e.platform.FailNext(1, 43004) // not a follower: no retry helps
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`form.reply textarea`, "您好，请问您方便接电话的时间？"),
		chromedp.Click(`form.reply button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Live: no reload between "发送中" and the failure.
	waitText(t, ctx, `#thread .delivery.failed`, "市民已取消关注公众号")
	shot(t, ctx, "message-failed")
	if err := chromedp.Do(ctx, chromedp.Click(`#thread form.retry button`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#thread .delivery.sent`, "已送达")
	eventually(t, "the retried message at the citizen", e.delivered(who, "方便接电话"))
}
