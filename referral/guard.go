package referral

import (
	"errors"
	"net"
	"net/netip"
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
type guard struct{ allow []netip.Prefix }

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
