package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	redisstore "jiefen/store/redis"
	"jiefen/wxsim"
)

// cluster is two jiefen binaries on one Redis, with the stand-in platform.
type cluster struct {
	redis    *redisServer
	platform *wxsim.Platform
	gate     *gate
	a, b     *instance
	ca, cb   *wxsim.Client
	st       *redisstore.Store // the test's own view of the shared store
}

func newCluster(t *testing.T, extra ...string) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("runs redis-server and two binaries")
	}
	c := &cluster{redis: startRedis(t), platform: wxsim.NewPlatform(testAppID, testSecret)}
	c.gate = newGate(c.platform)
	api := newAPIServer(t, c.gate)
	env := append([]string{"JIEFEN_REDIS_URL=" + c.redis.url(), "JIEFEN_API_TIMEOUT=1s"}, extra...)
	c.a = startInstance(t, api, env...)
	c.b = startInstance(t, api, env...)
	client := func(in *instance) *wxsim.Client {
		return &wxsim.Client{URL: "http://" + in.addr + "/wechat", Token: testToken, AESKey: testAESKey, AppID: testAppID,
			AccountID: "gh_multi", Mode: wxsim.Safe, Platform: c.platform, HTTP: &http.Client{Timeout: 5 * time.Second}}
	}
	c.ca, c.cb = client(c.a), client(c.b)
	st, err := redisstore.Open(context.Background(), c.redis.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c.st = st
	return c
}

func (c *cluster) cases(t *testing.T, openID string) []dispute.Case {
	t.Helper()
	cs, err := c.st.Cases(context.Background(), store.CaseFilter{OpenID: openID})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func deliver(t *testing.T, cl *wxsim.Client, m *wxsim.Message) string {
	t.Helper()
	cl.Platform.AddUser(m.FromUserName)
	rep, err := cl.Deliver(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Content
}

// Two instances behave as one service: a conversation whose turns land on
// either files its case; the same message delivered to both at once makes
// one case; the access token is fetched once for both.
func TestTwoInstancesAreOneService(t *testing.T) {
	c := newCluster(t)
	const who = "oMultiCitizen"
	turns := []string{"楼上装修天天砸墙，从早上七点砸到晚上九点，孩子没法上网课", "同意", "1", "13612345678"}
	for i, text := range turns {
		cl := []*wxsim.Client{c.ca, c.cb}[i%2]
		deliver(t, cl, cl.Text(who, text))
	}
	// The confirmation reaches both instances at once (a retry landing on
	// the other instance while the first is still answering).
	confirm := c.ca.Text(who, "1")
	replies := make([]string, 2)
	var wg sync.WaitGroup
	for i, cl := range []*wxsim.Client{c.ca, c.cb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := cl.Send(context.Background(), confirm)
			if err != nil {
				t.Error(err)
				return
			}
			replies[i] = rep.Content
		}()
	}
	wg.Wait()
	cs := c.cases(t, who)
	if len(cs) != 1 || cs[0].Type != dispute.Neighbor || cs[0].Region != "东昌区" || cs[0].Phone != "13612345678" {
		t.Fatalf("cases %+v", cs)
	}
	if replies[0] != replies[1] || !strings.Contains(replies[0], cs[0].ID) {
		t.Fatalf("the two deliveries were answered %q", replies)
	}

	// Images sent to A and then to B are both downloaded with one token.
	for i, cl := range []*wxsim.Client{c.ca, c.cb} {
		id := fmt.Sprintf("multi-img-%d", i)
		c.platform.AddMedia(id, "image/jpeg", []byte("jpeg "+id))
		deliver(t, cl, cl.Image(who, id, ""))
		eventually(t, "image "+id, func() bool { _, err := c.st.Media(context.Background(), id); return err == nil })
	}
	if n := c.platform.TokenFetches(); n != 1 {
		t.Fatalf("the access token was fetched %d times by two instances, want 1", n)
	}
}

// An instance dies (SIGKILL) while sends it claimed hang on a slow
// platform; the other instance delivers every message, each exactly once
// and in order, once the dead one's leases run out.
func TestKilledInstanceQueueIsDeliveredByTheOther(t *testing.T) {
	// API timeout 1s: the dead instance's leases last 6s.
	c := newCluster(t)
	ctx := context.Background()
	// B stands by while A takes the whole queue.
	c.b.kill(syscall.SIGTERM)
	const citizens, each = 8, 3
	c.gate.close()
	now := time.Now()
	var ch store.Change
	for i := 0; i < citizens; i++ {
		who := fmt.Sprintf("oQueue%02d", i)
		c.platform.AddUser(who)
		c.platform.Opened(who, wxsim.KindMessage)
		cit := dispute.Citizen{OpenID: who}
		cit.OpenWindow(now, dispute.MessageWindow, dispute.MessageQuota)
		if err := c.st.Commit(ctx, store.Change{Citizen: &cit}); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < each; j++ {
			ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: who, Kind: store.OutText,
				Text: fmt.Sprintf("%s 第%d条", who, j+1), NotBefore: now})
		}
	}
	if err := c.st.Commit(ctx, ch); err != nil {
		t.Fatal(err)
	}
	// A claims (its poller runs every second) and its sends hang at the gate.
	eventually10(t, "every citizen's first message to be in flight", func() bool { return c.gate.held() == citizens })
	c.b.start()
	c.a.kill(syscall.SIGKILL)
	// Let the platform side notice the dead instance's connections before
	// the gate opens: a request whose sender is gone must not go through.
	c.gate.settle(300 * time.Millisecond)
	c.gate.release()
	eventually10(t, "every message delivered", func() bool {
		for i := 0; i < citizens; i++ {
			if len(c.platform.Deliveries(fmt.Sprintf("oQueue%02d", i))) < each {
				return false
			}
		}
		return true
	})
	// Room for a duplicate to show: once every item is recorded as sent
	// none can be claimed, so none can go out again, and a send still in
	// flight (claimed, not yet finished) has been waited for.
	eventually10(t, "every message recorded as sent", func() bool {
		for i := 0; i < citizens; i++ {
			obs, err := c.st.Outbounds(ctx, fmt.Sprintf("oQueue%02d", i))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range obs {
				if o.State != store.OutSent {
					return false
				}
			}
		}
		return true
	})
	for i := 0; i < citizens; i++ {
		who := fmt.Sprintf("oQueue%02d", i)
		var got []string
		for _, d := range c.platform.Deliveries(who) {
			got = append(got, d.Text)
		}
		want := []string{who + " 第1条", who + " 第2条", who + " 第3条"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s received %q, want %q", who, got, want)
		}
	}
}

// eventually10 is eventually with room for leases and pollers.
func eventually10(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
