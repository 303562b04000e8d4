package workflow

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

// BenchmarkAlertEvaluate is the cost of evaluating a new case with 1,000
// and then 100,000 cases in the window (subjects of 5 cases each, filed
// over the last 7 days): its mark, its subject's cluster read from the
// index, the open alert read, and the alert opened or updated; and the
// citizen's own cases for the repeat rule. The target is under 5 ms per
// case with 100,000; the cost must not grow with the cases of other
// subjects (compare the two).
func BenchmarkAlertEvaluate(b *testing.B) {
	backends.EachB(b, func(b *testing.B, open func() store.Store) {
		s := open()
		table := routing.Builtin()
		now := testdate.At("w1 Mon 09:00")
		w := &Cases{Store: s, Table: table, Hooks: &referral.Hooks{Store: s, Table: table}, Now: func() time.Time { return now }}
		// The same store grows from 1,000 cases in the window to 100,000:
		// the ratio of the two costs says whether anything scans.
		seeded := 0
		for _, cases := range []int{1_000, 100_000} {
			b.Run(fmt.Sprint(cases), func(b *testing.B) {
				benchSeed(b, w, now, seeded, cases)
				seeded = cases
				benchEvaluate(b, w, now, cases)
			})
		}
	})
}

const benchPerSubject = 5

// benchSeed files marks from from to to (5 per subject) over the 7 days
// before now.
func benchSeed(b *testing.B, w *Cases, now time.Time, from, to int) {
	ctx := context.Background()
	names := benchNames(to / benchPerSubject)
	rng := rand.New(rand.NewPCG(uint64(from), 2))
	for i := from; i < to; i++ {
		k := benchCase(fmt.Sprintf("JF-seed-%06d", i), names[i/benchPerSubject], now.Add(-time.Duration(rng.Int64N(int64(7*24*time.Hour)))))
		if err := w.Store.PutRiskMark(ctx, w.markOf(k, nil)); err != nil {
			b.Fatal(err)
		}
	}
	if ms, _ := w.Store.MarksOfSubject(ctx, w.markOf(benchCase("x", names[0], now), nil).Subject, now.Add(-8*24*time.Hour), now); len(ms) < benchPerSubject {
		b.Fatalf("a seeded subject has %d cases, want %d", len(ms), benchPerSubject)
	}
}

// benchEvaluate files new cases about the seeded subjects, at random.
func benchEvaluate(b *testing.B, w *Cases, now time.Time, cases int) {
	ctx := context.Background()
	names := benchNames(cases / benchPerSubject)
	rng := rand.New(rand.NewPCG(3, uint64(cases)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := benchCase(fmt.Sprintf("JF-bench-%d-%07d", cases, i), names[rng.IntN(len(names))], now)
		if err := w.Watch(ctx, store.Change{NewCases: []dispute.Case{k}}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCase(id, name string, at time.Time) dispute.Case {
	return dispute.Case{ID: id, Status: dispute.Referred, Type: dispute.Labor, Region: "柳河县",
		Story: "我在" + name + "建筑干活，老板拖欠工资三个月了", OpenID: "o-" + id, CreatedAt: at, UpdatedAt: at}
}

// benchNames makes n distinct two-character firm names from characters
// that are never read as a boundary of a name.
func benchNames(n int) []string {
	const pool = "鑫源华盛隆泰恒宏丰瑞佳豪祥福兴安平顺通东明景海和美君凯润荣天博宇鹏德泽汇万亿正中旺鼎林春秋雅湖山金银铜铁石玉春夏冬松柏竹梅兰菊"
	rs := []rune(pool)
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		out = append(out, string(rs[i%len(rs)])+string(rs[(i/len(rs))%len(rs)])+string(rs[(i/len(rs)/len(rs))%len(rs)]))
	}
	return out
}
