package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/wxsim"
)

// fakeLLM is an OpenAI-compatible stand-in answering every complaint with
// one analysis, after delay.
func fakeLLM(t *testing.T, typ, summary string, delay *atomic.Int64) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		select {
		case <-time.After(time.Duration(delay.Load())):
		case <-r.Context().Done():
			return
		}
		answer, _ := json.Marshal(map[string]any{"type": typ, "urgent": false, "region": "", "summary": summary, "missing": []string{}})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}]}`, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// With an LLM configured, its reading is used within the time budget, and
// a late answer corrects the draft before the citizen confirms; its
// summary is the case's.
func TestLLMClassifies(t *testing.T) {
	var delay atomic.Int64
	e := newEnv(t, envOptions{mode: wxsim.Safe, openAI: fakeLLM(t, "consumer", "网购二手车车况与描述不符", &delay)})
	const story = "在网上买了辆二手车，说是没出过交通事故，开回来发现是事故车"
	const who = "oCitizenLLM"
	e.say(who, story)
	e.say(who, "同意")
	e.say(who, "1")
	mustContain(t, e.say(who, "跳过"), "消费纠纷")
	id := caseIDRe.FindString(e.say(who, "1"))
	k, err := e.app.store.Case(context.Background(), id)
	if err != nil || k.Summary != "网购二手车车况与描述不符" {
		t.Fatalf("case summary %q (%v)", k.Summary, err)
	}

	// Slower than the budget: the local reading first, corrected later.
	delay.Store(int64(2500 * time.Millisecond))
	const late = "oCitizenLLMLate"
	e.say(late, "在东昌区一家4S店买的车，合同写的是新车结果是库存车，想退车")
	e.say(late, "同意")
	eventually(t, "the late answer to correct the draft", func() bool {
		_, d, _ := e.app.store.Conversation(context.Background(), late)
		return d.Draft.Type == "consumer" && d.Draft.Summary != ""
	})
}
