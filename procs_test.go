package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Helpers that run real processes: the built jiefen binary and redis-server.

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary builds jiefen once for all the tests that run it.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "jiefen-bin")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "jiefen")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// instance is a running jiefen binary.
type instance struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	env  []string
}

// startInstance runs `jiefen serve` with the test credentials and extra
// environment, and waits until it answers /healthz.
func startInstance(t *testing.T, api string, extra ...string) *instance {
	t.Helper()
	in := &instance{t: t, addr: freeAddr(t), env: append([]string{
		"JIEFEN_WECHAT_APPID=" + testAppID, "JIEFEN_WECHAT_SECRET=" + testSecret,
		"JIEFEN_WECHAT_TOKEN=" + testToken, "JIEFEN_WECHAT_AES_KEY=" + testAESKey, "JIEFEN_WECHAT_API=" + api,
	}, extra...)}
	in.start()
	t.Cleanup(func() { in.kill(syscall.SIGKILL) })
	return in
}

func (in *instance) start() {
	in.t.Helper()
	in.cmd = exec.Command(binary(in.t), "serve")
	in.cmd.Env = append(os.Environ(), append(in.env, "JIEFEN_ADDR="+in.addr)...)
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	waitHealthy(in.t, "http://"+in.addr)
}

func (in *instance) kill(sig syscall.Signal) {
	if in.cmd == nil || in.cmd.Process == nil {
		return
	}
	_ = in.cmd.Process.Signal(sig)
	_ = in.cmd.Wait()
	in.cmd = nil
}

// redisServer is a redis-server of the test's own, on a free port, with its
// own directory. AOF with fsync on every write: a stopped and restarted
// server keeps what it acknowledged, as production's should.
type redisServer struct {
	t    testing.TB
	cmd  *exec.Cmd
	port string
	dir  string
}

func startRedis(t testing.TB) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed: scripts/test installs it")
	}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	r := &redisServer{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("redis-server did not start:\n%s", strings.TrimSpace(string(log)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts the server down cleanly (SIGTERM: it finishes its AOF).
func (r *redisServer) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	_ = r.cmd.Wait()
	r.cmd = nil
}

// gate stands in front of the platform API: while closed, customer-service
// sends wait (as on a slow or hanging platform); a send whose caller went
// away while waiting (its process was killed) never reaches the platform.
type gate struct {
	next    http.Handler
	mu      sync.Mutex
	open    chan struct{}
	waiting int
}

func newGate(next http.Handler) *gate {
	g := &gate{next: next, open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/message/custom/send") {
		// Read the body first: net/http notices a closed connection (and
		// cancels r.Context()) only once the request body is consumed.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.mu.Lock()
		open := g.open
		g.waiting++
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.waiting--; g.mu.Unlock() }()
		select {
		case <-open:
		case <-r.Context().Done():
		}
		if r.Context().Err() != nil {
			// The sender gave up (timed out, or died): on a real platform
			// the send may or may not have happened; here it did not.
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

func (g *gate) close() { g.mu.Lock(); g.open = make(chan struct{}); g.mu.Unlock() }
func (g *gate) release() {
	g.mu.Lock()
	close(g.open)
	g.mu.Unlock()
}
func (g *gate) held() int { g.mu.Lock(); defer g.mu.Unlock(); return g.waiting }

// settle waits until the number of held requests has not changed for d.
func (g *gate) settle(d time.Duration) {
	last, since := g.held(), time.Now()
	for time.Since(since) < d {
		time.Sleep(10 * time.Millisecond)
		if n := g.held(); n != last {
			last, since = n, time.Now()
		}
	}
}
