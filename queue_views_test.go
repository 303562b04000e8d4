package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/store"
	"jiefen/wxsim"
)

// viewCount reads a view's count from the queue page's tabs.
func viewCount(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(name + ` <span class="count">(\d+)</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no view %q on the page", name)
	}
	return m[1]
}

// The views a mediator lives in, with their counts: mine, unassigned,
// waiting for the citizen, due soon and overdue, sorted by due time.
func TestQueueViews(t *testing.T) {
	clock := newTestClock("w0 Tue 09:00")
	e := newEnv(t, envOptions{mode: wxsim.Safe, now: clock.Now})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	mine := e.fileCase("oViewsMine", "我在柳河县工地干了三个月，老板拖欠工资一直不给")
	clock.advance(time.Hour)
	free := e.fileCase("oViewsFree", "在柳河县饭店打工，老板两个月工资没给")

	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/cases/" + mine)
	for _, step := range []struct{ path, text string }{{"take", ""}, {"reply", "您好，请问您方便接电话的时间？"}} {
		if code := b.post("/console/cases/"+mine+"/"+step.path, url.Values{"csrf": {b.csrf}, "text": {step.text}}); code != http.StatusSeeOther {
			t.Fatalf("%s: %d", step.path, code)
		}
	}
	_, page := b.get("/console/")
	for name, want := range map[string]string{"全部": "2", "我的": "1", "未接手": "1", "等市民回复": "1", "已超期": "0"} {
		if got := viewCount(t, page, name); got != want {
			t.Errorf("view %s counts %s, want %s", name, got, want)
		}
	}
	if _, p := b.get("/console/?view=mine"); !strings.Contains(p, mine) || strings.Contains(p, free) {
		t.Fatal("the view 我的 lists another's case or misses one's own")
	}
	// The citizen answers: no longer waiting for them.
	e.say("oViewsMine", "明天上午都可以")
	if _, p := b.get("/console/"); viewCount(t, p, "等市民回复") != "0" {
		t.Fatal("a case the citizen answered still waits for them")
	}
	// Days later both are past their acceptance limit: overdue, the older first.
	clock.advance(15 * 24 * time.Hour)
	b.login("liuhe", "password-liuhe") // the session ended meanwhile
	_, p := b.get("/console/?view=overdue")
	if viewCount(t, p, "已超期") != "2" || strings.Index(p, "case-"+mine) > strings.Index(p, "case-"+free) {
		t.Fatalf("overdue view: %q", p)
	}
}
