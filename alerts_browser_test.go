package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// The duty desk's 风险预警 page in a real browser: an alert appears without
// reloading when the third citizen files, turns red live when one of them
// threatens, and fits a phone's screen.
func TestAlertsInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("duty", store.RoleSupervisor, "tonghua-duty")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "duty"),
		chromedp.SendKeys(`input[name=password]`, "password-duty"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
		chromedp.Navigate(e.srv.URL+"/console/alerts"),
		chromedp.WaitVisible(`#open-alerts`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#open-alerts`, "目前没有")
	waitText(t, ctx, `#live`, "实时")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#live.on`)); err != nil {
		t.Fatal(err)
	}
	for i, story := range []string{"柳河县鑫达建筑欠我们工资三个月了", "我在柳河鑫达建筑干活，老板一直不给钱", "柳河县鑫达公司的工地拖欠农民工工资"} {
		e.intake(fmt.Sprint("oBrowserAlert", i), story, "柳河县", fmt.Sprintf("1381234567%d", i))
	}
	waitText(t, ctx, `#open-alerts`, "黄色预警")
	waitText(t, ctx, `#open-alerts`, "鑫达")
	e.say("oBrowserAlert2", "再不给钱我们就去市政府拉横幅")
	waitText(t, ctx, `#open-alerts`, "红色预警")
	waitText(t, ctx, `#open-alerts`, "拉横幅")
	shot(t, ctx, "alerts")

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(`#open-alerts article`)); err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil || page > 391 {
		t.Fatalf("the alerts page on a 390 px phone is %.0f px wide: it scrolls sideways (%v)", page, err)
	}
	shot(t, ctx, "alerts-phone")
}
