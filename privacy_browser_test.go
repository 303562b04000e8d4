package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiefen/store"
	"jiefen/wxsim"
)

// In a real browser the AI-written summary reads with its label, under the
// summary, in the queue and on the case page.
func TestAILabelInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	answer, _ := json.Marshal(map[string]any{"type": "labor", "urgent": false, "region": "柳河县",
		"summary": "木材厂老板拖欠半年工资后失联", "missing": []string{}})
	llmURL, _ := recordingLLM(t, string(answer))
	e := newEnv(t, envOptions{mode: wxsim.Safe, openAI: llmURL, aiModel: "通义千问", aiFiling: "Beijing-TongYiQianWen-20230831"})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	id := e.fileCase("oBrowserAILabel", "在柳河县的木材厂干了半年，老板跑了，工资一分没给")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/console/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "liuhe"),
		chromedp.SendKeys(`input[name=password]`, "password-liuhe"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#case-`+id+` .ai-label`),
	)
	if err != nil {
		t.Fatal(err)
	}
	queueText, err := chromedp.Run(ctx, chromedp.Text(`#case-`+id+` td.summary`))
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "ai-label-queue")
	if err := chromedp.Do(ctx, chromedp.Click(`#case-`+id+` a`), chromedp.WaitVisible(`#summary .ai-label`)); err != nil {
		t.Fatal(err)
	}
	caseText, err := chromedp.Run(ctx, chromedp.Text(`#summary`))
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "ai-label-case")
	const label = "（本条由AI生成，模型：通义千问，备案号：Beijing-TongYiQianWen-20230831）"
	for what, text := range map[string]string{"queue": queueText, "case page": caseText} {
		if !strings.Contains(text, "木材厂老板拖欠半年工资后失联") || !strings.Contains(text, label) {
			t.Errorf("%s shows %q", what, text)
		}
	}
}
