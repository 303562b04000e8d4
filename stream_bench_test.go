package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/store"
	"jiefen/wxsim"
)

// BenchmarkStreamFanout connects 1,000 console websocket clients — 900 of
// the body that has the case, 100 of another body — and measures, for each
// citizen message sent through the callback, the time until every client
// that may see the case has its event. It reports the 99th percentile and
// the memory each idle connection holds (both ends are in this process,
// so the server's share is at most this). Run:
//
//	go test -run '^$' -bench StreamFanout -benchtime 200x .
func BenchmarkStreamFanout(b *testing.B) {
	const mine, others = 900, 100
	e := newEnv(b, envOptions{mode: wxsim.Plain})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	ctx := context.Background()
	cookie := func(user string, i int) string {
		value := fmt.Sprintf("bench-session-%s-%d", user, i)
		h := sha256.Sum256([]byte(value))
		now := time.Now()
		err := e.app.store.PutSession(ctx, store.Session{IDHash: hex.EncodeToString(h[:]), User: user, CSRF: "x",
			Expires: now.Add(time.Hour)}, now)
		if err != nil {
			b.Fatal(err)
		}
		return value
	}
	const who = "oBenchStream"
	id := e.fileCase(who, "在柳河县的工地干活，老板欠了三个月工资")

	var round atomic.Int64 // which message the clients are waiting for
	var got atomic.Int64   // how many eligible clients have it
	done := make(chan struct{}, 1)
	var wrong atomic.Int64 // events reaching the other body's clients

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/console/ws"
	var conns []*websocket.Conn
	var wg sync.WaitGroup
	for i := 0; i < mine+others; i++ {
		user := "liuhe"
		if i >= mine {
			user = "dongchang"
		}
		h := http.Header{"Origin": {e.srv.URL}, "Cookie": {"jiefen_session=" + cookie(user, i)}}
		conn, _, err := websocket.DefaultDialer.Dial(wsURL, h)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		conns = append(conns, conn)
		wg.Add(1)
		go func(eligible bool) {
			defer wg.Done()
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				if !eligible {
					wrong.Add(1)
					continue
				}
				var ev struct {
					Case string `json:"case"`
				}
				if json.Unmarshal(msg, &ev) == nil && ev.Case == id && round.Load() > 0 {
					if got.Add(1) == mine {
						done <- struct{}{}
					}
				}
			}
		}(user == "liuhe")
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConn := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / float64(mine+others) / 1024

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got.Store(0)
		round.Store(int64(i + 1))
		start := time.Now()
		e.say(who, fmt.Sprintf("补充第%d条", i))
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.Fatalf("message %d reached %d of %d clients", i, got.Load(), mine)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	if wrong.Load() > 0 {
		b.Fatalf("%d events reached clients of another body", wrong.Load())
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(perConn, "KiB/conn")
}
