package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// The agreement on the case page, in a real browser: the form starts
// from the art. 29 template, a saved version shows in the side panel
// with its confirmations, and the citizen's 确认协议 shows there live.
func TestAgreementPanelInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oBrowserAgreement"
	id := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	if code := e.apiCall("POST", "/api/v1/cases/"+id+"/status", e.apiToken("liuhe"), `{"status":"accepted"}`, nil); code != http.StatusOK {
		t.Fatalf("accept: %d", code)
	}
	consoleLogin(t, ctx, e.srv.URL, "liuhe")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`#thread`),
		chromedp.Click(`details.agreement-form summary`),
	)
	if err != nil {
		t.Fatal(err)
	}
	template, err := chromedp.Run(ctx, chromedp.Value(`form.agreement textarea`))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, template, "当事人基本情况", "争议事项", "协议内容", "履行方式和期限")
	err = chromedp.Do(ctx,
		chromedp.SetValue(`form.agreement textarea`, "一、当事人：申请人张某，被申请人某木材厂。\n二、纠纷事实：木材厂欠张某工资九千元。\n三、协议内容：木材厂支付张某工资九千元。\n四、履行：2026年12月31日前银行转账。"),
		chromedp.Click(`form.agreement button`),
		chromedp.WaitVisible(`#agreement`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#agreement`, "待确认")
	waitText(t, ctx, `#thread`, "木材厂支付张某工资九千元")
	mustContain(t, e.say(who, "确认协议"), "已生效")
	waitText(t, ctx, `#agreement`, "已生效")
	waitText(t, ctx, `#judicial`, "可申请")
	shot(t, ctx, "agreement-panel")
}
