package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/bot"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// waitValue waits until a form field's value is want.
func waitValue(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf("%s holding %q", sel, want), func() (bool, string) {
		got, err := chromedp.Run(ctx, chromedp.Value(sel))
		return err == nil && got == want, fmt.Sprintf("%q, %v", got, err)
	})
}

// shotBoth screenshots the page at desktop size and at a 390×844 phone
// (same page, reflowed, not reloaded: a page answering a POST stays as
// it is), and fails when on the phone the page scrolls sideways.
func shotBoth(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot(t, ctx, name)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil || width > 391 {
		t.Errorf("%s on a 390 px phone is %.0f px wide: it scrolls sideways (%v)", name, width, err)
	}
	shot(t, ctx, name+"-phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
}

func consoleLogin(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, name),
		chromedp.SendKeys(`input[name=password]`, "password-"+name),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// A mediator's day in the browser, each page seen at desktop and phone
// size: the queue's views with their counts and the deadline column; a
// view chosen; a reply drafted while the citizen wrote again (shown live,
// the draft kept; on a page that missed it, sent back with the new
// message); the status offering forward moves first and asking a reason
// for a step back, the refusal inside the console's layout with the way
// back; a supervisor taking the case over is asked first, and the
// mediator's open page says who has it.
func TestConsoleDailyWorkInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("liuhe-lead", store.RoleSupervisor, "lh-labor")
	const who = "oDailyCitizen"
	mine := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	other := e.fileCase("oDailyOther", "在柳河县饭店打工，老板两个月工资没给")
	med := e.browser()
	med.login("liuhe", "password-liuhe")
	med.get("/console/cases/" + mine)
	if code := med.post("/console/cases/"+mine+"/take", url.Values{"csrf": {med.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("take: %d", code)
	}

	consoleLogin(t, ctx, e.srv.URL, "liuhe")
	waitText(t, ctx, `nav.views`, "我的 1")
	waitText(t, ctx, `nav.views`, "未接手 1")
	waitText(t, ctx, `#case-`+other+` td.deadline`, "受理期限")
	shotBoth(t, ctx, "queue-views")
	if err := chromedp.Do(ctx, chromedp.Click(`nav.views a[href*="view=unassigned"]`), chromedp.WaitVisible(`#case-`+other)); err != nil {
		t.Fatal(err)
	}
	if rows, _ := chromedp.Run(ctx, chromedp.Text(`#rows`)); strings.Contains(rows, mine) {
		t.Fatalf("the unassigned view lists a taken case: %q", rows)
	}

	// A reply being drafted when the citizen writes: the message shows
	// above it, live, and the draft stays.
	const draft = "您好，我们约老板周三来调解。"
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/cases/"+mine),
		chromedp.WaitVisible(`form.reply textarea`),
		chromedp.SendKeys(`form.reply textarea`, draft),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#presence`, "查看此案件") // the page's stream is open: it says who else is here
	e.say(who, "对了，老板上周说这个月底一定给")
	waitText(t, ctx, `#thread`, "这个月底一定给")
	if box, _ := chromedp.Run(ctx, chromedp.Value(`form.reply textarea`)); box != draft {
		t.Fatalf("the draft became %q", box)
	}
	// A page that missed it (its connection was down): the reply comes
	// back with the citizen's new words and the draft, not sent.
	e.say(who, "老板的电话是13800001111")
	waitText(t, ctx, `#thread`, "13800001111") // then the page "misses" it
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("form.reply input[name=seen]").value = "1"`),
		chromedp.Click(`form.reply button`),
		chromedp.WaitVisible(`form.reply p.problem`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `form.reply p.problem`, "市民刚发来新消息")
	waitText(t, ctx, `#thread`, "13800001111")
	if box, _ := chromedp.Run(ctx, chromedp.Value(`form.reply textarea`)); box != draft {
		t.Fatalf("the draft came back as %q", box)
	}
	shotBoth(t, ctx, "reply-after-new-message")
	if err := chromedp.Do(ctx, chromedp.Click(`form.reply button`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitValue(t, ctx, `form.reply textarea`, "") // sent: the page came back with an empty box
	eventually(t, "the reply at the citizen", e.delivered(who, "约老板周三"))

	// The supervisor opens the case liuhe has: taking it asks first.
	lead, closeLead := consoleTab(t, ctx, e.srv.URL, "liuhe-lead")
	defer closeLead()
	err = chromedp.Do(lead,
		chromedp.Navigate(e.srv.URL+"/console/cases/"+mine),
		chromedp.WaitVisible(`details.takeover summary`),
		chromedp.Click(`details.takeover summary`),
		chromedp.WaitVisible(`details.takeover button`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, lead, `details.takeover`, "此案件现由 liuhe 办理")
	shotBoth(t, lead, "takeover-ask")
	if err := chromedp.Do(lead, chromedp.Click(`details.takeover button`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, lead, `#facts`, "liuhe-lead")
	// liuhe's open page: who has it now, and the thread says it was taken from them.
	waitText(t, ctx, `#facts`, "liuhe-lead")
	waitText(t, ctx, `#thread`, "liuhe-lead 接手了案件（原由 liuhe 办理）")
	shotBoth(t, ctx, "taken-over")

	// Status: forward moves first; a step back asks why, on a page of
	// the console with the way back.
	for _, to := range []dispute.Status{dispute.Accepted, dispute.Mediating} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/console/cases/"+mine),
			chromedp.WaitVisible(`form.status select`),
			chromedp.SetValue(`form.status select`, string(to)),
			chromedp.Click(`form.status button`),
		)
		if err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, `#status`, to.Name()) // the form's answer came back
	}
	waitText(t, ctx, `#status`, "调解中")
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form.status select").options[0].value`))
	if err != nil || first != "resolved" {
		t.Fatalf("the status list opens on %q (%v), not a forward move", first, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(`form.status select`, "resolved"),
		chromedp.Click(`form.status button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#status`, "调解成功")
	back, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form.status select optgroup").label + ": " + document.querySelector("form.status select optgroup").textContent`))
	if !strings.Contains(back, "需写明原因") || !strings.Contains(back, "退回“调解中”") {
		t.Fatalf("the step back: %q (%v)", back, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(`form.status select`, "mediating"),
		chromedp.Click(`form.status button`),
		chromedp.WaitVisible(`main.problem-page`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `.problem`, "请写明原因")
	waitText(t, ctx, `.next`, "返回案件 "+mine)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`.top`)); err != nil {
		t.Fatal("the refusal is not inside the console's layout")
	}
	shotBoth(t, ctx, "error-in-layout")
	if err := chromedp.Do(ctx, chromedp.Click(`.next a`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#status`, "调解成功")

}

// The citizen's page at each stage, on a phone (and a desktop): only what
// applies (the acceptance date while referred; the video while
// mediating; after the end no video and no "会提醒您", and a form to
// write). Subscription notices are offered: outside WeChat the card says
// to open the page there; in "WeChat" (wxsim's stand-in JS-SDK, which
// checks wx.config as the client does) the button shows, the popup's
// answer reaches jiefen from the platform, and a reply after the window
// closed arrives as a notice, which the console says.
func TestCitizenPageStagesInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe, publicURL: "self",
		subscribe: []bot.SubscribeTemplate{{ID: "tplStages", Long: true, CaseField: bot.DefaultSubscribeCaseField, TextField: bot.DefaultSubscribeTextField}}})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.app.server.Web.Cases.VideoURL = "https://meet.example.cn/room/{case}"
	const who = "oStagesCitizen"
	id := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	var page string
	for _, d := range e.platform.Deliveries(who) {
		if l := linkRe.FindString(d.Text); l != "" {
			page = l
		}
	}
	if !strings.HasPrefix(page, e.srv.URL+"/c/") {
		t.Fatalf("the chat's link %q", page)
	}
	med := e.browser()
	med.login("liuhe", "password-liuhe")
	act := func(action string, form url.Values) {
		t.Helper()
		med.get("/console/cases/" + id)
		form.Set("csrf", med.csrf)
		if code := med.post("/console/cases/"+id+"/"+action, form); code != http.StatusSeeOther {
			t.Fatalf("%s: %d", action, code)
		}
	}
	open := func(name string, wants ...string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(`header .status`)); err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			waitText(t, ctx, `main`, w)
		}
		width, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if width > 391 {
			t.Errorf("%s: %.0f px wide on a 390 px phone", name, width)
		}
		shot(t, ctx, name)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
			t.Fatal(err)
		}
		shot(t, ctx, name+"-desktop")
	}
	lacks := func(name string, words ...string) {
		t.Helper()
		body, _ := chromedp.Run(ctx, chromedp.Text(`main`))
		for _, w := range words {
			if strings.Contains(body, w) {
				t.Fatalf("%s: the page still says %q", name, w)
			}
		}
	}

	// Outside WeChat: no JS-SDK answers (the real one is not reachable
	// from the test), so the card says where to subscribe.
	open("citizen-referred", "已转交", "前受理", "进展通知", "订阅后", "请在微信里打开本页面订阅")
	lacks("citizen-referred", "视频调解")
	act("status", url.Values{"status": {"accepted"}})
	act("status", url.Values{"status": {"mediating"}})
	start := time.Now().Add(26 * time.Hour).In(time.FixedZone("CST", 8*3600))
	act("video", url.Values{"start": {start.Format("2006-01-02T15:04")}})
	open("citizen-mediating", "调解中", "进入视频调解", "会在微信里提醒您")

	// In "WeChat": the stand-in JS-SDK, and the reader is this citizen.
	e.app.server.Web.JSSDKURL = e.api.URL + wxsim.JSSDKPath
	e.platform.SetOnPopup(func(openID string, answers []wxsim.PopupAnswer) {
		if _, err := e.client.Deliver(context.Background(), e.client.SubscribePopup(openID, answers...)); err != nil {
			t.Error(err)
		}
	})
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(page),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("wxsim-openid", "`+who+`")`),
		chromedp.Reload(),
		chromedp.WaitVisible(`#subscribe.ready`),
	)
	if err != nil {
		t.Fatal("wx.config was not accepted by the stand-in WeChat client: ", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitNotVisible(`#subscribe .outside-wechat`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "citizen-subscribe-button")
	// The button is inside the open tag's shadow root, as WeChat renders it.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("subscribe-button").shadowRoot.querySelector("button").click()`),
		chromedp.WaitVisible(`.wxsim-popup`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "citizen-subscribe-popup")
	if err := chromedp.Do(ctx, chromedp.Click(`.wxsim-popup .wxsim-accept`), chromedp.WaitVisible(`#subscribed`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the consent recorded", func() bool {
		subs, _ := e.app.store.Subscriptions(context.Background(), who)
		return len(subs) == 1 && subs[0].Long && subs[0].Usable()
	})
	open("citizen-subscribed", "您已订阅进展通知")

	// Two days later the mediator replies: it goes as a notice.
	if err := e.app.store.CloseWindow(context.Background(), who, e.app.server.Web.Now()); err != nil {
		t.Fatal(err)
	}
	consoleLogin(t, ctx, e.srv.URL, "liuhe")
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`form.reply textarea`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#window`, "市民订阅了进展通知")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`form.reply textarea`, "您好，明天上午十点在调解中心调解，请带上工资条。"),
		chromedp.Click(`form.reply button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#thread`, "已通过订阅通知送达")
	shotBoth(t, ctx, "case-sent-as-notice")

	act("status", url.Values{"status": {"resolved"}})
	open("citizen-resolved", "调解成功", "给调解员留言")
	lacks("citizen-resolved", "进入视频调解", "会在微信里提醒您")
}
