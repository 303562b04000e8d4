package routing

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"jiefen/dispute"
	"jiefen/personal"
)

// Defaults and bounds of LLMConfig.
const (
	DefaultLLMBudget     = 1500 * time.Millisecond
	DefaultLLMCacheSize  = 10000
	DefaultLLMLateBudget = 20 * time.Second
	DefaultLLMInFlight   = 32

	// MaxLLMBudget caps Budget: WeChat waits 5 seconds for the callback,
	// which must still store the case and answer after the LLM.
	MaxLLMBudget = 3 * time.Second

	llmBreakerThreshold = 5
	llmBreakerCooldown  = 30 * time.Second
	llmMaxInputRunes    = 2000    // longer complaints are cut before sending
	llmMaxOutputTokens  = 512     // the answer is a small object
	llmMaxResponseBytes = 1 << 20 // a bigger body is not an answer
	llmMaxMissing       = 5
	llmMissingRunes     = 20
)

// LLMConfig configures the LLM classifier. URL is an OpenAI-compatible base
// (https://api.deepseek.com/v1, http://localhost:11434/v1, …): the client
// appends /chat/completions.
type LLMConfig struct {
	URL, Key, Model string
	// City is the routing table's city (Table.City): the model is told its
	// name and regions, and may answer only those.
	City City
	// Budget is how long Classify, Analyze and AnalyzeLater wait for the
	// LLM before answering with the local classifier: default 1500ms, at
	// most MaxLLMBudget.
	Budget time.Duration
	// CacheSize bounds the cache of answers by text digest: default 10000.
	CacheSize int
	// HTTPClient sends the requests; nil means a plain client. Time limits
	// come from contexts, so it needs no Timeout of its own.
	HTTPClient *http.Client

	// LateBudget bounds how long AnalyzeLater keeps waiting in the
	// background: default 20s.
	LateBudget time.Duration
	// MaxInFlight bounds concurrent requests to the LLM; a message beyond
	// it is classified locally at once: default 32.
	MaxInFlight int
	// Logger receives outcome classes only (never complaint text); nil
	// discards.
	Logger *slog.Logger
}

// Analysis is what the LLM understood; Result plus the summary and what is
// missing.
type Analysis struct {
	Result
	Summary string `json:"summary"` // one line for mediators, at most 40 runes
	// SummaryAI: the LLM wrote Summary (not the extractive Summarize),
	// so wherever it is shown it carries the AI label.
	SummaryAI bool     `json:"summary_ai,omitempty"`
	Missing   []string `json:"missing,omitempty"` // what mediation still needs to know
	Source    string   `json:"source"`            // "llm", "cache" or "local"
}

// Sources of an Analysis.
const (
	SourceLLM   = "llm"
	SourceCache = "cache"
	SourceLocal = "local"
)

// Outcome classes of an LLM request, as logged and counted in Stats.
const (
	OutcomeOK          = "ok"
	OutcomeCache       = "cache"
	OutcomeTimeout     = "timeout"
	OutcomeRefused     = "refused"      // 401, 403
	OutcomeRateLimited = "rate_limited" // 429
	OutcomeServerError = "server_error" // 5xx
	OutcomeBadRequest  = "bad_request"  // other 4xx
	OutcomeUnreachable = "unreachable"  // connection refused, DNS, TLS…
	OutcomeInvalid     = "invalid"      // an answer that fails the checks
	OutcomeCanceled    = "canceled"     // the caller gave up first
	OutcomeBreakerOpen = "breaker_open" // skipped: too many failures lately
	OutcomeBusy        = "busy"         // skipped: MaxInFlight requests under way
	OutcomeClosed      = "closed"       // skipped: Close was called
)

