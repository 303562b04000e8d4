package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"jiefen/bot"
	"jiefen/store"
	"jiefen/store/sqlite"
	"jiefen/wxsim"
)

// The built binary is killed with SIGKILL while citizens are talking to it,
// and restarted. The platform retries what got no answer. Every message
// that got a 200 is in the store, and no case is made twice.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := binary(t)
	platform := wxsim.NewPlatform(testAppID, testSecret)
	api := newAPIServer(t, platform)
	addr := freeAddr(t)
	data := filepath.Join(dir, "data")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "JIEFEN_ADDR="+addr, "JIEFEN_DATA="+data,
			"JIEFEN_WECHAT_APPID="+testAppID, "JIEFEN_WECHAT_SECRET="+testSecret,
			"JIEFEN_WECHAT_TOKEN="+testToken, "JIEFEN_WECHAT_AES_KEY="+testAESKey, "JIEFEN_WECHAT_API="+api)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitHealthy(t, "http://"+addr)
		return cmd
	}
	cmd := start()

	client := &wxsim.Client{URL: "http://" + addr + "/wechat", Token: testToken, AESKey: testAESKey, AppID: testAppID,
		AccountID: "gh_crash", Mode: wxsim.Safe, Platform: platform, HTTP: &http.Client{Timeout: 5 * time.Second}}
	const citizens = 16
	conversation := []string{"包工头拖欠我们十几个人的工资，三个月没发了", "同意", "4", "跳过", "1", "什么时候能有结果"}
	var acked sync.Map // dedup key → true, for every message answered 200
	var nAcked atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < citizens; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := fmt.Sprintf("oCrash%02d", i)
			platform.AddUser(who)
			for _, text := range conversation {
				m := client.Text(who, text)
				// Like the platform: the same message again until answered.
				for try := 0; ; try++ {
					if _, err := client.Send(context.Background(), m); err == nil {
						acked.Store(bot.Inbound{OpenID: who, MsgID: m.MsgID, Kind: "text"}.DedupKey(), m)
						nAcked.Add(1)
						break
					}
					if try > 400 {
						t.Errorf("%s: message never answered", who)
						return
					}
					time.Sleep(25 * time.Millisecond)
				}
			}
		}()
	}
	// Kill mid-way: after some messages were answered, not all.
	for nAcked.Load() < citizens*int64(len(conversation))/3 {
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := nAcked.Load()
	cmd = start()
	wg.Wait()
	if killedAt >= citizens*int64(len(conversation)) {
		t.Fatal("the kill came after every message: nothing was tested")
	}
	// Late retries of messages answered before the crash change nothing.
	acked.Range(func(_, v any) bool {
		if _, err := client.Send(context.Background(), v.(*wxsim.Message)); err != nil {
			t.Errorf("late retry: %v", err)
		}
		return true
	})
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()

	st, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	acked.Range(func(k, _ any) bool {
		if _, err := st.DedupReply(ctx, k.(string), time.Now()); err != nil {
			t.Errorf("acknowledged message %s not in the store: %v", k, err)
		}
		return true
	})
	for i := 0; i < citizens; i++ {
		who := fmt.Sprintf("oCrash%02d", i)
		cs, err := st.Cases(ctx, store.CaseFilter{OpenID: who})
		if err != nil || len(cs) != 1 {
			t.Errorf("%s has %d cases (%v), want 1", who, len(cs), err)
			continue
		}
		events, _ := st.Events(ctx, cs[0].ID)
		if lastIn(events) != conversation[len(conversation)-1] {
			t.Errorf("%s: the last message is not on the case", who)
		}
	}
	t.Logf("killed after %d of %d messages were answered", killedAt, citizens*len(conversation))
}

func newAPIServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(errors.New("the server did not come up"))
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
