package main

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"jiefen/dispute"
	"jiefen/wxsim"
)

var caseIDRe = regexp.MustCompile(`JF\d{8}-\d{4,}`)

// A citizen follows, tells their story, answers the questions, confirms,
// gets a case number, and asks for progress: in all three callback modes.
func TestIntakeEndToEnd(t *testing.T) {
	for _, mode := range []wxsim.Mode{wxsim.Plain, wxsim.Compatible, wxsim.Safe} {
		t.Run(mode.String(), func(t *testing.T) {
			e := newEnv(t, envOptions{mode: mode})
			const who = "oCitizenLabor01"
			mustContain(t, e.deliver(e.client.Event(who, "subscribe", "")), "欢迎", "个人信息")

			mustContain(t, e.say(who, "我在柳河县工地干了三个月活，包工头一直拖着工资不给，过年回不了家"), "同意")
			reply := e.say(who, "同意")
			mustContain(t, reply, "联系电话") // the region was in the story, so it is not asked
			mustContain(t, e.say(who, "我电话是 139 1234 5678"), "劳动争议", "柳河县", "13912345678", "回复 1")
			reply = e.say(who, "1")
			id := caseIDRe.FindString(reply)
			if id == "" {
				t.Fatalf("no case number in %q", reply)
			}
			mustContain(t, reply, "登记成功", "已转交")

			cs := e.cases(who)
			if len(cs) != 1 {
				t.Fatalf("want 1 case, got %d", len(cs))
			}
			c := cs[0]
			if c.ID != id || c.Type != dispute.Labor || c.Region != "柳河县" || c.Phone != "13912345678" ||
				c.Status != dispute.Referred || c.Body == "" || c.Rule == "" {
				t.Fatalf("case stored as %+v", c)
			}
			body, ok := e.app.table.Body(c.Body)
			if !ok || !strings.Contains(reply, body.Name) {
				t.Fatalf("reply %q does not name the body %q", reply, c.Body)
			}

			progress := e.say(who, "进度")
			mustContain(t, progress, id, "已转交", body.Name)

			// Later words join the case's thread instead of starting over.
			mustContain(t, e.say(who, "补充一下，包工头姓王，欠了一万二"), id)
			events, err := e.app.store.Events(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if last := lastIn(events); !strings.Contains(last, "欠了一万二") {
				t.Fatalf("addition not in the thread; last citizen message %q", last)
			}
		})
	}
}

func lastIn(events []dispute.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == dispute.MessageIn {
			return events[i].Text
		}
	}
	return ""
}

// The region is asked with numbered choices when the story has none, and
// the citizen can correct the type before the case is made.
func TestIntakeAsksRegionAndCorrectsType(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenNeighbor"
	e.say(who, "楼上邻居天天半夜在家剁东西、拖椅子，老人根本睡不着觉，说了好几次也不听")
	mustContain(t, e.say(who, "同意"), "1. 东昌区", "7. 集安市")
	mustContain(t, e.say(who, "5"), "联系电话")
	mustContain(t, e.say(who, "跳过"), "邻里纠纷", "柳河县", "未留")
	mustContain(t, e.say(who, "2"), "1. 道路交通事故纠纷", "6. 物业纠纷")
	mustContain(t, e.say(who, "6"), "物业纠纷")
	id := caseIDRe.FindString(e.say(who, "1"))
	cs := e.cases(who)
	if id == "" || len(cs) != 1 || cs[0].Type != dispute.Property || cs[0].Region != "柳河县" || cs[0].Phone != "" {
		t.Fatalf("case %q stored as %+v", id, cs)
	}
}

// The platform delivers the same message three times at once (its retries
// racing a slow answer): one case is made, and every delivery gets the
// same answer.
func TestSameMessageThreeTimesMakesOneCase(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenRetry"
	e.say(who, "去年借给朋友三万块钱，打了欠条，现在他一直躲着不还")
	e.say(who, "同意")
	e.say(who, "3")
	e.say(who, "跳过")
	confirm := e.client.Text(who, "1")
	replies := make([]string, 3)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := e.client.Send(context.Background(), confirm)
			if err != nil {
				t.Error(err)
				return
			}
			replies[i] = rep.Content
		}()
	}
	wg.Wait()
	if n := len(e.cases(who)); n != 1 {
		t.Fatalf("3 deliveries of one message made %d cases", n)
	}
	for _, r := range replies {
		if r != replies[0] || caseIDRe.FindString(r) == "" {
			t.Fatalf("deliveries answered differently: %q", replies)
		}
	}
}

