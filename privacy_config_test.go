package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// An LLM endpoint abroad is refused at start, by serve and demo alike,
// with a message naming the override; mainland services and local models
// start, and so does an endpoint abroad the operator explicitly allowed.
func TestLLMAbroadRefusedAtStart(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{"JIEFEN_WECHAT_APPID": testAppID, "JIEFEN_WECHAT_SECRET": testSecret,
			"JIEFEN_WECHAT_TOKEN": testToken, "JIEFEN_OPENAI_MODEL": "m", "JIEFEN_DATA": t.TempDir(), "JIEFEN_ADDR": "127.0.0.1:0"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, cmd := range []string{"serve", "demo"} {
		err := run(context.Background(), []string{cmd}, env("JIEFEN_OPENAI_URL", "https://api.openai.com/v1"), strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "JIEFEN_OPENAI_CROSS_BORDER=allow") || !strings.Contains(err.Error(), "api.openai.com") {
			t.Errorf("%s with api.openai.com: %v, want a refusal naming JIEFEN_OPENAI_CROSS_BORDER", cmd, err)
		}
	}
	for _, u := range []string{"https://api.deepseek.com/v1", "https://dashscope.aliyuncs.com/compatible-mode/v1", "http://127.0.0.1:11434/v1", "https://open.bigmodel.cn/api/paas/v4"} {
		if _, err := loadConfig(env("JIEFEN_OPENAI_URL", u)); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	if c, err := loadConfig(env("JIEFEN_OPENAI_URL", "https://api.openai.com/v1", "JIEFEN_OPENAI_CROSS_BORDER", "allow")); err != nil || !c.OpenAICrossBorder {
		t.Errorf("explicitly allowed: %v", err)
	}
	if _, err := loadConfig(env("JIEFEN_OPENAI_URL", "https://api.openai.com/v1", "JIEFEN_OPENAI_CROSS_BORDER", "yes")); err == nil || !strings.Contains(err.Error(), "JIEFEN_OPENAI_CROSS_BORDER must be allow") {
		t.Errorf("a misspelt override: %v", err)
	}
}