// LLM classifies with an OpenAI-compatible chat model and falls back to a
// local classifier whenever the model is slow, unreachable, refuses or
// answers anything but the expected object. It is safe for concurrent use.
//
// Its judgement is checked, never trusted blindly: the type must be a known
// code, the region one of the city's; urgency is the LLM's OR the local
// detector's, so the LLM can raise but never lower it. Valid answers are
// cached by the SHA-256 of the normalised text. After llmBreakerThreshold
// consecutive failures the LLM is skipped for llmBreakerCooldown, so a dead
// endpoint costs nothing per message.
type LLM struct {
	client   *openai.Client
	model    string
	city     City
	prompt   string // the system message, built once for the city
	budget   time.Duration
	late     time.Duration
	fallback Classifier
	cache    *llmCache
	breaker  *breaker
	slots    chan struct{}
	jsonMode atomic.Bool // cleared when the server rejects response_format
	log      *slog.Logger

	statsMu sync.Mutex
	stats   map[string]int64

	closeMu sync.RWMutex
	closed  bool
	ctx     context.Context // canceled by Close: ends background requests
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ Classifier = (*LLM)(nil)

// NewLLM validates cfg and returns the LLM classifier; fallback is the local
// classifier (nil means NewLocal(cfg.City)).
func NewLLM(cfg LLMConfig, fallback Classifier) (*LLM, error) {
	base, err := llmBaseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("routing: LLM model is not set (JIEFEN_OPENAI_MODEL)")
	}
	if len(cfg.City.regions) == 0 {
		return nil, errors.New("routing: LLM city has no regions (pass the routing table's City)")
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultLLMBudget
	}
	cfg.Budget = min(cfg.Budget, MaxLLMBudget)
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = DefaultLLMCacheSize
	}
	if cfg.LateBudget <= 0 {
		cfg.LateBudget = DefaultLLMLateBudget
	}
	cfg.LateBudget = max(cfg.LateBudget, cfg.Budget)
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultLLMInFlight
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if fallback == nil {
		fallback = NewLocal(cfg.City)
	}
	oc := openai.DefaultConfig(cfg.Key)
	oc.BaseURL = base
	oc.HTTPClient = cappedDoer{cfg.HTTPClient}

	ctx, cancel := context.WithCancel(context.Background())
	l := &LLM{
		client:   openai.NewClientWithConfig(oc),
		model:    strings.TrimSpace(cfg.Model),
		city:     cfg.City,
		prompt:   llmSystemPrompt(cfg.City),
		budget:   cfg.Budget,
		late:     cfg.LateBudget,
		fallback: fallback,
		cache:    newLLMCache(cfg.CacheSize),
		breaker:  &breaker{threshold: llmBreakerThreshold, cooldown: llmBreakerCooldown, now: time.Now},
		slots:    make(chan struct{}, cfg.MaxInFlight),
		log:      cfg.Logger.With("component", "llm"),
		stats:    map[string]int64{},
		ctx:      ctx,
		cancel:   cancel,
	}
	l.jsonMode.Store(true)
	return l, nil
}

// llmBaseURL checks an OpenAI-compatible base URL and trims what the client
// adds itself, so ".../v1/" and ".../v1/chat/completions" work too.
func llmBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return "", errors.New("routing: LLM URL is not a URL (JIEFEN_OPENAI_URL)")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("routing: LLM URL must be http(s)://host/…, not %q scheme/host", u.Scheme)
	}
	if u.User != nil {
		return "", errors.New("routing: LLM URL must not carry credentials; use JIEFEN_OPENAI_KEY")
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/chat/completions")
	u.RawPath = ""
	return strings.TrimRight(u.String(), "/"), nil
}

// Classify implements Classifier: the LLM's Result within Budget, else the
// fallback's. A slow or broken LLM is never an error; only a failing
// fallback without an LLM answer is.
func (l *LLM) Classify(ctx context.Context, text string) (Result, error) {
	a, err := l.Analyze(ctx, text)
	return a.Result, err
}

