package handlers

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Behind a reverse proxy every request's peer is the proxy; the client's
// address is in the X-Forwarded-For the proxy appends to. Anyone can send
// that header, so it is believed only from the proxies an operator lists
// (JIEFEN_TRUSTED_PROXIES): otherwise one client could pose as many (and
// escape the login limits) or as another (and lock it out).

type clientKey struct{}

// client is where a request came from, worked out once per request.
type client struct {
	addr    string // the client's address: the peer, or what trusted proxies say
	peer    string // the connection's address
	proxied bool   // the peer is a trusted proxy, so its X-Forwarded-* headers hold
}

// trusts reports whether a is one of the trusted proxies.
func trusts(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// resolveClient walks X-Forwarded-For from the right, past the trusted
// hops: the first address no trusted proxy owns is the client. Entries
// left of it were written by the client and may be anything.
func resolveClient(r *http.Request, proxies []netip.Prefix) client {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	cl := client{addr: peer, peer: peer}
	a, err := netip.ParseAddr(peer)
	if err != nil || !trusts(proxies, a) {
		return cl
	}
	cl.proxied = true
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: the last trusted hop is as far as we can see
		}
		cl.addr = h.Unmap().String()
		if !trusts(proxies, h) {
			break
		}
	}
	return cl
}

// withClient resolves each request's client for clientAddr, auditAddr
// and the checks that believe a proxy's headers.
func (c *Web) withClient(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cl := resolveClient(r, c.TrustedProxies)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, cl)))
	})
}

// clientOf is the request's client; without withClient (a handler used on
// its own), the peer, whose headers are believed by no one.
func clientOf(r *http.Request) client {
	if cl, ok := r.Context().Value(clientKey{}).(client); ok {
		return cl
	}
	return resolveClient(r, nil)
}

// clientAddr is the address a request came from, without the port.
func clientAddr(r *http.Request) string { return clientOf(r).addr }

// auditAddr is where a request came from, for the audit log: the client,
// and the proxy it came through when that is another address.
func auditAddr(r *http.Request) string {
	cl := clientOf(r)
	if cl.addr == cl.peer {
		return cl.peer
	}
	return cl.addr + " via " + cl.peer
}

// forwarded returns a header a trusted proxy set, "" from anyone else.
func forwarded(r *http.Request, name string) string {
	if !clientOf(r).proxied {
		return ""
	}
	return r.Header.Get(name)
}
