package referral

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
)

// errPrivateAddr refuses a connection to an address inside this machine or
// its networks.
var errPrivateAddr = errors.New("address not allowed")

// cgnat is the carrier-grade NAT range (RFC 6598), private in all but name.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// guard checks, at connect time and after DNS, the address a webhook
// delivery is about to reach: an agency's system is on the internet, so a
// webhook URL that names (or resolves to) this machine, a private or
// link-local network (cloud metadata at 169.254.169.254), or no address at
// all (0.0.0.0) is refused before any packet leaves, unless an operator
// listed the range (JIEFEN_WEBHOOK_ALLOW: an agency on the same network).
// Refused before connecting, it reveals nothing of what listens there.
//
// The endpoints an operator wrote into the routing table file with an IP
// address (or localhost) are listed too (exact): the table is the
// operator's own configuration, unlike a URL set in the console, so a
// court or agency on this machine or network named there is reached, and
// no other port or address of it.
type guard struct {
	allow []netip.Prefix
	exact []netip.AddrPort
}

// control is a net.Dialer's Control: it sees the resolved address of every
// connection, redirects and retries included.
func (g guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return errPrivateAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return errPrivateAddr
	}
	ip = ip.Unmap()
	if _, port, err := net.SplitHostPort(address); err == nil {
		for _, e := range g.exact {
			if e.Addr().Unmap() == ip && strconv.Itoa(int(e.Port())) == port {
				return nil
			}
		}
	}
	for _, p := range g.allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip) {
		return errPrivateAddr
	}
	return nil
}

// TableEndpoints lists the address and port of every webhook URL in the
// routing table written with an IP address or as localhost: the exact
// endpoints the guard lets through (see guard).
func TableEndpoints(urls []string) []netip.AddrPort {
	var out []netip.AddrPort
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			continue
		}
		var addrs []netip.Addr
		if u.Hostname() == "localhost" {
			addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
		} else if a, err := netip.ParseAddr(u.Hostname()); err == nil {
			addrs = []netip.Addr{a.Unmap()}
		}
		for _, a := range addrs {
			out = append(out, netip.AddrPortFrom(a, uint16(n)))
		}
	}
	return out
}
