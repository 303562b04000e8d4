package routing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"jiefen/dispute"
)

// stubLocal is a fallback with a fixed answer, so the tests do not depend
// on the local classifier's lexicon.
type stubLocal struct {
	res   Result
	err   error
	calls atomic.Int32
}

func (s *stubLocal) Classify(context.Context, string) (Result, error) {
	s.calls.Add(1)
	return s.res, s.err
}

// standIn is an OpenAI-compatible server: POST /v1/chat/completions.
type standIn struct {
	*httptest.Server
	requests atomic.Int32

	mu      sync.Mutex
	handler http.HandlerFunc
	bodies  []map[string]any
	headers []http.Header
}

func newStandIn(t *testing.T, h http.HandlerFunc) *standIn {
	t.Helper()
	s := &standIn{handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		s.headers = append(s.headers, r.Header.Clone())
		h := s.handler
		s.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"no such route","type":"invalid_request_error"}}`, http.StatusNotFound)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *standIn) setHandler(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
}

func (s *standIn) lastBody() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies[len(s.bodies)-1]
}

// answer replies with a chat completion whose message content is content.
func answer(content string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
		})
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// slow waits d (or until the client gives up), then runs h.
func slow(d time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
			h(w, r)
		case <-r.Context().Done():
		}
	}
}

const (
	wageText   = "我是柳河县的，包工头拖欠我们三个月工资6万元，电话也不接，想要回工资"
	goodAnswer = `{"type":"labor","urgent":false,"region":"柳河县","summary":"包工头拖欠三个月工资6万元，要求支付","missing":["用工单位名称"]}`
)

var localWage = Result{Type: dispute.ContractDebt, Confidence: 0.4, Region: "柳河县"}

func newTestLLM(t *testing.T, url string, local Classifier, tweak ...func(*LLMConfig)) *LLM {
	t.Helper()
	cfg := LLMConfig{URL: url, Key: "test-key", Model: "test-model", Budget: 500 * time.Millisecond}
	for _, f := range tweak {
		f(&cfg)
	}
	l, err := NewLLM(cfg, local)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestLLMRequestWellFormed(t *testing.T) {
	srv := newStandIn(t, answer(goodAnswer))
	l := newTestLLM(t, srv.URL+"/v1/", &stubLocal{res: localWage})
	a, err := l.Analyze(context.Background(), wageText)
	if err != nil {
		t.Fatal(err)
	}
	if srv.requests.Load() != 1 {
		t.Fatalf("requests = %d, want 1", srv.requests.Load())
	}
	if got := srv.headers[0].Get("Authorization"); got != "Bearer test-key" {
		t.Errorf("Authorization = %q", got)
	}
	if ct := srv.headers[0].Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := srv.lastBody()
	if body["model"] != "test-model" {
		t.Errorf("model = %v", body["model"])
	}
	if temp, ok := body["temperature"].(float64); !ok || temp > 1e-6 {
		t.Errorf("temperature = %v, want 0 (sent explicitly)", body["temperature"])
	}
	if rf, _ := body["response_format"].(map[string]any); rf["type"] != "json_object" {
		t.Errorf("response_format = %v", body["response_format"])
	}
	if body["stream"] == true {
		t.Error("stream requested")
	}
	msgs, _ := body["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v", body["messages"])
	}
	sys, _ := msgs[0].(map[string]any)
	user, _ := msgs[1].(map[string]any)
	if sys["role"] != "system" || user["role"] != "user" {
		t.Errorf("roles = %v, %v", sys["role"], user["role"])
	}
	prompt, _ := sys["content"].(string)
	for _, typ := range append(dispute.Types, dispute.None) {
		if !strings.Contains(prompt, string(typ)+"：") {
			t.Errorf("system prompt lacks type %s", typ)
		}
		if typ != dispute.None && !strings.Contains(prompt, typ.Name()) {
			t.Errorf("system prompt lacks name %s", typ.Name())
		}
	}
	for _, r := range dispute.Regions {
		if !strings.Contains(prompt, r) {
			t.Errorf("system prompt lacks region %s", r)
		}
	}
	for _, w := range []string{"JSON", `"type"`, `"urgent"`, `"region"`, `"summary"`, `"missing"`, "紧急"} {
		if !strings.Contains(prompt, w) {
			t.Errorf("system prompt lacks %s", w)
		}
	}
	if c, _ := user["content"].(string); !strings.Contains(c, wageText) {
		t.Errorf("user message lacks the complaint: %q", c)
	}

	want := Analysis{Result: Result{Type: dispute.Labor, Confidence: 0.9, Region: "柳河县"},
		Summary: "包工头拖欠三个月工资6万元，要求支付", Missing: []string{"用工单位名称"}, Source: SourceLLM}
	if !equalAnalysis(a, want) {
		t.Errorf("Analyze = %+v, want %+v", a, want)
	}
}

func equalAnalysis(a, b Analysis) bool {
	return a.Result == b.Result && a.Summary == b.Summary && a.Source == b.Source &&
		strings.Join(a.Missing, "|") == strings.Join(b.Missing, "|")
}

func TestLLMCachesValidAnswers(t *testing.T) {
	srv := newStandIn(t, answer(goodAnswer))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage})
	ctx := context.Background()
	first, _ := l.Analyze(ctx, wageText)
	// The same text with other spacing and half-width punctuation.
	res, err := l.Classify(ctx, "  "+strings.ReplaceAll(wageText, "，", ",")+"\n")
	if err != nil {
		t.Fatal(err)
	}
	second, _ := l.Analyze(ctx, wageText)
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
	if first.Source != SourceLLM || second.Source != SourceCache {
		t.Errorf("sources = %s, %s", first.Source, second.Source)
	}
	if second.Result != first.Result || second.Summary != first.Summary || res != first.Result {
		t.Errorf("cached = %+v, first = %+v", second, first)
	}
	if got := l.Stats()[OutcomeCache]; got != 2 {
		t.Errorf("cache hits = %d", got)
	}
	// Another text is another request.
	if a, _ := l.Analyze(ctx, "老板拖欠工资"); a.Source != SourceLLM || srv.requests.Load() != 2 {
		t.Errorf("other text: %+v, requests %d", a, srv.requests.Load())
	}
}

func TestLLMCacheKey(t *testing.T) {
	if llmCacheKey(" 我被 拖欠\t工资！ ") != llmCacheKey("我被 拖欠 工资!") {
		t.Error("spacing or full-width ASCII changes the key")
	}
	if llmCacheKey("我被拖欠工资") == llmCacheKey("我被拖欠工钱") {
		t.Error("different texts share a key")
	}
}

func TestLLMCacheLRU(t *testing.T) {
	c := newLLMCache(2)
	k := func(s string) [32]byte { return llmCacheKey(s) }
	c.put(k("a"), llmAnswer{Type: dispute.Labor})
	c.put(k("b"), llmAnswer{Type: dispute.Family})
	c.get(k("a")) // a is now the most recent
	c.put(k("c"), llmAnswer{Type: dispute.Medical})
	if _, ok := c.get(k("b")); ok {
		t.Error("b should have been evicted")
	}
	if a, ok := c.get(k("a")); !ok || a.Type != dispute.Labor {
		t.Error("a lost")
	}
	if c.len() != 2 {
		t.Errorf("len = %d", c.len())
	}
}

// Every kind of broken answer falls back to the local result, without an
// error, and is not cached.
func TestLLMFallsBack(t *testing.T) {
	big := strings.Repeat("x", 2<<20)
	cases := []struct {
		name    string
		h       http.HandlerFunc
		outcome string
	}{
		{"malformed JSON", answer(`{"type":"labor","urgent":false,`), OutcomeInvalid},
		{"prose", answer("这属于劳动争议。"), OutcomeInvalid},
		{"empty content", answer(""), OutcomeInvalid},
		{"unknown type", answer(`{"type":"wages","urgent":false,"region":"","summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"type as name", answer(`{"type":"劳动争议","urgent":false,"region":"","summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"type not a string", answer(`{"type":3,"urgent":false,"region":"","summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"urgent as string", answer(`{"type":"labor","urgent":"false","region":"","summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"missing as string", answer(`{"type":"labor","urgent":false,"region":"","summary":"欠薪","missing":"无"}`), OutcomeInvalid},
		{"summary null", answer(`{"type":"labor","urgent":false,"region":"","summary":null,"missing":[]}`), OutcomeInvalid},
		{"region number", answer(`{"type":"labor","urgent":false,"region":5,"summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"region elsewhere", answer(`{"type":"labor","urgent":false,"region":"长春市","summary":"欠薪","missing":[]}`), OutcomeInvalid},
		{"field missing", answer(`{"type":"labor","urgent":false,"region":"","summary":"欠薪"}`), OutcomeInvalid},
		{"extra field", answer(`{"type":"labor","urgent":false,"region":"","summary":"欠薪","missing":[],"confidence":0.9}`), OutcomeInvalid},
		{"array", answer(`[{"type":"labor"}]`), OutcomeInvalid},
		{"two objects", answer(goodAnswer + goodAnswer), OutcomeInvalid},
		{"text after", answer(goodAnswer + " 以上是分析结果"), OutcomeInvalid},
		{"no choices", status(200, `{"id":"x","object":"chat.completion","choices":[]}`), OutcomeInvalid},
		{"body not JSON", status(200, `<html>gateway</html>`), OutcomeInvalid},
		{"body too large", status(200, `{"id":"`+big+`"}`), OutcomeInvalid},
		{"refusal", status(200, `{"choices":[{"index":0,"message":{"role":"assistant","content":"","refusal":"I can't"}}]}`), OutcomeInvalid},
		{"429", status(429, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`), OutcomeRateLimited},
		{"401", status(401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`), OutcomeRefused},
		{"403 plain", status(403, `forbidden`), OutcomeRefused},
		{"500", status(500, `{"error":{"message":"internal error","type":"server_error"}}`), OutcomeServerError},
		{"502 plain", status(502, `Bad Gateway`), OutcomeServerError},
		{"404", status(404, `{"error":{"message":"model not found","type":"invalid_request_error"}}`), OutcomeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStandIn(t, tc.h)
			local := &stubLocal{res: localWage}
			var logs bytes.Buffer
			l := newTestLLM(t, srv.URL+"/v1", local, func(c *LLMConfig) {
				c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			for i := range 2 {
				a, err := l.Analyze(context.Background(), wageText)
				if err != nil {
					t.Fatalf("Analyze error: %v", err)
				}
				if a.Source != SourceLocal || a.Result != localWage || a.Summary != Summarize(wageText) {
					t.Fatalf("Analyze #%d = %+v, want the local result", i, a)
				}
				if res, err := l.Classify(context.Background(), wageText); err != nil || res != localWage {
					t.Fatalf("Classify = %+v, %v", res, err)
				}
			}
			if n := srv.requests.Load(); n != 4 {
				t.Errorf("requests = %d, want 4 (nothing cached)", n)
			}
			if got := l.Stats()[tc.outcome]; got != 4 {
				t.Errorf("stats = %v, want 4 × %s", l.Stats(), tc.outcome)
			}
			if strings.Contains(logs.String(), "包工头") || !strings.Contains(logs.String(), tc.outcome) {
				t.Errorf("log = %s", logs.String())
			}
		})
	}
}

func TestLLMConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/v1"
	srv.Close()
	l := newTestLLM(t, url, &stubLocal{res: localWage})
	a, err := l.Analyze(context.Background(), wageText)
	if err != nil || a.Source != SourceLocal || a.Result != localWage {
		t.Fatalf("Analyze = %+v, %v", a, err)
	}
	if got := l.Stats()[OutcomeUnreachable]; got != 1 {
		t.Errorf("stats = %v", l.Stats())
	}
}

func TestLLMSlowAnswerWithinBudget(t *testing.T) {
	srv := newStandIn(t, slow(3*time.Second, answer(goodAnswer)))
	budget := 150 * time.Millisecond
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = budget })
	start := time.Now()
	a, err := l.Analyze(context.Background(), wageText)
	elapsed := time.Since(start)
	if err != nil || a.Source != SourceLocal || a.Result != localWage {
		t.Fatalf("Analyze = %+v, %v", a, err)
	}
	if elapsed > budget+250*time.Millisecond {
		t.Errorf("Analyze took %v with a budget of %v", elapsed, budget)
	}
	if got := l.Stats()[OutcomeTimeout]; got != 1 {
		t.Errorf("stats = %v", l.Stats())
	}
	// A caller's shorter deadline wins, and is not the endpoint's fault.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := l.Classify(ctx, wageText); err != nil || time.Since(start) > 30*time.Millisecond+250*time.Millisecond {
		t.Errorf("Classify with short deadline: %v after %v", err, time.Since(start))
	}
	if got := l.Stats()[OutcomeCanceled]; got != 1 {
		t.Errorf("stats = %v", l.Stats())
	}
}

func TestLLMBudgetCapped(t *testing.T) {
	l, err := NewLLM(LLMConfig{URL: "http://127.0.0.1:1/v1", Model: "m", Budget: time.Minute}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.budget != MaxLLMBudget {
		t.Errorf("budget = %v", l.budget)
	}
	l2, _ := NewLLM(LLMConfig{URL: "http://127.0.0.1:1/v1", Model: "m"}, nil)
	defer l2.Close()
	if l2.budget != DefaultLLMBudget || l2.cache.max != DefaultLLMCacheSize {
		t.Errorf("defaults: budget %v cache %d", l2.budget, l2.cache.max)
	}
}

func TestLLMAnalyzeLater(t *testing.T) {
	budget := 50 * time.Millisecond
	t.Run("late answer corrects", func(t *testing.T) {
		srv := newStandIn(t, slow(300*time.Millisecond, answer(goodAnswer)))
		l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = budget })
		got := make(chan Analysis, 1)
		start := time.Now()
		a := l.AnalyzeLater(context.Background(), wageText, func(a Analysis) { got <- a })
		if time.Since(start) > budget+250*time.Millisecond {
			t.Errorf("AnalyzeLater took %v", time.Since(start))
		}
		if a.Source != SourceLocal || a.Type != dispute.ContractDebt {
			t.Fatalf("AnalyzeLater = %+v, want the local result", a)
		}
		select {
		case late := <-got:
			if late.Source != SourceLLM || late.Type != dispute.Labor || late.Summary != "包工头拖欠三个月工资6万元，要求支付" {
				t.Errorf("late = %+v", late)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("done not called")
		}
		// The late answer was cached.
		if c, _ := l.Analyze(context.Background(), wageText); c.Source != SourceCache || srv.requests.Load() != 1 {
			t.Errorf("after late answer: %+v, requests %d", c, srv.requests.Load())
		}
	})
	t.Run("fast answer returned at once", func(t *testing.T) {
		srv := newStandIn(t, answer(goodAnswer))
		l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = time.Second })
		var called atomic.Bool
		a := l.AnalyzeLater(context.Background(), wageText, func(Analysis) { called.Store(true) })
		l.Close()
		if a.Source != SourceLLM || a.Type != dispute.Labor || called.Load() {
			t.Errorf("AnalyzeLater = %+v, done called %v", a, called.Load())
		}
	})
	cases := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"late answer agrees", slow(200*time.Millisecond, answer(`{"type":"contract_debt","urgent":false,"region":"柳河县","summary":"借款纠纷","missing":[]}`))},
		{"late failure", slow(200*time.Millisecond, status(500, `{"error":{"message":"boom"}}`))},
		{"late garbage", slow(200*time.Millisecond, answer(`{"type":"salary"}`))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newStandIn(t, tc.h)
			l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = budget })
			var called atomic.Bool
			a := l.AnalyzeLater(context.Background(), wageText, func(Analysis) { called.Store(true) })
			if a.Source != SourceLocal {
				t.Errorf("AnalyzeLater = %+v", a)
			}
			deadline := time.Now().Add(5 * time.Second)
			for srv.requests.Load() == 0 || len(l.Stats()) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("request never finished")
				}
				time.Sleep(10 * time.Millisecond)
			}
			l.Close() // waits for the background goroutines
			if called.Load() {
				t.Error("done called")
			}
		})
	}
	t.Run("caller's context ends early", func(t *testing.T) {
		srv := newStandIn(t, slow(200*time.Millisecond, answer(goodAnswer)))
		l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = time.Second })
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan Analysis, 1)
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		a := l.AnalyzeLater(ctx, wageText, func(a Analysis) { got <- a })
		if a.Source != SourceLocal {
			t.Errorf("AnalyzeLater = %+v", a)
		}
		select {
		case late := <-got:
			if late.Type != dispute.Labor {
				t.Errorf("late = %+v", late)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the background request did not survive the caller's context")
		}
	})
	t.Run("close ends waiting", func(t *testing.T) {
		srv := newStandIn(t, slow(10*time.Second, answer(goodAnswer)))
		l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = budget })
		var called atomic.Bool
		l.AnalyzeLater(context.Background(), wageText, func(Analysis) { called.Store(true) })
		start := time.Now()
		l.Close()
		if time.Since(start) > 2*time.Second || called.Load() {
			t.Errorf("Close took %v, done called %v", time.Since(start), called.Load())
		}
		if a := l.AnalyzeLater(context.Background(), wageText, nil); a.Source != SourceLocal {
			t.Errorf("after Close: %+v", a)
		}
	})
}

func TestLLMCircuitBreaker(t *testing.T) {
	srv := newStandIn(t, status(503, `{"error":{"message":"overloaded"}}`))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage})
	var mu sync.Mutex
	now := time.Unix(1_800_000_000, 0)
	l.breaker.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := context.Background()

	for range llmBreakerThreshold {
		l.Classify(ctx, wageText)
	}
	if n := srv.requests.Load(); n != llmBreakerThreshold {
		t.Fatalf("requests = %d", n)
	}
	for range 10 {
		if a, err := l.Analyze(ctx, wageText); err != nil || a.Source != SourceLocal {
			t.Fatalf("Analyze with breaker open = %+v, %v", a, err)
		}
	}
	if n := srv.requests.Load(); n != llmBreakerThreshold {
		t.Errorf("requests with breaker open = %d, want none", n-llmBreakerThreshold)
	}
	if got := l.Stats()[OutcomeBreakerOpen]; got != 10 {
		t.Errorf("stats = %v", l.Stats())
	}

	// After the cooldown one probe goes out; it fails, so the breaker opens again.
	advance(llmBreakerCooldown + time.Second)
	l.Classify(ctx, wageText)
	l.Classify(ctx, wageText)
	if n := srv.requests.Load(); n != llmBreakerThreshold+1 {
		t.Errorf("requests after cooldown = %d, want one probe", n-llmBreakerThreshold)
	}
	// The next probe succeeds and closes it.
	advance(llmBreakerCooldown + time.Second)
	srv.setHandler(answer(goodAnswer))
	if a, _ := l.Analyze(ctx, wageText); a.Source != SourceLLM {
		t.Errorf("probe answer = %+v", a)
	}
	if a, _ := l.Analyze(ctx, "另一件事：老板拖欠工资"); a.Source != SourceLLM {
		t.Errorf("after probe = %+v", a)
	}
	if n := srv.requests.Load(); n != llmBreakerThreshold+3 {
		t.Errorf("requests = %d", n)
	}
}

func TestLLMNeverLowersUrgency(t *testing.T) {
	const danger = "邻居喝多了拿着刀在我家门口，说要砍死我们全家"
	if !DetectUrgent(danger) {
		t.Fatal("DetectUrgent misses the test sentence")
	}
	local := &stubLocal{res: Result{Type: dispute.Neighbor, Confidence: 0.6}} // a fallback that misses it
	cases := []struct{ answer, wantType string }{
		{`{"type":"neighbor","urgent":false,"region":"","summary":"邻居持刀威胁","missing":[]}`, "neighbor"},
		{`{"type":"none","urgent":false,"region":"","summary":"","missing":[]}`, "other"},
	}
	for _, tc := range cases {
		srv := newStandIn(t, answer(tc.answer))
		l := newTestLLM(t, srv.URL+"/v1", local)
		a, err := l.Analyze(context.Background(), danger)
		if err != nil || a.Source != SourceLLM || !a.Urgent || string(a.Type) != tc.wantType {
			t.Errorf("Analyze = %+v, %v; want urgent %s", a, err, tc.wantType)
		}
	}
	// And the LLM may raise it.
	srv := newStandIn(t, answer(`{"type":"family","urgent":true,"region":"","summary":"丈夫酒后威胁","missing":[]}`))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: Result{Type: dispute.Family}})
	if a, _ := l.Analyze(context.Background(), "我老公喝完酒就说不让我好过"); !a.Urgent {
		t.Errorf("LLM urgency dropped: %+v", a)
	}
	// The local path keeps DetectUrgent too.
	down := newTestLLM(t, "http://127.0.0.1:1/v1", local)
	if a, _ := down.Analyze(context.Background(), danger); !a.Urgent || a.Source != SourceLocal {
		t.Errorf("local path = %+v", a)
	}
}

func TestLLMAnswerChecks(t *testing.T) {
	long := strings.Repeat("很长的摘要", 20)
	srv := newStandIn(t, answer("<think>先想一想</think>\n```json\n"+
		`{"type":"traffic","urgent":false,"region":"通化市","summary":"`+long+`","missing":["事故时间","  ","对方车牌号码以及保险公司的名称和联系方式等等"]}`+"\n```"))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: Result{Type: dispute.Traffic, Confidence: 0.8, Region: "集安市"}})
	a, err := l.Analyze(context.Background(), "在集安被车撞了，对方不赔")
	if err != nil || a.Source != SourceLLM {
		t.Fatalf("Analyze = %+v, %v", a, err)
	}
	if a.Type != dispute.Traffic || a.Confidence != 0.95 || a.Region != "集安市" {
		t.Errorf("Result = %+v (the city is no region: the local one stays)", a.Result)
	}
	if n := utf8.RuneCountInString(a.Summary); n != summaryRunes {
		t.Errorf("summary has %d runes", n)
	}
	if len(a.Missing) != 2 || utf8.RuneCountInString(a.Missing[1]) > llmMissingRunes {
		t.Errorf("missing = %q", a.Missing)
	}

	srv2 := newStandIn(t, answer(`好的，结果如下：{"type":"labor","urgent":false,"region":"","summary":"欠薪，电话13812345678","missing":[]}`))
	l2 := newTestLLM(t, srv2.URL+"/v1", &stubLocal{res: localWage})
	a, _ = l2.Analyze(context.Background(), wageText)
	if a.Source != SourceLLM || a.Region != "柳河县" || strings.Contains(a.Summary, "13812345678") {
		t.Errorf("Analyze = %+v", a)
	}
}

func TestLLMDropsJSONModeWhenRejected(t *testing.T) {
	srv := newStandIn(t, nil)
	srv.setHandler(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := srv.lastBody()["response_format"]; ok {
			status(400, `{"error":{"message":"response_format is not supported","type":"invalid_request_error"}}`)(w, r)
			return
		}
		answer(goodAnswer)(w, r)
	})
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage})
	if a, _ := l.Analyze(context.Background(), wageText); a.Source != SourceLocal {
		t.Errorf("first = %+v", a)
	}
	if a, _ := l.Analyze(context.Background(), wageText); a.Source != SourceLLM {
		t.Errorf("second = %+v", a)
	}
}