// Analyze is Classify with the summary and what is missing. It waits for the
// LLM at most Budget (less if ctx ends first) and abandons the request then.
func (l *LLM) Analyze(ctx context.Context, text string) (Analysis, error) {
	local, lerr := l.local(ctx, text)
	key := llmCacheKey(text)
	if a, ok := l.fromCache(key, local, text); ok {
		return a, nil
	}
	probe, skipped := l.admit()
	if skipped != "" {
		return l.localAnalysis(local, text), lerr
	}
	cctx, cancel := context.WithTimeout(ctx, l.budget)
	ans, err := l.ask(cctx, text)
	cancel()
	l.finish(ctx, key, probe, ans, err)
	if err != nil {
		return l.localAnalysis(local, text), lerr
	}
	return l.merge(ans, local, text, SourceLLM), nil
}

// AnalyzeLater returns within Budget like Analyze, but when the LLM has not
// answered by then it returns the local analysis and keeps waiting in the
// background (at most LateBudget from the start, independent of ctx), then
// calls done with the LLM's analysis, unless the request failed or the
// LLM's Result (type, urgent, region) agrees with the one returned. done
// runs on its own goroutine; the caller uses it to correct the case. The
// late answer is cached either way, so a later Analyze of the same text
// gets its summary.
func (l *LLM) AnalyzeLater(ctx context.Context, text string, done func(Analysis)) Analysis {
	local, _ := l.local(ctx, text)
	key := llmCacheKey(text)
	if a, ok := l.fromCache(key, local, text); ok {
		return a
	}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		l.count(OutcomeClosed)
		return l.localAnalysis(local, text)
	}
	probe, skipped := l.admit()
	if skipped != "" {
		l.closeMu.RUnlock()
		return l.localAnalysis(local, text)
	}
	type reply struct {
		ans llmAnswer
		err error
	}
	replies := make(chan reply, 1)
	l.wg.Add(2) // the request, and the one who waits for it after the budget
	l.closeMu.RUnlock()

	go func() {
		defer l.wg.Done()
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.late)
		stop := context.AfterFunc(l.ctx, cancel)
		ans, err := l.ask(bctx, text)
		stop()
		cancel()
		l.finish(l.ctx, key, probe, ans, err)
		replies <- reply{ans, err}
	}()

	timer := time.NewTimer(l.budget)
	defer timer.Stop()
	select {
	case r := <-replies:
		l.wg.Done()
		if r.err != nil {
			return l.localAnalysis(local, text)
		}
		return l.merge(r.ans, local, text, SourceLLM)
	case <-timer.C:
	case <-ctx.Done():
	}
	now := l.localAnalysis(local, text)
	go func() {
		defer l.wg.Done()
		r := <-replies
		if r.err != nil || done == nil {
			return
		}
		a := l.merge(r.ans, local, text, SourceLLM)
		if a.Type != now.Type || a.Urgent != now.Urgent || a.Region != now.Region {
			done(a)
		}
	}()
	return now
}

// Close ends the background requests of AnalyzeLater (their done is not
// called) and waits for them. Classify and Analyze keep working after it,
// without the LLM's late answers.
func (l *LLM) Close() error {
	l.closeMu.Lock()
	l.closed = true
	l.closeMu.Unlock()
	l.cancel()
	l.wg.Wait()
	return nil
}

// Stats counts outcomes by class (the Outcome constants) since NewLLM.
func (l *LLM) Stats() map[string]int64 {
	l.statsMu.Lock()
	defer l.statsMu.Unlock()
	out := make(map[string]int64, len(l.stats))
	for k, v := range l.stats {
		out[k] = v
	}
	return out
}

func (l *LLM) count(outcome string) {
	l.statsMu.Lock()
	l.stats[outcome]++
	l.statsMu.Unlock()
}

// local runs the fallback. When it fails (Local never does) the result is
// still usable: a case of type other, so nothing said is lost.
func (l *LLM) local(ctx context.Context, text string) (Result, error) {
	res, err := l.fallback.Classify(ctx, text)
	if err != nil {
		res = Result{Type: dispute.Other, Urgent: DetectUrgent(text), Region: l.city.Detect(text)}
	}
	return res, err
}

func (l *LLM) fromCache(key [sha256.Size]byte, local Result, text string) (Analysis, bool) {
	ans, ok := l.cache.get(key)
	if !ok {
		return Analysis{}, false
	}
	l.count(OutcomeCache)
	return l.merge(ans, local, text, SourceCache), true
}

