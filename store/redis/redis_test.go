package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
	"jiefen/store/storetest"
)

var prefixes atomic.Int64

// isolated returns a key prefix no other test (nor run, on a shared
// server) uses, and deletes its keys when the test ends.
func isolated(tb testing.TB, url string) string {
	p := fmt.Sprintf("jt%d-%d:", time.Now().UnixNano(), prefixes.Add(1))
	tb.Cleanup(func() { deleteKeys(tb, url, p) })
	return p
}

func deleteKeys(tb testing.TB, url, prefix string) {
	rdb, err := newClient(url)
	if err != nil {
		tb.Errorf("cleanup: %v", err)
		return
	}
	defer rdb.Close()
	ctx := context.Background()
	del := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, del)
	case *redis.Client:
		err = del(ctx, c)
	}
	if err != nil {
		tb.Errorf("cleanup of %s*: %v", prefix, err)
	}
}

// opener opens stores on url under one prefix: every call sees the same
// data, as the contract's reopen needs.
func opener(tb testing.TB, url, prefix string) func() store.Store {
	return func() store.Store {
		s, err := Open(tb.Context(), url, WithPrefix(prefix))
		if err != nil {
			tb.Fatalf("Open: %v", err)
		}
		return s
	}
}

func TestContract(t *testing.T) {
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) func() store.Store {
		return opener(t, url, isolated(t, url))
	})
}

func openTest(tb testing.TB) *Store {
	tb.Helper()
	url := testURL(tb)
	s := opener(tb, url, isolated(tb, url))().(*Store)
	tb.Cleanup(func() { s.Close() })
	return s
}

// roundTrips counts what reaches the server: each command and each
// pipeline is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// A typical inbound text turn reads the conversation (citizen and dialog)
// and the citizen's cases, then commits: one round trip each.
func TestTurnRoundTrips(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	now := time.Now()
	c := dispute.Case{ID: "JF20261127-0001", Status: dispute.Received, OpenID: "o1", CreatedAt: now}
	cit := dispute.Citizen{OpenID: "o1", ConsentAt: now, LastInboundAt: now, WindowUntil: now.Add(dispute.MessageWindow), Quota: 5}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{c}, Citizen: &cit}); err != nil {
		t.Fatal(err)
	}
	var count roundTrips
	s.rdb.AddHook(&count)
	// Turn 0 also dials the pipeline pool's first connection, whose
	// handshake (HELLO, CLIENT SETINFO) goes through the hooks: that is a
	// connection's cost, not a turn's.
	for turn := range 4 {
		before := count.n.Load()
		_, d, err := s.Conversation(ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cases(ctx, store.CaseFilter{OpenID: "o1"}); err != nil {
			t.Fatal(err)
		}
		d.OpenID, d.Step = "o1", "story"
		err = s.Commit(ctx, store.Change{
			At: now, Dedup: fmt.Sprint("msg-", turn), DedupTTL: time.Hour, Reply: "success", Citizen: &cit, Dialog: &d,
			Events:   []dispute.Event{{CaseID: c.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: "还没处理吗"}},
			Outbound: []store.Outbound{{OpenID: "o1", CaseID: c.ID, Kind: store.OutText, Text: "已收到"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		n := count.n.Load() - before
		if turn > 0 && (n > 3 || n < 1) {
			t.Errorf("turn %d took %d round trips, want at most 3", turn, n)
		}
		t.Logf("turn %d: %d round trips", turn, n)
	}
}

func TestTimesAreUTC(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	at := testdate.At("w-1 Fri 09:00") // China time, not UTC
	if err := s.Commit(ctx, store.Change{Citizen: &dispute.Citizen{OpenID: "o", WindowUntil: at}}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Citizen(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	if c.WindowUntil.Location() != time.UTC || !c.WindowUntil.Equal(at) {
		t.Errorf("WindowUntil = %v, want %v in UTC", c.WindowUntil, at.UTC())
	}
}

// Everything but the per-day counters and media sits in one cluster slot.
func TestKeysShareOneSlot(t *testing.T) {
	k, err := newKeys(DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	tx := []string{k.citizen("o{1}"), k.dialog("o}"), k.dedup("{k}"), k.dedupExpiry(), k.caseKey("JF1"),
		k.caseIndex("", ""), k.caseIndex("s", "received"), k.caseIndex("a", "王"), k.events("JF1"), k.eventSeq(), k.item(7),
		k.itemSeq(), k.queueDue(store.LaneWeChat), k.queueIndex("", ""), k.queueIndex("k", "om:o1"),
		k.queueIndex("c", "JF1"), k.queueIndex("s", "failed"), k.due()}
	for _, key := range tx {
		if !strings.HasPrefix(key, "jiefen:{jiefen}:") {
			t.Errorf("key %q is outside the transaction slot", key)
		}
	}
	for _, p := range []string{"", ":", "a{b}:"} {
		if _, err := newKeys(p); err == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
}

// BenchmarkCommit: see storetest.BenchCommit.
func BenchmarkCommit(b *testing.B) { storetest.BenchCommit(b, openTest(b)) }

// BenchmarkSearch: 100,000 cases, see storetest.BenchSearch.
func BenchmarkSearch(b *testing.B) {
	s := openTest(b)
	storetest.BenchSearch(b, s, storetest.SeedSearch(b, s, 100_000))
}
