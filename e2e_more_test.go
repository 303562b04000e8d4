package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// fileCase runs a citizen through intake to a case and returns its number.
func (e *env) fileCase(who, story string) string {
	e.t.Helper()
	e.say(who, story)
	e.say(who, "同意")
	for _, answer := range []string{"1", "跳过", "1"} {
		if id := caseIDRe.FindString(e.say(who, answer)); id != "" {
			return id
		}
	}
	e.t.Fatalf("no case for %q", story)
	return ""
}

// Danger is recognised at any step: on an open case it is flagged urgent
// at once; mid-intake the case is made at once.
func TestUrgentAtAnyStep(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenUrgentLater"
	id := e.fileCase(who, "前夫一直不给孩子抚养费，已经拖了一年")
	reply := e.say(who, "他现在拿着刀在我家门口砸门，说要弄死我")
	mustContain(t, reply, "110", id, "紧急")
	if c, _ := e.app.store.Case(context.Background(), id); !c.Urgent {
		t.Fatal("the open case was not flagged urgent")
	}

	const other = "oCitizenUrgentMidway"
	e.say(other, "邻居家老是往我家院子里扔垃圾")
	reply = e.say(other, "他们一家人在我家门口打我爸，快来人")
	mustContain(t, reply, "110")
	cs := e.cases(other)
	if len(cs) != 1 || !cs[0].Urgent || !strings.Contains(cs[0].Story, "打我爸") {
		t.Fatalf("mid-intake danger: reply %q, cases %+v", reply, cs)
	}
}

// Additions go to the citizen's newest open case, and 进度 lists it first.
func TestAdditionsGoToTheNewestCase(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenTwoCases"
	first := e.fileCase(who, "在柳河县工地干活，老板拖欠工资三个月")
	mustContain(t, e.say(who, "新求助"), "说说")
	second := e.fileCase(who, "楼上邻居每天半夜装修，吵得睡不着")
	mustContain(t, e.say(who, "补充：楼上昨晚又吵到三点"), second)
	progress := e.say(who, "进度")
	if strings.Index(progress, second) > strings.Index(progress, first) {
		t.Fatalf("进度 lists the older case first:\n%s", progress)
	}
}

// A withdrawal asked mid-intake keeps the new complaint and comes back to
// its question; answers that carry more story keep it.
func TestInterruptionsKeepTheDraft(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenInterrupt"
	e.fileCase(who, "网上买的手机是翻新机，商家不给退")
	mustContain(t, e.say(who, "新求助"), "说说")
	e.say(who, "小区物业费一年涨了两次，电梯还经常坏")
	mustContain(t, e.say(who, "撤回"), "确定撤回")
	mustContain(t, e.say(who, "2"), "继续办理", "县区")
	mustContain(t, e.say(who, "3"), "联系电话")
	mustContain(t, e.say(who, "物业经理还骂了我们业主好几次"), "联系电话")
	mustContain(t, e.say(who, "跳过"), "物业纠纷", "通化县")
	id := caseIDRe.FindString(e.say(who, "1"))
	c, err := e.app.store.Case(context.Background(), id)
	if err != nil || c.Type != dispute.Property || !strings.Contains(c.Story, "骂了我们业主") {
		t.Fatalf("case %+v %v", c, err)
	}
}

// With an EncodingAESKey configured, a plaintext body is refused: only
// the encrypted body is covered by a signature.
func TestSafeModeRefusesPlaintext(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	plain := *e.client
	plain.Mode = wxsim.Plain
	req, err := plain.Request(plain.Text("oCitizenPlain", "我要投诉"))
	if err != nil {
		t.Fatal(err)
	}
	if code := e.post(req); code != http.StatusBadRequest {
		t.Fatalf("plaintext POST in safe mode: %d", code)
	}
}

// An intake left unfinished for days is forgotten: the new message starts
// afresh instead of joining the old story.
func TestStaleDialogStartsAfresh(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenStale"
	e.say(who, "在柳河县工地干活，老板拖欠工资三个月")
	e.say(who, "同意")
	_, d, _ := e.app.store.Conversation(context.Background(), who)
	d.UpdatedAt = d.UpdatedAt.Add(-100 * time.Hour)
	if err := e.app.store.Commit(context.Background(), store.Change{Dialog: &d}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.say(who, "预付卡的健身房突然关门了，老板联系不上"), "县区")
	id := caseIDRe.FindString(e.say(who, "1") + e.say(who, "跳过") + e.say(who, "1"))
	c, err := e.app.store.Case(context.Background(), id)
	if err != nil || strings.Contains(c.Story, "工地") || c.Type != dispute.Consumer {
		t.Fatalf("case %+v %v", c, err)
	}
}
