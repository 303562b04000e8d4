package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/store"
	"jiefen/wxsim"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.say("oCitizenOps", "你好")
	if code, _ := get(t, e.srv.URL+"/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := get(t, e.srv.URL+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	code, body := get(t, e.srv.URL+"/metrics")
	if code != 200 || !strings.Contains(body, `jiefen_http_requests_total{route="POST /wechat",code="200"} 1`) ||
		!strings.Contains(body, "jiefen_callback_seconds_count 1") {
		t.Fatalf("metrics %d:\n%s", code, body)
	}
	// A store that cannot be used makes the instance not ready.
	_ = e.app.store.Close()
	if code, body := get(t, e.srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed store: %d %s", code, body)
	}
}

// When the store cannot take a message, the callback answers 5xx so the
// platform retries, rather than acknowledging a message it did not keep.
func TestStoreFailureIsNotAcknowledged(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	_ = e.app.store.Close()
	req, err := e.client.Request(e.client.Text("oCitizenLost", "我的工资被拖欠了三个月"))
	if err != nil {
		t.Fatal(err)
	}
	if code := e.post(req); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", code)
	}
}

// Logs never carry what citizens wrote, their openids or phone numbers,
// nor the account's secrets, even at debug level.
func TestLogsCarryNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	platform := wxsim.NewPlatform(testAppID, testSecret)
	api := newAPIServer(t, platform)
	a, err := newApp(Config{DataDir: t.TempDir(), AppID: testAppID, Secret: testSecret, Token: testToken,
		AESKey: testAESKey, WeChatAPI: api, APITimeout: time.Second}, log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	ln := listen(t)
	go func() { done <- a.serve(ctx, ln) }()
	c := &wxsim.Client{URL: "http://" + ln.Addr().String() + "/wechat", Token: testToken, AESKey: testAESKey,
		AppID: testAppID, AccountID: "gh_log", Mode: wxsim.Safe, Platform: platform}
	const who, story, phone = "oSecretCitizen42", "邻居王大爷家的狗天天半夜叫", "13700001111"
	for _, s := range []string{story, "同意", "1", phone, "1"} {
		if _, err := c.Deliver(context.Background(), c.Text(who, s)); err != nil {
			t.Fatal(err)
		}
	}
	bad, _ := c.Request(c.Text(who, story))
	q := bad.URL.Query()
	q.Set("signature", "0000")
	bad.URL.RawQuery = q.Encode()
	if resp, err := http.DefaultClient.Do(bad); err == nil {
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	if !strings.Contains(logs, `"path":"/wechat"`) {
		t.Fatalf("no request lines logged:\n%s", logs)
	}
	for _, secret := range []string{who, story, phone, "王大爷", testToken, testSecret, testAESKey, "signature="} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	_, err := loadConfig(env(), "JIEFEN_WECHAT_APPID", "JIEFEN_WECHAT_SECRET")
	if err == nil || !strings.Contains(err.Error(), "JIEFEN_WECHAT_APPID is required") || !strings.Contains(err.Error(), "JIEFEN_WECHAT_SECRET is required") {
		t.Fatalf("missing variables: %v", err)
	}
	_, err = loadConfig(env("JIEFEN_WECHAT_AES_KEY", "tooShortKeyValue", "JIEFEN_WECHAT_API", "ftp://x"))
	if err == nil || !strings.Contains(err.Error(), "43-character") || !strings.Contains(err.Error(), "JIEFEN_WECHAT_API") ||
		strings.Contains(err.Error(), "tooShortKeyValue") {
		t.Fatalf("bad values: %v", err)
	}
	secretFile := t.TempDir() + "/secret"
	if err := writeFile(secretFile, "  s3cret-from-file\n"); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(env("JIEFEN_WECHAT_SECRET_FILE", secretFile))
	if err != nil || c.Secret != "s3cret-from-file" {
		t.Fatalf("secret from file: %q %v", c.Secret, err)
	}
	if _, err := loadConfig(env("JIEFEN_WECHAT_SECRET_FILE", "/nonexistent/secret")); err == nil {
		t.Fatal("an unreadable secret file passed")
	}
	if c, err := loadConfig(env()); err != nil || c.FollowUpAfter != 168*time.Hour {
		t.Fatalf("default follow-up: %v %v", c.FollowUpAfter, err)
	}
	if c, err := loadConfig(env("JIEFEN_FOLLOWUP_AFTER", "72h")); err != nil || c.FollowUpAfter != 72*time.Hour {
		t.Fatalf("follow-up 72h: %v %v", c.FollowUpAfter, err)
	}
	if c, err := loadConfig(env("JIEFEN_FOLLOWUP_AFTER", "0")); err != nil || c.FollowUpAfter != 0 {
		t.Fatalf("follow-up off: %v %v", c.FollowUpAfter, err)
	}
	for _, bad := range []string{"7d", "10m", "-1h", "3000h"} {
		if _, err := loadConfig(env("JIEFEN_FOLLOWUP_AFTER", bad)); err == nil || !strings.Contains(err.Error(), "JIEFEN_FOLLOWUP_AFTER") {
			t.Fatalf("JIEFEN_FOLLOWUP_AFTER=%s: %v", bad, err)
		}
	}
}

func TestClassifyCommand(t *testing.T) {
	in := strings.NewReader("我在柳河县工地干活，老板拖欠了三个月工资\n你好\n他拿着刀说要砍死我\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"classify"}, func(string) string { return "" }, in, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), out.String())
	}
	var first, second, third struct {
		Type       string  `json:"type"`
		Confidence float64 `json:"confidence"`
		Urgent     bool    `json:"urgent"`
		Region     string  `json:"region"`
	}
	for i, p := range []any{&first, &second, &third} {
		if err := json.Unmarshal([]byte(lines[i]), p); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	if first.Type != "labor" || first.Region != "柳河县" || first.Urgent || first.Confidence <= 0 ||
		second.Type != "none" || !third.Urgent {
		t.Fatalf("classified as %+v %+v %+v", first, second, third)
	}
}

func TestMenuCommand(t *testing.T) {
	platform := wxsim.NewPlatform(testAppID, testSecret)
	api := newAPIServer(t, platform)
	var out bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"JIEFEN_WECHAT_APPID": testAppID, "JIEFEN_WECHAT_SECRET": testSecret, "JIEFEN_WECHAT_API": api}[k]
	}
	if err := run(context.Background(), []string{"menu"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	menu := string(platform.Menu())
	for _, want := range []string{"我要求助", "查询进度", "使用帮助", "JF_NEW", "JF_PROGRESS", "JF_HELP"} {
		if !strings.Contains(menu, want) {
			t.Fatalf("menu %s lacks %s", menu, want)
		}
	}
}

// `jiefen user add` reads the password from stdin; `jiefen token create`
// prints a token the API accepts.
func TestUserAndTokenCommands(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string { return map[string]string{"JIEFEN_DATA": dir}[k] }
	var out bytes.Buffer
	err := run(context.Background(), []string{"user", "add", "--name", "wang", "--role", "mediator", "--body", "lh-labor"},
		getenv, strings.NewReader("a-long-password\n"), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"user", "add", "--name", "x", "--role", "mediator", "--body", "nowhere"},
		getenv, strings.NewReader("a-long-password\n"), &out, io.Discard); err == nil {
		t.Fatal("a body not in the table was accepted")
	}
	if err := run(context.Background(), []string{"user", "add", "--name", "y", "--role", "admin"},
		getenv, strings.NewReader("short\n"), &out, io.Discard); err == nil {
		t.Fatal("a short password was accepted")
	}
	out.Reset()
	if err := run(context.Background(), []string{"token", "create", "--user", "wang"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	if !strings.HasPrefix(token, "jft_") {
		t.Fatalf("token %q", token)
	}
	e := newEnv(t, envOptions{mode: wxsim.Plain, dir: dir})
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the new token: %d", resp.StatusCode)
	}
	// Both account changes are in the audit log, made on the command line;
	// the refused ones are not.
	entries, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{User: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, en.Action+" "+en.Detail)
	}
	if want := []string{"change token create wang " + token[:12], "change user add wang mediator lh-labor"}; !slices.Equal(got, want) {
		t.Fatalf("audit entries of the command line: %q, want %q", got, want)
	}
}
