package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// A mediator invites the other side from the case page: the printable
// invitation shows the QR code (the platform's image) and the link; back
// on the case page, the respondent's scan, consent and words appear
// without reloading, and a reply goes to the respondent alone.
func TestPartyInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who, respondent = "oBrowserClaimant", "oBrowserRespondent"
	id := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	consoleLogin(t, ctx, e.srv.URL, "liuhe")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`#thread`),
		chromedp.Click(`details.invite summary`),
		chromedp.SendKeys(`form.invite input[name=name]`, "李老板"),
		chromedp.SendKeys(`form.invite input[name=phone]`, "13812345678"),
		chromedp.Click(`form.invite button`),
		chromedp.WaitVisible(`.invitation-sheet`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `.invitation-sheet`, "李老板")
	waitText(t, ctx, `.invitation-sheet .url`, "/c/"+id+"-R1/")
	// The image loaded: the platform's PNG, not a broken image.
	waitFor(t, ctx, "the QR code's image", func() (bool, string) {
		w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("qr").naturalWidth`))
		return err == nil && w > 0, fmt.Sprintf("width %v, %v", w, err)
	})
	shot(t, ctx, "party-invitation")

	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/console/cases/"+id), chromedp.WaitVisible(`#parties`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#parties`, "已邀请")
	greeting := e.scan(respondent, id+"-R1")
	mustContain(t, greeting, id, "同意调解", "不同意")
	waitText(t, ctx, `#parties`, "已加入")
	e.say(respondent, "同意调解")
	waitText(t, ctx, `#parties`, "同意调解")
	e.say(respondent, "我没跑，就是最近资金周转不开")
	waitText(t, ctx, `#thread`, "资金周转不开")
	waitText(t, ctx, `#thread`, "被申请人李老板")

	err = chromedp.Do(ctx,
		chromedp.SendKeys(`form.reply textarea`, "李老板，请您说一下能在哪天前付清。"),
		chromedp.SetValue(`form.reply select[name=to]`, "respondent"),
		chromedp.Click(`form.reply button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reply at the respondent's WeChat", func() bool { return e.sent(respondent, "哪天前付清") > 0 })
	waitText(t, ctx, `#thread`, "→ 被申请人李老板")
	if e.sent(who, "哪天前付清") != 0 {
		t.Fatal("the claimant got the reply meant for the respondent")
	}
	shot(t, ctx, "case-parties")
	page, err := chromedp.Run(ctx, chromedp.Text(`#parties`))
	if err != nil || !strings.Contains(page, "微信") {
		t.Fatalf("the respondent's window is not shown: %q %v", page, err)
	}

	// Invited the wrong person: the mediator withdraws the invitation,
	// which asks first; the respondent is told, and the list says so.
	err = chromedp.Do(ctx,
		chromedp.Click(`#parties details.withdraw summary`),
		chromedp.WaitVisible(`#parties details.withdraw button`),
		chromedp.Click(`#parties details.withdraw button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#parties`, "邀请已撤回")
	waitText(t, ctx, `#thread`, "李老板：邀请已撤回")
	eventually(t, "the respondent told", func() bool { return e.sent(respondent, "已撤回对您的调解邀请") > 0 })
	shot(t, ctx, "case-party-withdrawn")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#parties details.withdraw").length`)); err != nil || n != 0 {
		t.Errorf("a withdrawn invitation still offers 撤回邀请: %d %v", n, err)
	}
}
