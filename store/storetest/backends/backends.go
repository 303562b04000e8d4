// Package backends runs a test of a feature built on store.Store against
// every backend: the embedded SQLite store and Redis. (The store contract
// itself is storetest; this is for the packages above it, so that "works on
// both stores" is something each of their tests checks.)
package backends

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
	redisstore "jiefen/store/redis"
	"jiefen/store/sqlite"
)

// RedisURLEnv names a Redis the tests use instead of starting their own.
// Each test then works under a key prefix of its own and deletes its keys
// at the end.
const RedisURLEnv = "JIEFEN_TEST_REDIS_URL"

// Each runs f as the subtests "sqlite" and "redis". open opens the test's
// store; after Close it may be called again and opens the same data, as a
// restarted process would. Stores still open when the subtest ends are
// closed.
func Each(t *testing.T, f func(t *testing.T, open func() store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		f(t, opener(t, func() (store.Store, error) { return sqlite.Open(dir) }))
	})
	t.Run("redis", func(t *testing.T) {
		url, prefix := redisFor(t)
		f(t, opener(t, func() (store.Store, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
		}))
	})
}

// EachB is Each for a benchmark.
func EachB(b *testing.B, f func(b *testing.B, open func() store.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		dir := b.TempDir()
		f(b, opener(b, func() (store.Store, error) { return sqlite.Open(dir) }))
	})
	b.Run("redis", func(b *testing.B) {
		url, prefix := redisFor(b)
		f(b, opener(b, func() (store.Store, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return redisstore.Open(ctx, url, redisstore.WithPrefix(prefix))
		}))
	})
}

func opener(t testing.TB, open func() (store.Store, error)) func() store.Store {
	return func() store.Store {
		t.Helper()
		s, err := open()
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		// Closing twice is harmless for both stores; the cleanup catches
		// the ones a test leaves open.
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

var prefixes atomic.Int64

// redisFor returns the Redis of $JIEFEN_TEST_REDIS_URL with a fresh prefix,
// or else a redis-server of the test's own, stopped when the test ends.
// Without either the test fails: skipping would hide an untested backend.
func redisFor(t testing.TB) (url, prefix string) {
	prefix = fmt.Sprintf("jbt%d-%d:", time.Now().UnixNano(), prefixes.Add(1))
	if u := os.Getenv(RedisURLEnv); u != "" {
		t.Cleanup(func() { deleteKeys(t, u, prefix) })
		return u, prefix
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("no Redis to test against: set %s, or put redis-server on PATH", RedisURLEnv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	// No persistence: a "restart" in these tests is a new client on the
	// same server, which is what a restarted jiefen process is.
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start:\n%s", strings.TrimSpace(string(log)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "redis://" + addr + "/0", prefix
}

// deleteKeys removes a test's keys from a shared Redis (a single server;
// on a cluster URL the keys are left to expire with the test database).
func deleteKeys(t testing.TB, url, prefix string) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("cleanup of %s*: %v", prefix, err)
			return
		}
	}
}
