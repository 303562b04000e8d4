package routing

import (
	"context"
	"encoding/json"
	"io"
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
	cfg := LLMConfig{URL: url, Key: "test-key", Model: "test-model", Budget: 500 * time.Millisecond, City: Builtin().City()}
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
	for _, r := range Builtin().City().Names() {
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
	l := newTestLLM(t, srv.URL+"/v1", NewLocal(Builtin().City()), func(c *LLMConfig) { c.CacheSize = 8; c.Budget = 2 * time.Second })
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
		if _, err := NewLLM(LLMConfig{URL: u, Model: "m", City: Builtin().City()}, nil); err == nil {
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
