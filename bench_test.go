package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"jiefen/wxsim"
)

// senders is the number of concurrent connections the platform keeps open
// to the bot in the benchmark (the target is stated for 32).
const senders = 32

// BenchmarkCallback compares jiefen's callback (safe mode, embedded store,
// the whole conversation: classify, ask, create cases) with a bare
// silenceper handler that only answers a fixed text, under the same load
// generator in the same run. The bare handler runs twice: answering "收到",
// and answering a fixed text as long as jiefen's average reply, because a
// longer reply costs the platform's side and ours more XML and AES work
// whoever writes it. Run:
//
//	go test -run '^$' -bench Callback -benchtime 20000x .
//
// It reports requests per second, the 99th-percentile latency and the
// average reply length in characters.
func BenchmarkCallback(b *testing.B) {
	var replyChars int
	b.Run("jiefen-sqlite", func(b *testing.B) {
		api := httptest.NewServer(wxsim.NewPlatform(testAppID, testSecret))
		defer api.Close()
		replyChars = load(b, benchInstance(b, Config{DataDir: b.TempDir()}, api.URL))
	})
	b.Run("jiefen-redis-2-instances", func(b *testing.B) {
		r := startRedis(b)
		api := httptest.NewServer(wxsim.NewPlatform(testAppID, testSecret))
		defer api.Close()
		urls := []string{benchInstance(b, Config{RedisURL: r.url()}, api.URL), benchInstance(b, Config{RedisURL: r.url()}, api.URL)}
		before := redisCommands(b, r)
		load(b, urls...)
		b.ReportMetric(float64(redisCommands(b, r)-before)/float64(b.N), "redis-cmds/msg")
	})
	b.Run("bare-silenceper-short", func(b *testing.B) { load(b, bareHandler(b, "收到")) })
	b.Run("bare-silenceper-same-length", func(b *testing.B) {
		load(b, bareHandler(b, strings.Repeat("解", max(replyChars, 1))))
	})
}

// benchInstance runs jiefen with the store of cfg, in safe mode, and
// returns its base URL; it stops with the benchmark.
func benchInstance(b *testing.B, cfg Config, api string) string {
	cfg.AppID, cfg.Secret, cfg.Token, cfg.AESKey, cfg.WeChatAPI, cfg.APITimeout = testAppID, testSecret, testToken, testAESKey, api, 2*time.Second
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.server.Handler())
	b.Cleanup(func() { srv.Close(); a.store.Close() })
	return srv.URL
}

// bareHandler serves silenceper's server answering text to every message.
func bareHandler(b *testing.B, text string) string {
	oa := officialaccount.NewOfficialAccount(&config.Config{AppID: testAppID, AppSecret: testSecret,
		Token: testToken, EncodingAESKey: testAESKey, Cache: benchCache{}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := oa.GetServer(r, w)
		s.SetMessageHandler(func(*message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(text)}
		})
		if err := s.Serve(); err == nil {
			_ = s.Send()
		}
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// benchConversation is what each simulated citizen says, over and over as
// new citizens: story, consent, region, phone, confirm (a case is made),
// and an addition to the case's thread.
var benchConversation = []string{"在柳河县工地干了三个月，包工头一直拖欠工资不给", "同意", "5", "跳过", "1", "补充：一共欠了八千六"}

// load is the load generator: senders goroutines, each a platform
// connection posting signed, encrypted text callbacks one after another.
// Senders are spread over the bases (instances) given. It returns the
// average reply length in characters.
func load(b *testing.B, bases ...string) int {
	transport := &http.Transport{MaxIdleConnsPerHost: senders}
	clients := make([]*wxsim.Client, len(bases))
	for i, base := range bases {
		clients[i] = &wxsim.Client{URL: base + "/wechat", Token: testToken, AESKey: testAESKey, AppID: testAppID,
			AccountID: "gh_bench", Mode: wxsim.Safe, HTTP: &http.Client{Transport: transport}}
	}
	var next atomic.Int64
	lat := make([][]time.Duration, senders)
	var chars atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := cpuTime(b)
	start := time.Now()
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := clients[s%len(clients)]
			for turn := 0; ; turn++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				who := fmt.Sprintf("oBench%02d-%d", s, turn/len(benchConversation))
				m := client.Text(who, benchConversation[turn%len(benchConversation)])
				t0 := time.Now()
				rep, err := client.Send(context.Background(), m)
				lat[s] = append(lat[s], time.Since(t0))
				if err != nil || rep.Content == "" {
					b.Errorf("callback failed: %v", err)
					return
				}
				chars.Add(int64(utf8.RuneCountInString(rep.Content)))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime(b) - cpu0
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return 0
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	// CPU time per request, the load generator's share included (the same
	// for every handler): less disturbed by other work on the machine than
	// requests per second, it shows what a request costs.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(all)), "cpu-µs/req")
	avg := int(chars.Load()) / len(all)
	b.ReportMetric(float64(avg), "reply-chars")
	return avg
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCache is a token cache the bare handler never uses (it sends nothing).
type benchCache struct{}

func (benchCache) Get(string) interface{}                       { return nil }
func (benchCache) Set(string, interface{}, time.Duration) error { return nil }
func (benchCache) IsExist(string) bool                          { return false }
func (benchCache) Delete(string) error                          { return nil }

// redisCommands reads how many commands the server has processed.
func redisCommands(b *testing.B, r *redisServer) int64 {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	info, err := c.Info(context.Background(), "stats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no total_commands_processed in INFO")
	return 0
}
