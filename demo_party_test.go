package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// The other party in the demo, by hand: a mediator invites from the
// console; a second simulated person (/demo/?who=2, not following yet)
// scans the code with 扫码, is greeted, and agrees.
func TestDemoSecondPersonScans(t *testing.T) {
	ctx := newBrowser(t)
	addr := freeAddr(t)
	env := map[string]string{"JIEFEN_ADDR": addr, "JIEFEN_DATA": t.TempDir()}
	out := &syncBuffer{}
	dctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDemo(dctx, func(k string) string { return env[k] }, out, &syncBuffer{}) }()
	t.Cleanup(func() { stop(); <-done })
	base := "http://" + addr
	waitHealthy(t, base)

	say := func(text, want string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(`#text`, text+"\n")); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, `#chat`, want)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(`#text`)); err != nil {
		t.Fatal(err)
	}
	say("我在柳河县工地干了三个月活，老板一直拖着工资不给", "同意")
	say("同意", "联系电话")
	say("跳过", "回复 1 确认")
	say("1", "登记成功")
	chat, err := chromedp.Run(ctx, chromedp.Text(`#chat`))
	if err != nil {
		t.Fatal(err)
	}
	id := caseIDRe.FindString(chat)

	pw := regexp.MustCompile(`liuhe\s+密码 (\S+)`).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("no password for liuhe in %q", out.String())
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if code := b.login("liuhe", pw[1]); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/parties", url.Values{"csrf": {b.csrf}, "name": {"王老板"}}); code != http.StatusSeeOther {
		t.Fatalf("invite: %d", code)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/demo/?who=2"), chromedp.WaitVisible(`#text`),
		chromedp.Click(`#scan`), chromedp.WaitVisible(`#codes button.scan`), chromedp.Click(`#codes button.scan`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#chat`, "不同意")
	waitText(t, ctx, `#chat`, id)
	say("同意调解", "已记录")
	shot(t, ctx, "demo-respondent")
}