// Someone in danger: told at once to call 110/120, and a case flagged
// urgent exists without any questions asked first.
func TestUrgentStory(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenDanger"
	reply := e.say(who, "我老公喝多了拿着菜刀在家里砍人，说要杀了我，我躲在厕所里")
	mustContain(t, reply, "110", "120")
	id := caseIDRe.FindString(reply)
	cs := e.cases(who)
	if id == "" || len(cs) != 1 || !cs[0].Urgent || cs[0].ID != id {
		t.Fatalf("urgent story: reply %q, cases %+v", reply, cs)
	}
	events, _ := e.app.store.Events(context.Background(), id)
	var flagged bool
	for _, ev := range events {
		flagged = flagged || (ev.Kind == dispute.Note && strings.Contains(ev.Text, "综治中心"))
	}
	if !flagged {
		t.Fatal("urgent case not recorded as reported to the duty desk")
	}
}

// Greetings get help, not a case; commands work; withdrawal asks first.
func TestCommandsAndChatter(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	const who = "oCitizenChatter"
	hello := e.say(who, "你好")
	mustContain(t, hello, "您好", "帮助")
	if strings.Contains(hello, "【使用帮助】") {
		t.Fatalf("a greeting is answered with the whole help text: %q", hello)
	}
	mustContain(t, e.say(who, "进度"), "还没有")
	mustContain(t, e.say(who, "帮助"), "使用帮助")
	if n := len(e.cases(who)); n != 0 {
		t.Fatalf("chatter made %d cases", n)
	}
	mustContain(t, e.deliver(e.client.Event(who, "CLICK", "JF_HELP")), "使用帮助")

	e.say(who, "在网上买的羽绒服质量太差，跑绒严重，商家不给退货")
	e.say(who, "同意")
	e.say(who, "1")
	e.say(who, "跳过")
	id := caseIDRe.FindString(e.say(who, "确认"))
	mustContain(t, e.say(who, "撤回"), id, "确定撤回")
	mustContain(t, e.say(who, "1"), "已撤回")
	if cs := e.cases(who); len(cs) != 1 || cs[0].Status != dispute.Withdrawn {
		t.Fatalf("after withdrawal: %+v", cs)
	}
	// With no case open, 人工 puts the citizen in the fallback body's queue.
	id = caseIDRe.FindString(e.say(who, "人工"))
	k, err := e.app.store.Case(context.Background(), id)
	if fb, _ := e.app.table.Fallback(); err != nil || k.Body != fb.ID {
		t.Fatalf("人工 without a case: %q %+v %v", id, k, err)
	}
}

// A voice message with the platform's transcript is read like text; one
// without is kept for a mediator; an image on an open case is downloaded
// through the platform API and kept as evidence.
func TestVoiceAndImage(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenVoice"
	e.platform.AddMedia("voice-1", "audio/amr", []byte("#!AMR\n..."))
	mustContain(t, e.deliver(e.client.Voice(who, "voice-1", "")), "语音", "文字")
	mustContain(t, e.deliver(e.client.Voice(who, "voice-2", "小区物业费涨了一倍电梯还天天坏 我在梅河口市")), "同意")
	e.say(who, "同意")
	e.say(who, "跳过")
	id := caseIDRe.FindString(e.say(who, "1"))
	if id == "" {
		t.Fatal("no case from the voice story")
	}
	events, _ := e.app.store.Events(context.Background(), id)
	var voiceKept bool
	for _, ev := range events {
		voiceKept = voiceKept || ev.MediaID == "voice-1"
	}
	if !voiceKept {
		t.Fatal("the unrecognised voice message is not on the case")
	}

	png := []byte("\x89PNG\r\n\x1a\nfake image bytes")
	e.platform.AddMedia("img-1", "image/png", png)
	mustContain(t, e.deliver(e.client.Image(who, "img-1", "")), "证据")
	eventually(t, "the image to be downloaded", func() bool {
		m, err := e.app.store.Media(context.Background(), "img-1")
		return err == nil && string(m.Data) == string(png) && m.CaseID == id
	})
}

// A citizen who goes silent mid-way picks up where they left, even after a
// restart; a retry of a message from before the restart changes nothing.
func TestDialogAndDedupSurviveRestart(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenRestart"
	e.say(who, "工厂往河里排污水，哈尼河的鱼都死了，在集安")
	first := e.client.Text(who, "同意")
	reply := e.deliver(first)
	e.stop()

	e2 := startEnv(t, envOptions{mode: wxsim.Safe, dir: e.dir}, e.platform, e.api)
	again, err := e2.client.Send(context.Background(), first)
	if err != nil || again.Content != reply {
		t.Fatalf("retry after restart answered %q (%v), first answer %q", again.Content, err, reply)
	}
	mustContain(t, e2.say(who, "跳过"), "生态环境纠纷", "集安市")
	if id := caseIDRe.FindString(e2.say(who, "1")); id == "" {
		t.Fatal("no case after restart")
	}
	if n := len(e2.cases(who)); n != 1 {
		t.Fatalf("%d cases", n)
	}
}

func TestVerifyHandshake(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	if err := e.client.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}
