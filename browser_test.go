package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// newBrowser starts Debian's headless Chromium (scripts/test installs it).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: scripts/test installs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1366, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// waitFor polls check until it holds, bounded by the browser's own
// deadline, not a few seconds: a loaded machine is slow, and a test must
// not fail for that. check says what it saw last, for the failure.
func waitFor(t *testing.T, ctx context.Context, what string, check func() (bool, string)) {
	t.Helper()
	for {
		ok, last := check()
		if ok {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s never came (last: %s)", what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf("%s showing %q", sel, want), func() (bool, string) {
		got, err := chromedp.Run(ctx, chromedp.Text(sel))
		return err == nil && strings.Contains(got, want), fmt.Sprintf("%q, %v", got, err)
	})
}

// A mediator works in a real browser: logs in; a case a citizen files
// through the callback appears in the open queue without reloading; in the
// open case page a new citizen message appears without reloading; a reply
// typed there reaches the citizen's WeChat; a status change shows.
func TestConsoleInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "liuhe"),
		chromedp.SendKeys(`input[name=password]`, "password-liuhe"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#rows`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#live`, "实时")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#live.on`)); err != nil {
		t.Fatal(err)
	}

	const who = "oBrowserCitizen"
	id := e.fileCase(who, "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	waitText(t, ctx, `#rows`, id)
	// The view counts move with it, not only the rows (they stayed at 0).
	waitText(t, ctx, `nav.views`, "未接手 1")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#case-`+id+` .badge.unread`)); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(`#case-`+id+` a`), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#thread`, "木材厂")
	waitText(t, ctx, `#presence`, "查看此案件") // the page's stream is open: it says who else is here
	e.say(who, "补充：老板姓李，电话打不通了")
	waitText(t, ctx, `#thread`, "电话打不通了")

	err = chromedp.Do(ctx,
		chromedp.SendKeys(`form.reply textarea`, "您好，我是仲裁院调解员，已收到您的材料。"),
		chromedp.Click(`form.reply button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reply at the platform", func() bool {
		for _, d := range e.platform.Deliveries(who) {
			if !d.Passive && strings.Contains(d.Text, "已收到您的材料") {
				return true
			}
		}
		return false
	})
	waitText(t, ctx, `#thread`, "已收到您的材料")
	// What became of it, in words: reloaded once the platform has it.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(`#thread`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#thread .delivery.sent`, "已送达")
	shot(t, ctx, "case-page")

	// Their supervisor takes the case meanwhile: the open page's side
	// panel says so without reloading.
	e.addUser("liuhe-lead", store.RoleSupervisor, "lh-labor")
	lead := e.browser()
	lead.login("liuhe-lead", "password-liuhe-lead")
	lead.get("/console/cases/" + id)
	if code := lead.post("/console/cases/"+id+"/take", url.Values{"csrf": {lead.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("the supervisor's take: %d", code)
	}
	waitText(t, ctx, `#facts`, "liuhe-lead")

	err = chromedp.Do(ctx,
		chromedp.SetValue(`form.status select`, "accepted"),
		chromedp.Click(`form.status button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#status`, "已受理")

	// Video mediation scheduled in the page sends the citizen time and link.
	e.app.server.Web.Cases.VideoURL = "https://meet.example.cn/room/{case}"
	start := time.Now().Add(26 * time.Hour).In(time.FixedZone("CST", 8*3600))
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`),
		chromedp.SetValue(`form.video input[name=start]`, start.Format("2006-01-02T15:04")),
		chromedp.Click(`form.video button`),
		chromedp.WaitVisible(`#thread`),
	)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the video link at the citizen", e.delivered(who, "https://meet.example.cn/room/"+id))

	// The citizen's own page, from the link in the chat, shows the status
	// and the video on a phone-sized screen.
	var link string
	for _, d := range e.platform.Deliveries(who) {
		if l := linkRe.FindString(d.Text); l != "" {
			link = l
		}
	}
	if link == "" {
		t.Fatal("no case link was sent to the citizen")
	}
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(link),
		chromedp.WaitVisible(`header .status`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `header .status`, "调解中")
	waitText(t, ctx, `.video`, "进入视频调解")
	shot(t, ctx, "citizen-page")

	// Settled; the citizen writes again from the chat. The mediator's
	// queue, open meanwhile, shows the ended case as having a new message.
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(e.srv.URL+"/console/cases/"+id),
		chromedp.WaitVisible(`form.status select`),
		chromedp.SetValue(`form.status select`, "resolved"),
		chromedp.Click(`form.status button`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#status`, "调解成功")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/console/"), chromedp.WaitVisible(`#live.on`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#case-`+id, "调解成功")
	mustContain(t, e.say(who, "谢谢，钱什么时候能到？"), id)
	waitText(t, ctx, `#case-`+id+` .badge.after-end`, "结案后新消息")
	shot(t, ctx, "queue-after-end")

	// Found by the words of what the citizen wrote after the end.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`input[name=q]`, "钱什么时候\n"),
		chromedp.WaitVisible(`#case-`+id),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := chromedp.Run(ctx, chromedp.Value(`input[name=q]`)); err != nil || q != "钱什么时候" {
		t.Fatalf("the search box after searching: %q %v", q, err)
	}
	shot(t, ctx, "queue-search")

	// On a phone the queue is a list of cards whose summary reads across
	// the screen, not one character a line.
	var width float64
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Reload(),
		chromedp.WaitVisible(`#case-`+id+` td.summary`),
	)
	if err != nil {
		t.Fatal(err)
	}
	width, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("#case-`+id+` td.summary").getBoundingClientRect().width`))
	if err != nil || width < 300 {
		t.Fatalf("the summary on a phone is %.0f px wide (%v)", width, err)
	}
	shot(t, ctx, "queue-phone")

	// The case too: one column, the reply box across the screen.
	err = chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/console/cases/"+id), chromedp.WaitVisible(`form.reply textarea`))
	if err != nil {
		t.Fatal(err)
	}
	width, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("form.reply textarea").getBoundingClientRect().width`))
	if err != nil || width < 200 {
		t.Fatalf("the reply box on a phone is %.0f px wide (%v)", width, err)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil || page > 391 {
		t.Fatalf("the case page on a 390 px phone is %.0f px wide: it scrolls sideways (%v)", page, err)
	}
	shot(t, ctx, "case-phone")
}

// shot saves a screenshot of the page as <name>.png in the directory
// JIEFEN_SCREENSHOTS names, for a person to look at; without it, nothing.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("JIEFEN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
