package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The demo chat as a newcomer uses it, in a real browser: a conversation to
// a case; the page closed; a mediator accepts the case meanwhile; the page
// opened again shows the whole chat and the push that came while it was
// closed.
func TestDemoChatKeepsItsHistory(t *testing.T) {
	ctx := newBrowser(t)
	base, out := startDemo(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(`#text`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#chat`, "欢迎关注")
	id := demoFile(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}

	// The demo's mediator of that body accepts the case, and the console
	// shows the notice delivered.
	b := demoMediator(t, base, out)
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/status", url.Values{"csrf": {b.csrf}, "status": {"accepted"}}); code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	eventually(t, "the notice delivered", func() bool {
		_, page := b.get("/console/cases/" + id)
		return strings.Count(page, `class="delivery sent"`) >= 1
	})

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/demo/"), chromedp.WaitVisible(`#text`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#chat`, "登记成功")
	waitText(t, ctx, `#chat`, "有新进展：已受理")
	shotBoth(t, ctx, "demo-chat")
}

// startDemo runs `jiefen demo` for the test on a free port with its own
// data, until the test ends; it returns the demo's address and what it
// printed (the console accounts).
func startDemo(t *testing.T) (string, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{"JIEFEN_ADDR": addr, "JIEFEN_DATA": t.TempDir()}
	out := &syncBuffer{}
	dctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDemo(dctx, func(k string) string { return env[k] }, out, &syncBuffer{}) }()
	t.Cleanup(func() { stop(); <-done })
	base := "http://" + addr
	waitHealthy(t, base)
	return base, out
}

// demoSay types text in the demo chat and waits for want in it.
func demoSay(t *testing.T, ctx context.Context, text, want string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#text`, text+"\n")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#chat`, want)
}

// demoFile files a wage case through the open demo chat and returns its
// number.
func demoFile(t *testing.T, ctx context.Context) string {
	t.Helper()
	demoSay(t, ctx, "我在柳河县工地干了三个月活，老板一直拖着工资不给", "同意")
	demoSay(t, ctx, "同意", "联系电话")
	demoSay(t, ctx, "跳过", "回复 1 确认")
	demoSay(t, ctx, "1", "登记成功")
	chat, err := chromedp.Run(ctx, chromedp.Text(`#chat`))
	if err != nil {
		t.Fatal(err)
	}
	return caseIDRe.FindString(chat)
}

// demoMediator is the demo's mediator liuhe logged in to the console, with
// the password the demo printed.
func demoMediator(t *testing.T, base string, out *syncBuffer) *browser {
	t.Helper()
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
	return b
}
