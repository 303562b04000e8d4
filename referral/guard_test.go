package referral

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"jiefen/store"
)

// Without an operator's word, a webhook reaches no address inside this
// machine or its networks: the referral fails as such and the agency's
// stand-in, listening on this machine, receives nothing. Listed, it is
// reached.
func TestWebhooksReachNoPrivateAddress(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	e.s.HTTP = nil // the sender's own guarded client
	r := e.refer("agency")
	e.runOnce()
	got := e.get(r.Delivery)
	if got.State == store.RefDelivered || got.LastError != "address not allowed (a private or local network)" {
		t.Fatalf("a webhook to this machine: %s, %q", got.State, got.LastError)
	}
	if n := len(e.ag.stats().requests); n != 0 {
		t.Fatalf("the agency on this machine received %d requests", n)
	}

	e2 := newEnv(t)
	e2.ag.up()
	e2.s.HTTP = nil
	e2.s.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	r2 := e2.refer("agency")
	e2.runOnce()
	if got := e2.get(r2.Delivery); got.State != store.RefDelivered {
		t.Fatalf("a webhook to a listed range: %s, %q", got.State, got.LastError)
	}
}

// The guard refuses by address class, before connecting: nothing is
// learnt of what listens there.
func TestGuardRefusesInsideAddresses(t *testing.T) {
	g := guard{allow: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": false, "[::1]:443": false, "0.0.0.0:9": false, "169.254.169.254:80": false,
		"10.1.2.3:443": false, "172.16.0.1:443": false, "192.168.1.1:443": false, "100.64.0.1:443": false,
		"[fd00::1]:443": false, "[::ffff:127.0.0.1]:80": false, "10.20.3.4:443": true, "203.0.113.7:443": true,
	} {
		err := g.control("tcp", addr, nil)
		if (err == nil) != ok || (err != nil && !errors.Is(err, errPrivateAddr)) {
			t.Errorf("%s: %v, want allowed %v", addr, err, ok)
		}
	}
	// Through a real dialer, too: a listening port on this machine is
	// refused like a closed one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: guard{}.control}
	if _, err := d.DialContext(context.Background(), "tcp", ln.Addr().String()); !errors.Is(err, errPrivateAddr) {
		t.Fatalf("dialing a listening local port: %v", err)
	}
}

// An endpoint the operator wrote into the routing table with an address
// is reached, and only that port of it; a name other than localhost
// lists nothing (it may resolve anywhere).
func TestGuardLetsTableEndpointsThrough(t *testing.T) {
	g := guard{exact: TableEndpoints([]string{"http://127.0.0.1:9000/court", "https://localhost/x", "https://court.example/hook", "::bad"})}
	for addr, ok := range map[string]bool{
		"127.0.0.1:9000": true, "127.0.0.1:9001": false, "127.0.0.1:443": true, "[::1]:443": true,
		"[::1]:9000": false, "10.0.0.1:9000": false, "169.254.169.254:80": false,
	} {
		if err := g.control("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("%s: %v, want allowed %v", addr, err, ok)
		}
	}
}