func TestLLMFallbackError(t *testing.T) {
	srv := newStandIn(t, status(500, "{}"))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{err: io.ErrUnexpectedEOF})
	a, err := l.Analyze(context.Background(), "柳河县 老板不给工资")
	if err == nil || a.Type != dispute.Other || a.Region != "柳河县" {
		t.Errorf("both failing: %+v, %v", a, err)
	}
	srv.setHandler(answer(goodAnswer))
	if _, err := l.Analyze(context.Background(), wageText); err != nil {
		t.Errorf("LLM answered, yet error %v", err)
	}
}

func TestLLMConcurrent(t *testing.T) {
	srv := newStandIn(t, answer(goodAnswer))
	l := newTestLLM(t, srv.URL+"/v1", NewLocal(), func(c *LLMConfig) { c.CacheSize = 8; c.Budget = 2 * time.Second })
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := wageText + strings.Repeat("！", i%12)
			if i%3 == 0 {
				l.AnalyzeLater(context.Background(), text, func(Analysis) {})
			} else if _, err := l.Classify(context.Background(), text); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if l.cache.len() > 8 {
		t.Errorf("cache holds %d", l.cache.len())
	}
}

func TestNewLLMValidates(t *testing.T) {
	for _, u := range []string{"", "api.deepseek.com/v1", "ftp://host/v1", "http://", "http://user:pw@host/v1", "://x"} {
		if _, err := NewLLM(LLMConfig{URL: u, Model: "m"}, nil); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	if _, err := NewLLM(LLMConfig{URL: "http://localhost:11434/v1"}, nil); err == nil {
		t.Error("empty model accepted")
	}
	for in, want := range map[string]string{
		"https://api.deepseek.com/v1/":                      "https://api.deepseek.com/v1",
		"http://localhost:11434/v1/chat/completions":        "http://localhost:11434/v1",
		"https://dashscope.aliyuncs.com/compatible-mode/v1": "https://dashscope.aliyuncs.com/compatible-mode/v1",
	} {
		if got, err := llmBaseURL(in); err != nil || got != want {
			t.Errorf("llmBaseURL(%q) = %q, %v", in, got, err)
		}
	}
	// A full chat/completions URL works against the stand-in too.
	srv := newStandIn(t, answer(goodAnswer))
	l := newTestLLM(t, srv.URL+"/v1/chat/completions", &stubLocal{res: localWage})
	if a, _ := l.Analyze(context.Background(), wageText); a.Source != SourceLLM {
		t.Errorf("Analyze = %+v", a)
	}
}

func TestSummarize(t *testing.T) {
	cases := []struct {
		text string
		want []string // facts the summary must keep
		not  []string // what it must not show
	}{
		{"你好，我是柳河县的，在一个工地干活，包工头老王拖欠我们8个人三个月工资，一共6万多块钱，现在人找不到了，打电话也不接，我们想要回工资，怎么办啊",
			[]string{"拖欠", "工资", "6万"}, []string{"你好"}},
		{"您好 我想问一下 我家楼上天天半夜蹦迪 噪音特别大 找了好几次都不管 物业也不管 孩子要高考了 能不能帮忙协调一下 谢谢",
			[]string{"楼上", "噪音"}, []string{"您好", "谢谢"}},
		{"去年3月我借给同村的李某5万元，有借条，约定半年还，到现在一分没还，他电话13812345678打了也不接，我想起诉他，请问怎么办",
			[]string{"借", "5万元"}, []string{"13812345678"}},
		{"我在梅河口市人民医院做的阑尾手术，术后一直发烧，后来查出来是手术时纱布落在肚子里了，又做了一次手术花了两万多，医院不认账，我要求医院赔偿医疗费和误工费",
			[]string{"医院", "赔偿"}, nil},
		{"我们村的地被征收了说好的每亩补偿三万到现在只给了一半镇政府一直拖着不给剩下的钱大家都很着急希望领导给个说法",
			[]string{"征收", "补偿"}, nil},
		{"唉，真是没办法了。我和我老公结婚十年，他天天喝酒不管家，现在要离婚，两个孩子的抚养权谁也不让，我想要孩子的抚养权，身份证号220521198001011234",
			[]string{"离婚", "抚养"}, []string{"220521198001011234", "没办法"}},
	}
	for _, tc := range cases {
		got := Summarize(tc.text)
		if n := utf8.RuneCountInString(got); n == 0 || n > summaryRunes {
			t.Errorf("Summarize(%.20s…) = %q: %d runes", tc.text, got, n)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Summarize(%.20s…) = %q: lacks %q", tc.text, got, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("Summarize(%.20s…) = %q: shows %q", tc.text, got, w)
			}
		}
		if strings.HasPrefix(tc.text, got) && utf8.RuneCountInString(tc.text) > summaryRunes && !strings.HasSuffix(got, "…") {
			t.Logf("note: %q is just the beginning of the text", got)
		}
	}
	for _, short := range []string{"你好", "老板不给工资", "", "  "} {
		got := Summarize(short)
		if utf8.RuneCountInString(got) > summaryRunes || strings.TrimSpace(short) != "" && got == "" {
			t.Errorf("Summarize(%q) = %q", short, got)
		}
	}
}
