package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiefen/wxsim"
)

var linkRe = regexp.MustCompile(`https?://\S+/c/JF\d{8}-\d+/[A-Za-z0-9_-]+`)

// The link in the chat opens the citizen's case page without a password:
// status, the body, the next step, the conversation; the citizen writes to
// the mediator from it. A tampered link opens nothing.
func TestCitizenCasePage(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenPage"
	e.say(who, "在柳河县饭店打工，老板欠我两个月工资<b>不给</b>")
	e.say(who, "同意")
	e.say(who, "跳过")
	reply := e.say(who, "1")
	link := linkRe.FindString(reply)
	id := caseIDRe.FindString(reply)
	if link == "" || !strings.Contains(link, id) {
		t.Fatalf("no case link in %q", reply)
	}
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, page := get(link)
	if code != 200 {
		t.Fatalf("case page %d", code)
	}
	mustContain(t, page, id, "已转交", "柳河县劳动人事争议仲裁院", "前受理", "&lt;b&gt;不给&lt;/b&gt;")
	if strings.Contains(page, "<b>不给") {
		t.Fatal("the complaint is rendered as HTML")
	}
	if strings.Contains(page, who) {
		t.Fatal("the page shows the openid")
	}
	for _, bad := range []string{link[:len(link)-2] + "xx", strings.Replace(link, id, id[:len(id)-1]+"9", 1)} {
		if code, _ := get(bad); code != http.StatusNotFound {
			t.Fatalf("tampered link %s: %d", bad, code)
		}
	}
	resp, err := http.PostForm(link, url.Values{"text": {"我这里有工资条的照片，可以发给您"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	events, _ := e.app.store.Events(context.Background(), id)
	if last := lastIn(events); last != "我这里有工资条的照片，可以发给您" {
		t.Fatalf("the page's message is not on the thread: %q", last)
	}
	_, page = get(link)
	mustContain(t, page, "工资条的照片")
}
