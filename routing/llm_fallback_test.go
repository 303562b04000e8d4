package routing

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
)

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
				if a.Source != SourceLocal || a.Result != localWage || a.Summary != Summarize(wageText, Builtin().City()) {
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

// An answer slower than the budget gives way to the local result. Whether
// the wait was cut is told by the outcome (the answer would have won had
// Analyze waited for it), not by timing it: tests assert no wall-clock
// speed, which a busy machine would fail.
func TestLLMSlowAnswerWithinBudget(t *testing.T) {
	srv := newStandIn(t, slow(3*time.Second, answer(goodAnswer)))
	budget := 150 * time.Millisecond
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = budget })
	a, err := l.Analyze(context.Background(), wageText)
	if err != nil || a.Source != SourceLocal || a.Result != localWage {
		t.Fatalf("Analyze = %+v, %v", a, err)
	}
	if got := l.Stats()[OutcomeTimeout]; got != 1 {
		t.Errorf("stats = %v", l.Stats())
	}
	// A caller's shorter deadline wins, and is not the endpoint's fault.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := l.Classify(ctx, wageText); err != nil {
		t.Errorf("Classify with short deadline: %v", err)
	}
	if got := l.Stats()[OutcomeCanceled]; got != 1 {
		t.Errorf("stats = %v", l.Stats())
	}
}

func TestLLMBudgetCapped(t *testing.T) {
	l, err := NewLLM(LLMConfig{URL: "http://127.0.0.1:1/v1", Model: "m", Budget: time.Minute, City: Builtin().City()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.budget != MaxLLMBudget {
		t.Errorf("budget = %v", l.budget)
	}
	l2, _ := NewLLM(LLMConfig{URL: "http://127.0.0.1:1/v1", Model: "m", City: Builtin().City()}, nil)
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
		// The local result shows AnalyzeLater did not wait for the answer.
		a := l.AnalyzeLater(context.Background(), wageText, func(a Analysis) { got <- a })
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
		// The caller gives up once the request is with the endpoint (not
		// after a guessed sleep, which could come before it or after the
		// answer).
		ctx, cancel := context.WithCancel(context.Background())
		var once sync.Once
		inFlight := slow(200*time.Millisecond, answer(goodAnswer))
		srv := newStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			once.Do(cancel)
			inFlight(w, r)
		})
		l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage}, func(c *LLMConfig) { c.Budget = time.Second })
		got := make(chan Analysis, 1)
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
		// Had Close waited for the answer, done would have been called.
		l.Close()
		if called.Load() {
			t.Error("done called: Close waited for the answer")
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
	now := testdate.At("w0 Mon 09:00")
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
