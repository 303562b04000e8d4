package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
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
	shotBoth(t, ctx, "message-failed")
	if err := chromedp.Do(ctx, chromedp.Click(`#thread form.retry button`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#thread .delivery.sent`, "已送达")
	eventually(t, "the retried message at the citizen", e.delivered(who, "方便接电话"))
}

// A reply drafted while the citizen wrote again is not sent past their
// words: the page comes back with the new message and the draft kept;
// sent again, having seen it, it goes.
func TestReplyDraftedWhileTheCitizenWrote(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oDraftCitizen"
	id := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	_, page := b.get("/console/cases/" + id)
	seen := seenRe.FindStringSubmatch(page)
	if seen == nil {
		t.Fatal("no seen field in the reply form")
	}
	e.say(who, "对了，老板上周说这个月底一定给")
	form := url.Values{"csrf": {b.csrf}, "text": {"您好，我们约老板周三来调解。"}, "seen": {seen[1]}}
	code, page := b.postPage("/console/cases/"+id+"/reply", form)
	if code != http.StatusConflict {
		t.Fatalf("a reply past a new message: %d", code)
	}
	mustContain(t, page, "市民刚发来新消息", "这个月底一定给", "您好，我们约老板周三来调解。")
	if strings.Contains(strings.Join(texts(e.platform.Deliveries(who)), "\n"), "约老板周三") {
		t.Fatal("the reply went out anyway")
	}
	form.Set("seen", seenRe.FindStringSubmatch(page)[1])
	if code, _ := b.postPage("/console/cases/"+id+"/reply", form); code != http.StatusSeeOther {
		t.Fatalf("the reply sent having seen it: %d", code)
	}
	eventually(t, "the reply at the citizen", e.delivered(who, "约老板周三"))
}

var seenRe = regexp.MustCompile(`name="seen" value="(\d+)"`)

func texts(ds []wxsim.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Text)
	}
	return out
}

// A body's supervisor edits its quick replies; its mediator inserts the
// second with Alt+2 and sends it; a mediator may not edit them.
func TestQuickRepliesEditedAndInserted(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("liuhe-lead", store.RoleSupervisor, "lh-labor")
	const who = "oQuickCitizen"
	id := e.fileCase(who, "在柳河县饭店打工，老板两个月工资没给")

	med := e.browser()
	med.login("liuhe", "password-liuhe")
	med.get("/console/")
	if code := med.post("/console/bodies/lh-labor/replies", url.Values{"csrf": {med.csrf}, "replies": {"x"}}); code != http.StatusForbidden {
		t.Fatalf("a mediator editing quick replies: %d", code)
	}
	lead := e.browser()
	lead.login("liuhe-lead", "password-liuhe-lead")
	lead.get("/console/bodies/lh-labor/replies")
	form := url.Values{"csrf": {lead.csrf}, "replies": {"您好，已收到。\n请把工资条拍照发在这里，方便核对。\n"}}
	if code := lead.post("/console/bodies/lh-labor/replies", form); code != http.StatusSeeOther {
		t.Fatalf("saving quick replies: %d", code)
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/login"),
		chromedp.SendKeys(`input[name=name]`, "liuhe"),
		chromedp.SendKeys(`input[name=password]`, "password-liuhe"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`form.reply textarea`),
		chromedp.Focus(`form.reply textarea`),
		chromedp.KeyEvent("2", chromedp.KeyModifiers(chromedp.ModifierAlt)),
	)
	if err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(ctx, chromedp.Value(`form.reply textarea`))
	if err != nil || box != "请把工资条拍照发在这里，方便核对。" {
		t.Fatalf("Alt+2 put %q (%v) in the reply box", box, err)
	}
	shotBoth(t, ctx, "quick-replies")
	if err := chromedp.Do(ctx, chromedp.Click(`form.reply button`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the quick reply at the citizen", e.delivered(who, "工资条拍照"))
}
