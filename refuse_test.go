package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/store"
	"jiefen/wxsim"
)

// Bad callbacks are refused with a 4xx and store nothing: no citizen, no
// dialog, no dedup key.
func TestRefusedCallbacksStoreNothing(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	const who = "oCitizenAttacker"
	tamper := map[string]struct {
		change func(r *http.Request)
		want   int
	}{
		"bad signature":     {func(r *http.Request) { setQuery(r, "signature", strings.Repeat("0", 40)) }, http.StatusForbidden},
		"bad msg_signature": {func(r *http.Request) { setQuery(r, "msg_signature", strings.Repeat("0", 40)) }, http.StatusBadRequest},
		"no signature":      {func(r *http.Request) { setQuery(r, "signature", "") }, http.StatusBadRequest},
		"stale timestamp": {func(r *http.Request) {
			// Re-signed, so only the age is wrong.
			ts := strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10)
			q := r.URL.Query()
			q.Set("timestamp", ts)
			q.Set("signature", wxsim.Sign(testToken, ts, q.Get("nonce")))
			r.URL.RawQuery = q.Encode()
		}, http.StatusBadRequest},
		"2 MiB body": {func(r *http.Request) {
			setBody(r, append([]byte("<xml><Encrypt><![CDATA["), bytes.Repeat([]byte("A"), 2<<20)...))
		}, http.StatusRequestEntityTooLarge},
		"malformed XML": {func(r *http.Request) { setBody(r, []byte("<xml><Encrypt>not closed")) }, http.StatusBadRequest},
		"empty body":    {func(r *http.Request) { setBody(r, nil) }, http.StatusBadRequest},
	}
	for name, tc := range tamper {
		t.Run(name, func(t *testing.T) {
			req, err := e.client.Request(e.client.Text(who, "我要投诉"))
			if err != nil {
				t.Fatal(err)
			}
			tc.change(req)
			if got := e.post(req); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	ctx := context.Background()
	if _, err := e.app.store.Citizen(ctx, who); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused callback stored the citizen (err %v)", err)
	}
	if _, d, _ := e.app.store.Conversation(ctx, who); d.Version != 0 {
		t.Fatalf("a refused callback stored a dialog: %+v", d)
	}
	// The same citizen's genuine message still works afterwards.
	mustContain(t, e.say(who, "我要投诉物业乱收费，小区电梯坏了半年没人修"), "同意")
}

func setQuery(r *http.Request, k, v string) {
	q := r.URL.Query()
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	r.URL.RawQuery = q.Encode()
}

func setBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
}
