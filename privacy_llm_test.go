package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// recordingLLM is an OpenAI-compatible stand-in that keeps every request
// body it receives and answers with a summary that uses the placeholders
// it was sent.
func recordingLLM(t *testing.T, answer string) (url string, bodies func() []string) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(raw))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}]}`, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// The whole way from the chat: what the LLM receives holds none of the
// citizen's name, phone, ID or bank number or address; the summary it
// wrote comes back with the names, and is labelled as AI-written (with the
// model's name and filing number) wherever it is shown: the console's
// queue and case page, the citizen's case page, the API.
func TestLLMMaskedAndLabelled(t *testing.T) {
	answer, _ := json.Marshal(map[string]any{"type": "labor", "urgent": false, "region": "柳河县",
		"summary": "【姓名2】拖欠【姓名1】三个月工资12000元", "missing": []string{}})
	llmURL, bodies := recordingLLM(t, string(answer))
	e := newEnv(t, envOptions{mode: wxsim.Safe, openAI: llmURL, publicURL: "https://jiefen.example",
		aiModel: "通义千问", aiFiling: "Beijing-TongYiQianWen-20230831"})
	const who = "oCitizenMasked"
	const story = "我叫王秀英，住在柳河县幸福小区3号楼2单元501室，包工头刘德胜拖欠我三个月工资12000元不给，" +
		"工资卡6222021234567890128一分没到，电话13912345678，身份证220524198503120027"
	e.say(who, story)
	// Phone and region were in the story; the card and ID numbers are
	// sensitive: their own consent comes before the confirmation.
	mustContain(t, e.say(who, "同意"), "银行卡", "身份证号码", "不同意")
	mustContain(t, e.say(who, "同意"), "请确认登记信息")
	reply := e.say(who, "1")
	id := caseIDRe.FindString(reply)
	if id == "" {
		t.Fatalf("no case: %q", reply)
	}
	sent := bodies()
	if len(sent) == 0 {
		t.Fatal("the LLM was never asked")
	}
	for _, body := range sent {
		for _, secret := range []string{"王秀英", "刘德胜", "幸福小区", "501室", "6222021234567890128", "13912345678", "220524198503120027"} {
			if strings.Contains(body, secret) {
				t.Errorf("the LLM received %q", secret)
			}
		}
	}
	k, err := e.app.store.Case(context.Background(), id)
	if err != nil || k.Summary != "刘德胜拖欠王秀英三个月工资12000元" || !k.SummaryAI {
		t.Fatalf("case summary %q (AI %v), %v", k.Summary, k.SummaryAI, err)
	}

	const label = "（本条由AI生成，模型：通义千问，备案号：Beijing-TongYiQianWen-20230831）"
	e.addUser("lhm", store.RoleMediator, k.Body)
	b := e.browser()
	b.login("lhm", "password-lhm")
	_, queue := b.get("/console/")
	if row := queueRow(queue, id); !strings.Contains(row, k.Summary) || !strings.Contains(row, label) {
		t.Errorf("the queue row lacks the summary with its label: %s", row)
	}
	_, page := b.get("/console/cases/" + id)
	if !strings.Contains(page, k.Summary+` <small class="ai-label">`+label) {
		t.Errorf("the case page lacks the labelled summary")
	}
	_, citizen := e.browser().get(strings.TrimPrefix(e.app.server.Web.Links.URL("https://jiefen.example", id), "https://jiefen.example"))
	if !strings.Contains(citizen, k.Summary) || !strings.Contains(citizen, label) {
		t.Errorf("the citizen's page lacks the labelled summary")
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/cases/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken("lhm"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct {
		SummaryAI bool   `json:"summary_ai"`
		AILabel   string `json:"ai_label"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || !c.SummaryAI || c.AILabel != label {
		t.Errorf("API: %+v, %v", c, err)
	}
}

// Without an LLM the summary is extractive: no label anywhere.
func TestLocalSummaryNotLabelled(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	id := e.fileCase("oCitizenLocalSummary", "我在柳河县工地干了三个月活，老板拖欠工资一万二不给")
	k, err := e.app.store.Case(context.Background(), id)
	if err != nil || k.SummaryAI || k.Summary == "" {
		t.Fatalf("case %+v, %v", k, err)
	}
	e.addUser("lhm", store.RoleMediator, k.Body)
	b := e.browser()
	b.login("lhm", "password-lhm")
	if _, page := b.get("/console/cases/" + id); strings.Contains(page, "本条由AI生成") || !strings.Contains(page, k.Summary) {
		t.Errorf("the case page of a local summary: labelled, or the summary missing")
	}
}

// A late LLM reading of a case filed meanwhile becomes a note for the
// mediator, labelled as AI-written.
func TestLateSuggestionLabelled(t *testing.T) {
	var delay atomic.Int64
	delay.Store(int64(2500 * time.Millisecond))
	e := newEnv(t, envOptions{mode: wxsim.Safe, openAI: fakeLLM(t, "consumer", "网购商品质量纠纷", &delay), aiModel: "通义千问"})
	const who = "oCitizenLateNote"
	e.say(who, "我在柳河县工地干了三个月活，老板拖欠工资一万二不给")
	e.say(who, "同意")
	e.say(who, "跳过")
	id := caseIDRe.FindString(e.say(who, "1"))
	if id == "" {
		t.Fatal("no case filed before the late answer")
	}
	eventually(t, "the late suggestion as a labelled note", func() bool {
		events, err := e.app.store.Events(context.Background(), id)
		if err != nil {
			return false
		}
		for _, ev := range events {
			if ev.Kind == dispute.Note && strings.Contains(ev.Text, "智能分析") && strings.HasSuffix(ev.Text, "（本条由AI生成，模型：通义千问）") {
				return true
			}
		}
		return false
	})
}

// A citizen who accepted an older notice (or one from before versions) is
// shown the current one at their next new complaint, and the acceptance is
// stored with the current version.
func TestOlderNoticeAskedAgain(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenOldNotice"
	old := time.Now().Add(-30 * 24 * time.Hour)
	if err := e.app.store.Commit(context.Background(), store.Change{Citizen: &dispute.Citizen{OpenID: who, ConsentAt: old}}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.say(who, "我在柳河县工地干了三个月活，老板拖欠工资一万二不给"), "【个人信息告知】", "同意")
	e.say(who, "同意")
	c, err := e.app.store.Citizen(context.Background(), who)
	if err != nil || c.ConsentVersion != catalog.NoticeVersion || !c.ConsentAt.After(old) {
		t.Errorf("citizen after accepting again: %+v, %v", c, err)
	}
}

// An admin reads the citizen's consents in the audit log, with the
// notice's version, under 市民.
func TestConsentInAuditPage(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	id := e.fileCase("oCitizenAuditConsent", "我在柳河县工地干了三个月活，老板拖欠工资一万二不给")
	e.addUser("admin", store.RoleAdmin, "")
	b := e.browser()
	b.login("admin", "password-admin")
	code, page := b.get("/console/audit?case=" + id + "&action=" + store.AuditConsent)
	if code != 200 {
		t.Fatalf("audit page: %d", code)
	}
	mustContain(t, page, "市民同意", "个人信息告知 "+catalog.NoticeVersion+" 同意", "市民")
}
