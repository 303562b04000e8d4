package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"jiefen/bot"
	"jiefen/internal/testdate"
	"jiefen/retention"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/sqlite"
	"jiefen/wxsim"
)

// `jiefen pia` describes this deployment: every body of the routing table
// in use, the host its referrals go to (here one set in the console), the
// LLM's host and that it is masked, and the retention periods as
// configured, not the defaults.
func TestPIAExport(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutBodyWebhook(context.Background(), store.BodyWebhook{Body: "tonghua-medical",
		URL: "https://yitiao.agency.example/referrals", Secret: "s3cret-value-for-test", UpdatedBy: "admin", UpdatedAt: testdate.At("w-1 Mon 09:00")}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{"JIEFEN_DATA": dir, "JIEFEN_RETENTION": "400d",
		"JIEFEN_OPENAI_URL": "https://api.deepseek.com/v1", "JIEFEN_OPENAI_MODEL": "deepseek-chat",
		"JIEFEN_AI_MODEL_NAME": "DeepSeek", "JIEFEN_AI_FILING": "Beijing-DeepSeek-2024"}
	var out strings.Builder
	if err := run(context.Background(), []string{"pia"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	pia := out.String()
	bodies := routing.Builtin().Bodies()
	if len(bodies) < 5 {
		t.Fatalf("the built-in table has %d bodies", len(bodies))
	}
	for _, b := range bodies {
		if !strings.Contains(pia, "| "+b.Name+" | "+b.ID+" |") {
			t.Errorf("the PIA lacks body %s (%s)", b.Name, b.ID)
		}
	}
	for _, want := range []string{
		"yitiao.agency.example（控制台设置）",
		"400d", // JIEFEN_RETENTION as configured
		retention.FormatPeriod(store.StaleDialog), // abandoned intakes
		retention.FormatPeriod(bot.DedupTTL),      // dedup replies
		"api.deepseek.com", "deepseek-chat", "脱敏", "境内",
		"本条由AI生成，模型：DeepSeek，备案号：Beijing-DeepSeek-2024",
		"api.weixin.qq.com",
		"pi-2026-12",
		"不满14岁孩子的情况",
	} {
		if !strings.Contains(pia, want) {
			t.Errorf("the PIA lacks %q", want)
		}
	}
	if strings.Contains(pia, "1095d") || strings.Contains(pia, "s3cret") {
		t.Error("the PIA shows the default retention or a secret")
	}
}

// Admins download the same facts from the console (recorded as an
// export); nobody else may.
func TestPIADownload(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("admin", store.RoleAdmin, "")
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	if code, _ := b.get("/console/pia.md"); code != http.StatusForbidden {
		t.Errorf("a mediator's download: %d, want 403", code)
	}
	a := e.browser()
	a.login("admin", "password-admin")
	code, md := a.get("/console/pia.md")
	if code != http.StatusOK || !strings.Contains(md, "个人信息保护影响评估") || !strings.Contains(md, "## 三、保存期限") {
		t.Fatalf("the admin's download: %d\n%s", code, md)
	}
	for _, b := range routing.Builtin().Bodies() {
		if !strings.Contains(md, b.Name) {
			t.Errorf("the download lacks %s", b.Name)
		}
	}
	log, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{Action: store.AuditExport})
	if err != nil || len(log) != 1 || log[0].Detail != "pia.md" || log[0].User != "admin" {
		t.Errorf("audit: %+v, %v", log, err)
	}
}
