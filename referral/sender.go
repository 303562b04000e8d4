// Package referral pushes referrals to agencies' webhooks: it builds the
// signed JSON a body receives when a case is referred to it (Build, Sign),
// and delivers the store's webhook outbox (Sender), retrying with backoff
// for at least a day before it shows a referral as failed.
package referral

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"jiefen/queue"
	"jiefen/store"
)

// Delivery rules agencies rely on: any 2xx is delivery, anything else is
// retried with backoff for at least 24 hours.
const (
	// Timeout bounds one attempt; the lease outlasts it, so a live sender
	// never sees its referral taken by another instance mid-request.
	Timeout = 10 * time.Second
	// A referral is given up only when both hold: retried for at least
	// GiveUpAfter since it was queued, and at least MinAttempts times (so
	// one queued long ago, while no sender ran, still gets its tries).
	GiveUpAfter = 24 * time.Hour
	MinAttempts = 10

	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour
	lease        = time.Minute
	batch        = 16
)

// What LastError says when a referral cannot be sent at all. Both are
// fixed by configuration, so they fail at once (visibly, with the retry
// button) rather than retry for a day.
const (
	ErrNoSecret  = "secret not configured"
	ErrNoWebhook = "webhook not configured"
)

// Sender delivers the webhook outbox. Referrals live in the store until
// delivered or failed, so a crash or an agency that is down delays them
// but loses none: a claimed referral whose sender died is claimed again
// when its lease runs out. Agencies may therefore see a delivery id more
// than once (a timeout after they answered, a sender dying after the
// POST) and deduplicate by it.
type Sender struct {
	Store store.Store
	// Hooks gives the body's webhook, URL and secret, at every attempt:
	// see attempt for why the current one rather than the one at queueing.
	Hooks *Hooks
	Now   func() time.Time // nil: time.Now
	Log   *slog.Logger     // nil: slog.Default()
	HTTP  *http.Client     // nil: a client that reaches public addresses only (Allow); redirects are never followed
	// Allow lists the private ranges a webhook may reach all the same (an
	// agency on the same network); without it only public addresses are.
	Allow []netip.Prefix
	// Exact lists endpoints reached whatever their address: those the
	// operator wrote into the routing table (TableEndpoints).
	Exact []netip.AddrPort
	Poll  time.Duration // how often Run looks for due referrals; 0: a second

	// jitter returns a number in [0, 1) spreading retries; nil: math/rand.
	jitter func() float64

	once sync.Once
	w    *queue.Worker
	hc   *http.Client
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.w = &queue.Worker{Store: s.Store, Lane: store.LaneWebhook, Now: s.now, Log: s.log(), Poll: s.Poll,
			Lease: lease, Batch: batch, Handlers: map[string]queue.Handler{store.KindReferral: s.handle}}
		c := http.Client{Transport: guardedTransport(guard{allow: s.Allow, exact: s.Exact})}
		if s.HTTP != nil {
			c = *s.HTTP
		}
		// A redirect is not delivery: following it would send the signed
		// personal data to another address, and turn the POST into a GET.
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		s.hc = &c
	})
}

// guardedTransport is the default transport, its dialer checking every
// address it connects to (guard).
func guardedTransport(g guard) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
	t.DialContext = d.DialContext
	t.Proxy = nil // a proxy would connect for us, unchecked
	return t
}

// Kick wakes Run: a referral was queued.
func (s *Sender) Kick() {
	s.init()
	s.w.Kick()
}

// Run delivers until ctx is done: a queue.Worker on the webhook lane.
func (s *Sender) Run(ctx context.Context) {
	s.init()
	s.w.Run(ctx)
}

// RunOnce claims one batch of due referrals, sends them and records the
// outcomes; it returns how many it took. Referrals have no ordering key:
// each goes on its own, so one slow agency holds up no other.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	s.init()
	return s.w.RunOnce(ctx)
}

// handle is the webhook lane's handler for referrals.
func (s *Sender) handle(ctx context.Context, it store.Item) store.ItemResult {
	o := s.attempt(ctx, store.ReferralOf(it))
	return store.ItemResult{State: o.state, NotBefore: o.notBefore, Err: o.err, At: s.now()}
}

// outcome is what FinishReferral is told of an attempt.
type outcome struct {
	state     string
	notBefore time.Time
	err       string
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// backoff is the wait after the given number of attempts: 30 s doubling
// up to an hour, ±20% so that referrals held up by the same outage do not
// all come back in the same second.
func (s *Sender) backoff(attempts int) time.Duration {
	d := maxBackoff
	if attempts < 20 { // beyond, the shift would overflow; long past the cap anyway
		d = min(firstBackoff<<max(attempts-1, 0), maxBackoff)
	}
	j := rand.Float64
	if s.jitter != nil {
		j = s.jitter
	}
	return time.Duration(float64(d) * (0.8 + 0.4*j()))
}
