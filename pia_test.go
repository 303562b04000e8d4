package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"jiefen/bot"
	"jiefen/internal/testdate"
	"jiefen/retention"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/sqlite"
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
