package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"jiefen/store"
	"jiefen/wxsim"
)

// Every answer forbids content sniffing and cross-site referrers; HSTS
// only when the request came over https, as a trusted proxy says.
func TestSecurityHeaders(t *testing.T) {
	for _, proxied := range []bool{false, true} {
		e := newEnv(t, envOptions{mode: wxsim.Plain, proxied: proxied})
		for _, path := range []string{"/api/v1/openapi.json", "/console/static/console.css", "/console/login"} {
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("%s: %d, nosniff %q, referrer %q", path, resp.StatusCode, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if hsts := h.Get("Strict-Transport-Security") != ""; hsts != proxied {
				t.Errorf("%s (X-Forwarded-Proto from a trusted proxy: %v): HSTS %v", path, proxied, hsts)
			}
		}
	}
}

// A page of another site cannot pass the websocket's origin check by
// sending X-Forwarded-Host itself: only a trusted proxy's counts.
func TestForwardedHostOnlyFromTrustedProxy(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	h := http.Header{"Origin": {"https://evil.example"}, "X-Forwarded-Host": {"evil.example"}}
	u, _ := url.Parse(e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.srv.URL, "http")+"/console/ws", h)
	if err == nil {
		conn.Close()
		t.Fatal("a forged X-Forwarded-Host opened the console stream for another site")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged forwarded host: %v %v", resp, err)
	}
}

// Redis that answers PING but refuses writes (out of memory under
// noeviction, as on a full box) is not ready.
func TestReadyzFailsWhenWritesFail(t *testing.T) {
	r := startRedis(t)
	e := newEnv(t, envOptions{mode: wxsim.Safe, redisURL: r.url()})
	if code, _ := get(t, e.srv.URL+"/readyz"); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	opt, _ := redis.ParseURL(r.url())
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.ConfigSet(context.Background(), "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	defer c.ConfigSet(context.Background(), "maxmemory", "0")
	if code, body := get(t, e.srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz while every write fails: %d %s", code, body)
	}
}
