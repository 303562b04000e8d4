package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/bot"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// Credentials shared by the stand-in platform and jiefen in tests.
const (
	testAppID  = "wxjiefentest0001"
	testSecret = "test-secret-0123456789abcdef0123"
	testToken  = "jiefentoken"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// env is jiefen running in-process behind a real HTTP server, with the
// stand-in platform on another, and a platform client that signs and
// encrypts callbacks like WeChat.
type env struct {
	t        testing.TB
	app      *app
	srv      *httptest.Server
	api      *httptest.Server
	platform *wxsim.Platform
	client   *wxsim.Client
	dir      string
	stop     func()
}

type envOptions struct {
	mode       wxsim.Mode
	dir        string // reuse a data directory (restart tests)
	templateID string
	openAI     string                  // an OpenAI-compatible stand-in's base URL
	routes     string                  // a routing table file
	log        io.Writer               // where the app logs; nil: nowhere
	now        func() time.Time        // jiefen's, the platform's and the client's clock; nil: time.Now
	redisURL   string                  // the Redis store instead of the embedded one
	followUp   time.Duration           // JIEFEN_FOLLOWUP_AFTER; 0: none
	publicURL  string                  // JIEFEN_PUBLIC_URL, which template messages need for their link; "": none; "self": the test server
	proxied    bool                    // the test's requests come through a trusted proxy (JIEFEN_TRUSTED_PROXIES holds this machine)
	aiModel    string                  // JIEFEN_AI_MODEL_NAME
	aiFiling   string                  // JIEFEN_AI_FILING
	subscribe  []bot.SubscribeTemplate // JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES (needs publicURL)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	platform := wxsim.NewPlatform(testAppID, testSecret)
	api := httptest.NewServer(platform)
	t.Cleanup(api.Close)
	return startEnv(t, o, platform, api)
}

func startEnv(t testing.TB, o envOptions, platform *wxsim.Platform, api *httptest.Server) *env {
	t.Helper()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	cfg := Config{DataDir: o.dir, AppID: testAppID, Secret: testSecret, Token: testToken,
		WeChatAPI: api.URL, TemplateID: o.templateID, APITimeout: 2 * time.Second}
	cfg.RoutesFile, cfg.RedisURL, cfg.FollowUpAfter = o.routes, o.redisURL, o.followUp
	// The tests' agencies listen on this machine, which webhooks may not
	// reach unless an operator says so.
	cfg.WebhookAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cfg.PublicURL = o.publicURL
	cfg.SubscribeTemplates = o.subscribe
	for _, tpl := range o.subscribe {
		platform.AddSubscribeTemplate(tpl.ID, tpl.Long)
	}
	if o.proxied {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	now := time.Now
	if o.now != nil {
		now, platform.Now = o.now, o.now
	}
	if o.openAI != "" {
		cfg.OpenAIURL, cfg.OpenAIKey, cfg.OpenAIModel = o.openAI, "test-key", "test-model"
	}
	cfg.AIModelName, cfg.AIFiling = o.aiModel, o.aiFiling
	if o.mode != wxsim.Plain {
		cfg.AESKey = testAESKey
	}
	if o.templateID != "" {
		platform.AddTemplate(o.templateID)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.log != nil {
		log = slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// The server's address is known before the app is made, so that
	// publicURL "self" can name it (pages signed for the address a
	// browser has, as the JS-SDK needs).
	srv := httptest.NewUnstartedServer(nil)
	if o.publicURL == "self" {
		cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	}
	a, err := newApp(cfg, log, now)
	if err != nil {
		srv.Listener.Close()
		t.Fatal(err)
	}
	a.messenger.Poll = 20 * time.Millisecond
	srv.Config.Handler = a.server.Handler()
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); a.referrals.Run(ctx) }()
	go func() { defer wg.Done(); a.messenger.Run(ctx) }()
	go func() { defer wg.Done(); a.server.Web.Listen(ctx) }()
	e := &env{t: t, app: a, srv: srv, api: api, platform: platform, dir: o.dir,
		client: &wxsim.Client{URL: srv.URL + "/wechat", Token: testToken, AESKey: testAESKey, AppID: testAppID,
			AccountID: "gh_jiefentest", Mode: o.mode, Platform: platform, Timeout: 5 * time.Second, Now: o.now}}
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			srv.Close()
			cancel()
			wg.Wait()
			_ = a.close()
		})
	}
	t.Cleanup(e.stop)
	return e
}

// say sends a citizen's text and returns the passive reply.
func (e *env) say(openID, text string) string {
	e.t.Helper()
	return e.deliver(e.client.Text(openID, text))
}

func (e *env) deliver(m *wxsim.Message) string {
	e.t.Helper()
	e.platform.AddUser(m.FromUserName)
	rep, err := e.client.Deliver(context.Background(), m)
	if err != nil {
		e.t.Fatalf("deliver %s: %v", m.MsgType, err)
	}
	return rep.Content
}

// post sends a prepared request and returns the status code.
func (e *env) post(req *http.Request) int {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) cases(openID string) []dispute.Case {
	e.t.Helper()
	cs, err := e.app.store.Cases(context.Background(), store.CaseFilter{OpenID: openID})
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// eventually polls cond for up to 15 seconds: for what the messenger does
// in the background. That is long for what it waits for (milliseconds,
// usually), but the whole suite runs under the race detector on two
// shared cores.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustContain(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("reply %q does not contain %q", got, w)
		}
	}
}

// onBothStores runs f as the subtests "sqlite" and "redis", with o set to
// the embedded store, then to a Redis server of the subtest's own: the
// features a test checks work on both stores.
func onBothStores(t *testing.T, o envOptions, f func(t *testing.T, o envOptions)) {
	t.Run("sqlite", func(t *testing.T) { f(t, o) })
	t.Run("redis", func(t *testing.T) {
		o.redisURL = startRedis(t).url()
		f(t, o)
	})
}
