package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"jiefen/store"
	"jiefen/wxsim"
)

// In plaintext mode the URL's signature does not cover the body: a
// captured URL posted again with another body is refused (409) and stores
// nothing, on this instance and on another sharing the store, while the
// platform's retry (the same URL, the same body) is answered as before,
// once. On both stores.
func TestPlaintextReplayRefused(t *testing.T) {
	for _, name := range []string{"sqlite", "redis"} {
		t.Run(name, func(t *testing.T) {
			o := envOptions{mode: wxsim.Plain}
			if name == "redis" {
				o.redisURL = startRedis(t).url()
			}
			e := newEnv(t, o)
			const citizen, attacker = "oCitizenReplay", "oAttackerReplay"
			e.platform.AddUser(citizen)
			m := e.client.Text(citizen, "我要投诉物业乱收费，小区电梯坏了半年没人修")
			url, body := captured(t, e, m)
			first, code := postRaw(t, url, body)
			if code != http.StatusOK || first == "" {
				t.Fatalf("the genuine callback: %d %q", code, first)
			}
			ctx := context.Background()
			_, d, err := e.app.store.Conversation(ctx, citizen)
			if err != nil {
				t.Fatal(err)
			}

			// The attacker's body under the captured URL, to this
			// instance and, when they share a store, to another.
			_, forged := captured(t, e, e.client.Text(attacker, "我也要投诉"))
			targets := []*env{e}
			if name == "redis" {
				targets = append(targets, startEnv(t, o, e.platform, e.api))
			}
			for i, target := range targets {
				u := target.srv.URL + url[len(e.srv.URL):]
				if _, code := postRaw(t, u, forged); code != http.StatusConflict {
					t.Errorf("instance %d: replayed URL with another body: %d, want 409", i+1, code)
				}
				if _, err := e.app.store.Citizen(ctx, attacker); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("instance %d: the replay stored its sender (err %v)", i+1, err)
				}
				// The platform's retry: same URL, same body, same answer, nothing twice.
				again, code := postRaw(t, u, body)
				if code != http.StatusOK || !sameReply(t, e, m, again, first) {
					t.Errorf("instance %d: the platform's retry: %d %q, want 200 %q", i+1, code, again, first)
				}
				if _, d2, err := e.app.store.Conversation(ctx, citizen); err != nil || d2.Version != d.Version {
					t.Errorf("instance %d: the retry changed the dialog: version %d → %d (%v)", i+1, d.Version, d2.Version, err)
				}
			}
		})
	}
}

// In safe mode the platform's retry with the same nonce and body is
// answered as the first delivery was.
func TestSafeModeRetrySameNonce(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const citizen = "oCitizenSafeRetry"
	e.platform.AddUser(citizen)
	m := e.client.Text(citizen, "我要投诉物业乱收费，小区电梯坏了半年没人修")
	url, body := captured(t, e, m)
	first, code := postRaw(t, url, body)
	if code != http.StatusOK {
		t.Fatalf("first delivery: %d", code)
	}
	if again, code := postRaw(t, url, body); code != http.StatusOK || !sameReply(t, e, m, again, first) {
		t.Errorf("retry: %d %q, want the answer %q", code, again, first)
	}
}

// sameReply says whether two answers to m tell the citizen the same thing.
// Their CreateTime is the moment of answering (silenceper stamps it), so a
// retry a second later differs there, and in safe mode in the ciphertext.
func sameReply(t *testing.T, e *env, m *wxsim.Message, a, b string) bool {
	t.Helper()
	ra, err := e.client.ParseReply(m, http.StatusOK, []byte(a))
	if err != nil {
		t.Fatalf("reply %q: %v", a, err)
	}
	rb, err := e.client.ParseReply(m, http.StatusOK, []byte(b))
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return ra.MsgType != "" && ra.MsgType == rb.MsgType && ra.Content == rb.Content &&
		ra.ToUserName == rb.ToUserName && ra.FromUserName == rb.FromUserName
}

// captured is a signed callback as the platform sends it: its URL and body.
func captured(t *testing.T, e *env, m *wxsim.Message) (string, []byte) {
	t.Helper()
	req, err := e.client.Request(m)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL.String(), body
}

func postRaw(t *testing.T, url string, body []byte) (string, int) {
	t.Helper()
	resp, err := http.Post(url, "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}
