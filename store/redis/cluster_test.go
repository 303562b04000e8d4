package redisstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/store/storetest"
)

// ownServers fails the test when redis-server is missing, except where the
// caller chose an outside server (JIEFEN_TEST_REDIS_URL): there the tests
// that need servers of their own (a cluster, a sentinel) are skipped.
func ownServers(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv(urlEnv) != "" {
			t.Skipf("redis-server not on PATH and %s set: no servers of our own", urlEnv)
		}
		t.Fatalf("redis-server not on PATH: %v", err)
	}
}

// startCluster starts a three-master Redis Cluster and returns its
// redis+cluster:// URL.
func startCluster(t *testing.T) string {
	ownServers(t)
	ctx := context.Background()
	var addrs []string
	var nodes []*redis.Client
	for range 3 {
		dir := t.TempDir()
		addr, err := startServer("", "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"))
		if err != nil {
			t.Fatalf("cluster node: %v", err)
		}
		addrs = append(addrs, addr)
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { c.Close() })
		nodes = append(nodes, c)
	}
	const slots = 16384
	for i, c := range nodes {
		lo, hi := i*slots/len(nodes), (i+1)*slots/len(nodes)-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("ADDSLOTSRANGE on %s: %v", addrs[i], err)
		}
	}
	for _, a := range addrs[1:] {
		host, port, _ := strings.Cut(a, ":")
		if err := nodes[0].Do(ctx, "CLUSTER", "MEET", host, port).Err(); err != nil {
			t.Fatalf("CLUSTER MEET %s: %v", a, err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, c := range nodes {
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster not ready: %v %s", err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return "redis+cluster://" + strings.Join(addrs, ",")
}

// The contract holds on a Cluster: the scripts stay within their slot, and
// the prefixes of the subtests spread their slots over the three masters.
func TestContractCluster(t *testing.T) {
	url := startCluster(t)
	storetest.Run(t, func(t *testing.T) func() store.Store {
		return opener(t, url, isolated(t, url))
	})
}

// The sentinel form finds the master through a sentinel and works on it.
func TestSentinel(t *testing.T) {
	ownServers(t)
	master, err := startServer("")
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(master, ":")
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("sentinel monitor jiefen %s %s 1\n", host, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel, err := startServer(conf, "--sentinel")
	if err != nil {
		t.Fatalf("sentinel: %v", err)
	}
	url := "redis+sentinel://" + sentinel + "/0?master=jiefen"
	s := opener(t, url, isolated(t, "redis://"+master))().(*Store)
	defer s.Close()
	ctx := t.Context()
	if err := s.Commit(ctx, store.Change{Citizen: &dispute.Citizen{OpenID: "o1", Quota: 5}}); err != nil {
		t.Fatalf("Commit through the sentinel: %v", err)
	}
	direct, err := redis.ParseURL("redis://" + master)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(direct)
	defer c.Close()
	if n, err := c.Exists(ctx, s.k.citizen("o1")).Result(); err != nil || n != 1 {
		t.Errorf("the citizen is not on the master the sentinel names: %d, %v", n, err)
	}
}
