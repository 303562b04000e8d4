package storetest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// BenchCommit commits what one ordinary citizen message produces: a
// dedup key, the citizen's window, the dialog and one event on the case.
// Each parallel goroutine plays its own citizen, so dialog versions follow
// on as they would in production. Each backend's BenchmarkCommit runs it.
func BenchCommit(b *testing.B, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	var citizens atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := citizens.Add(1)
		id, caseID := fmt.Sprint("o", g), fmt.Sprint("JF20261127-", g)
		c := dispute.Case{ID: caseID, Status: dispute.Received, OpenID: id, CreatedAt: now}
		if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{c}}); err != nil {
			b.Error(err)
			return
		}
		var version int64
		for pb.Next() {
			cit := dispute.Citizen{OpenID: id, ConsentAt: now, LastInboundAt: now,
				WindowUntil: now.Add(dispute.MessageWindow), Quota: dispute.MessageQuota}
			err := s.Commit(ctx, store.Change{
				At: now, Dedup: fmt.Sprint(id, "-", version), DedupTTL: 5 * time.Minute, Reply: "success",
				Citizen: &cit,
				Dialog: &store.Dialog{OpenID: id, Version: version, Step: "region",
					Draft: store.Draft{Story: "老板拖欠工资三个月", Type: dispute.Labor, Confidence: 0.9}, UpdatedAt: now},
				Events: []dispute.Event{{CaseID: caseID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: "老板拖欠工资三个月"}},
			})
			if err != nil {
				b.Error(err)
				return
			}
			version++
		}
	})
}

// searchPhrases, searchNames: what the seeded cases' stories are made of,
// so words recur as they do in one city's complaints.
var (
	searchPhrases = []string{"老板拖欠工资", "三个月没发", "房东不退押金", "邻居装修噪音扰民", "物业费纠纷", "交通事故赔偿",
		"离婚财产分割", "工伤认定", "劳动合同到期", "网购商品质量问题", "装修公司延期交房", "借款不还", "宅基地边界",
		"子女抚养费", "医疗费用报销", "加班费没给", "社保未缴", "停车位被占", "楼上漏水损坏", "宠物伤人"}
	searchSurnames = []rune("张王李赵刘陈杨黄周吴")
	searchGiven    = []rune("伟芳娜敏静丽强磊军洋")
)

// SeedSearch commits n cases (with two thread messages each) over ten
// bodies, 500 to a Change, and returns the queries BenchSearch runs.
func SeedSearch(tb testing.TB, s store.Store, n int) []string {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	rnd := uint64(1)
	next := func(m int) int { // a fixed sequence: every run seeds the same
		rnd = rnd*6364136223846793005 + 1442695040888963407
		return int(rnd>>33) % m
	}
	pick := func() string { return searchPhrases[next(len(searchPhrases))] }
	name := func() string {
		return string(searchSurnames[next(len(searchSurnames))]) + string(searchGiven[next(len(searchGiven))])
	}
	var c store.Change
	var someID, somePhone string
	for i := range n {
		created := start.Add(time.Duration(i) * 5 * time.Minute)
		id := fmt.Sprintf("JF%s-%04d", created.Format("20060102"), i%288+1)
		phone := fmt.Sprintf("13%09d", next(1_000_000_000))
		k := dispute.Case{ID: id, Status: dispute.Received, Type: dispute.Labor, Region: "东昌区",
			Body: fmt.Sprint("body", i%10), Summary: pick(), Story: pick() + "，" + name() + "说" + pick() + fmt.Sprint(next(20000), "元"),
			OpenID: fmt.Sprint("o", i), Phone: phone, CreatedAt: created, UpdatedAt: created}
		c.NewCases = append(c.NewCases, k)
		c.Events = append(c.Events,
			dispute.Event{CaseID: id, At: created, Kind: dispute.MessageIn, Actor: k.OpenID, Text: pick() + "，" + name() + "可以作证"},
			dispute.Event{CaseID: id, At: created, Kind: dispute.MessageOut, Actor: "mediator", Text: "请提供" + pick() + "的材料"})
		if i == n/2 {
			someID, somePhone = id, phone
		}
		if len(c.NewCases) == 500 || i == n-1 {
			if err := s.Commit(ctx, c); err != nil {
				tb.Fatal(err)
			}
			c = store.Change{}
		}
	}
	return []string{"工资", "拖欠工资", "张伟", "宠物伤人", "工资 张伟", "火星", "可以作证", someID, someID[len(someID)-4:],
		somePhone, somePhone[len(somePhone)-4:]}
}

// BenchSearch runs the queries in turn, as a mediator of body0 (the
// body's cases, its phone numbers) and as an admin (every case), the
// console's limit of 500, and reports the latencies' p50 and p99 (ms).
func BenchSearch(b *testing.B, s store.Store, queries []string) {
	ctx := context.Background()
	var took []time.Duration
	worst := map[string]time.Duration{}
	// Each query's own CPU time too: on a shared machine whose other
	// work delays the answers, what a query costs is its thread's CPU
	// time (the query runs on the calling goroutine, kept on its thread).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpuTook []time.Duration
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		f := store.CaseFilter{Query: q, Limit: 500}
		if i/len(queries)%2 == 0 {
			f.Body, f.QueryPhones = "body0", "body0"
		}
		c0 := threadCPU()
		t0 := time.Now()
		if _, err := s.Cases(ctx, f); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		took = append(took, d)
		cpuTook = append(cpuTook, threadCPU()-c0)
		key := fmt.Sprintf("%q body=%q", q, f.Body)
		worst[key] = max(worst[key], d)
	}
	b.StopTimer()
	// CPU time per query (this process's: the whole search on SQLite, the
	// client's share on Redis) is less disturbed by other work on a
	// shared machine than the latencies are.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	p := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	slices.Sort(cpuTook)
	b.ReportMetric(float64(cpuTook[len(cpuTook)/2].Microseconds())/1000, "cpu-p50-ms")
	b.ReportMetric(float64(cpuTook[int(0.99*float64(len(cpuTook)-1))].Microseconds())/1000, "cpu-p99-ms")
	for k, d := range worst {
		b.Logf("slowest %s: %v", k, d)
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// threadCPU is the CPU time the calling thread has used (Linux's
// RUSAGE_THREAD); 0 where there is no such thing.
func threadCPU() time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