// admit takes a request slot and asks the breaker; skipped names why the
// LLM is not asked, or is "".
func (l *LLM) admit() (probe bool, skipped string) {
	ok, probe := l.breaker.allow()
	if !ok {
		l.count(OutcomeBreakerOpen)
		return false, OutcomeBreakerOpen
	}
	select {
	case l.slots <- struct{}{}:
		return probe, ""
	default:
		l.breaker.done(probe, false, false)
		l.count(OutcomeBusy)
		l.log.Warn("llm skipped", "outcome", OutcomeBusy)
		return false, OutcomeBusy
	}
}

// finish records a request's outcome: breaker, cache, counters, log, and
// gives back the slot. parent is the context whose end means the caller,
// not the endpoint, gave up.
func (l *LLM) finish(parent context.Context, key [sha256.Size]byte, probe bool, ans llmAnswer, err error) {
	<-l.slots
	outcome := OutcomeOK
	if err != nil {
		outcome = llmOutcome(err)
		if parent.Err() != nil {
			outcome = OutcomeCanceled
		}
	}
	opened := l.breaker.done(probe, err == nil, outcome != OutcomeCanceled)
	if err == nil {
		l.cache.put(key, ans)
	}
	l.count(outcome)
	switch {
	case err == nil:
		l.log.Debug("llm answered", "outcome", outcome)
	case outcome == OutcomeCanceled:
	default:
		// Only the class and the HTTP status: error texts may quote the
		// request, and the request is personal data.
		l.log.Warn("llm failed, local classifier used", "outcome", outcome, "status", llmStatus(err))
	}
	if opened {
		l.log.Warn("llm skipped for a while after repeated failures", "cooldown", llmBreakerCooldown.String())
	}
}

// errInvalid marks an answer that fails the checks.
var errInvalid = errors.New("routing: invalid LLM answer")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errInvalid}, args...)...)
}

// ask sends one chat completion and checks the answer.
func (l *LLM) ask(ctx context.Context, text string) (llmAnswer, error) {
	// Names, phone, ID and bank numbers and addresses never leave: the
	// model reads placeholders (个人信息保护法 arts. 6, 38), and its answer
	// gets the originals back.
	masked := personal.Mask(text)
	sent := masked.Text
	if rs := []rune(sent); len(rs) > llmMaxInputRunes {
		sent = string(rs[:llmMaxInputRunes])
	}
	req := openai.ChatCompletionRequest{
		Model: l.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: l.prompt},
			{Role: openai.ChatMessageRoleUser, Content: llmUserMessage(sent)},
		},
	}
	if !fixedSampling(l.model) {
		// go-openai omits a zero temperature (the server would then use its
		// default, 1); the smallest float32 is sent instead, and is 0 in effect.
		req.Temperature = math.SmallestNonzeroFloat32
		// max_completion_tokens replaced max_tokens in the OpenAI API; an
		// endpoint that does not know it ignores it, and the answer asked
		// for is a short JSON object anyway.
		req.MaxCompletionTokens = llmMaxOutputTokens
	}
	jsonMode := l.jsonMode.Load()
	if jsonMode {
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	resp, err := l.client.CreateChatCompletion(ctx, req)
	if err != nil {
		if jsonMode && llmStatus(err) == http.StatusBadRequest {
			// Some servers reject response_format: go on without it; the
			// prompt asks for JSON anyway and the answer is checked.
			l.jsonMode.Store(false)
		}
		return llmAnswer{}, err
	}
	if len(resp.Choices) == 0 {
		return llmAnswer{}, invalidf("no choices")
	}
	msg := resp.Choices[0].Message
	if msg.Refusal != "" {
		return llmAnswer{}, invalidf("refusal")
	}
	return parseLLMAnswer(msg.Content, l.city, masked.Unmask)
}

// fixedSampling reports models whose temperature and max_tokens go-openai
// refuses to send (reasoning models).
func fixedSampling(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}
