package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jiefen/bot"
	"jiefen/store"
	"jiefen/wxsim"
)

// Redis goes away mid-conversation: callbacks are refused with a 5xx (the
// platform retries them), /readyz says why, nothing acknowledged is lost,
// and the service comes back by itself when Redis does.
func TestRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs redis-server")
	}
	r := startRedis(t)
	platform := wxsim.NewPlatform(testAppID, testSecret)
	api := newAPIServer(t, platform)
	a, err := newApp(Config{RedisURL: r.url() + "?dial_timeout=500ms&max_retries=1", AppID: testAppID, Secret: testSecret,
		Token: testToken, AESKey: testAESKey, WeChatAPI: api, APITimeout: time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	srv := httptest.NewServer(a.server.Handler())
	defer srv.Close()
	c := &wxsim.Client{URL: srv.URL + "/wechat", Token: testToken, AESKey: testAESKey, AppID: testAppID,
		AccountID: "gh_outage", Mode: wxsim.Safe, Platform: platform}
	const who = "oOutageCitizen"
	platform.AddUser(who)
	var acked []*wxsim.Message
	var pending *wxsim.Message
	send := func(text string) (*wxsim.Reply, error) {
		m := c.Text(who, text)
		pending = m
		rep, err := c.Send(context.Background(), m)
		if err == nil {
			acked = append(acked, m)
		}
		return rep, err
	}
	for _, s := range []string{"在通化县承包的地被村里收回去了，补偿款一直没给", "同意"} {
		if _, err := send(s); err != nil {
			t.Fatal(err)
		}
	}

	r.stop()
	_, err = send("13512345678")
	var se *wxsim.StatusError
	if !errors.As(err, &se) || se.Status < 500 {
		t.Fatalf("with Redis down the callback answered %v, want a 5xx", err)
	}
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "redis") {
		t.Fatalf("readyz with Redis down: %d %s", resp.StatusCode, body)
	}

	r.start()
	// The platform's retry of the refused message now goes through.
	eventually(t, "the service to recover", func() bool {
		_, err := c.Send(context.Background(), pending)
		return err == nil
	})
	acked = append(acked, pending)
	rep, err := send("1")
	if err != nil || !caseIDRe.MatchString(rep.Content) {
		t.Fatalf("after recovery: %v %+v", err, rep)
	}
	ctx := context.Background()
	for _, m := range acked {
		key := bot.Inbound{OpenID: who, MsgID: m.MsgID, Kind: "text"}.DedupKey()
		if _, err := a.store.DedupReply(ctx, key, a.bot.Now()); err != nil {
			t.Errorf("acknowledged %q lost: %v", m.Content, err)
		}
	}
	cs, err := a.store.Cases(ctx, store.CaseFilter{OpenID: who})
	if err != nil || len(cs) != 1 || cs[0].Phone != "13512345678" || cs[0].Region != "通化县" {
		t.Fatalf("cases %+v %v", cs, err)
	}
}
