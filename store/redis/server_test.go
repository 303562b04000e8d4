package redisstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// urlEnv names a Redis the tests use instead of starting their own (CI may
// start one). Each test works under its own key prefix there, and deletes
// its keys at the end.
const urlEnv = "JIEFEN_TEST_REDIS_URL"

// servers are the redis-server processes the tests started, stopped by
// TestMain when every test is done.
var servers struct {
	sync.Mutex
	procs []*exec.Cmd
	dirs  []string
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopServers()
	os.Exit(code)
}

var single struct {
	once sync.Once
	url  string
	err  error
}

// testURL is the Redis the tests use: $JIEFEN_TEST_REDIS_URL, or one
// redis-server of their own, started on first use. Without either the
// test fails: skipping would hide that the backend was never tested.
func testURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(urlEnv); u != "" {
		return u
	}
	single.once.Do(func() {
		var addr string
		addr, single.err = startServer("")
		single.url = "redis://" + addr + "/0"
	})
	if single.err != nil {
		tb.Fatalf("no Redis to test against: set %s, or put redis-server on PATH (%v)", urlEnv, single.err)
	}
	return single.url
}

// startServer starts a redis-server on a free port with its own data
// directory, without persistence (the tests' "reopen" is a new client on
// the same server), and waits until it answers. conf, when set, is a
// configuration file, which redis-server takes as its first argument.
func startServer(conf string, extra ...string) (addr string, err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "jiefen-redis-")
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	var args []string
	if conf != "" {
		args = append(args, conf)
	}
	args = append(args, append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", filepath.Join(dir, "redis.log")}, extra...)...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	servers.Lock()
	servers.procs = append(servers.procs, cmd)
	servers.dirs = append(servers.dirs, dir)
	servers.Unlock()

	addr = fmt.Sprintf("127.0.0.1:%d", port)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return addr, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			return "", fmt.Errorf("redis-server on %s did not answer: %v\n%s", addr, err, strings.TrimSpace(string(log)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func stopServers() {
	servers.Lock()
	defer servers.Unlock()
	for _, p := range servers.procs {
		p.Process.Kill()
		p.Wait()
	}
	for _, d := range servers.dirs {
		os.RemoveAll(d)
	}
}
