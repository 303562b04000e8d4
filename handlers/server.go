// Package handlers holds every HTTP surface of jiefen: the WeChat callback,
// the operations endpoints and the demo's simulated chat. Each surface has
// its route table here, in one place.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"jiefen/bot"
	"jiefen/metrics"
	"jiefen/store"
)

// Server is the HTTP side of jiefen.
type Server struct {
	Account  *bot.Account
	Callback http.Handler // the bot's callback server, behind the guards of wechat()
	Store    store.Store
	Metrics  *metrics.Registry
	Log      *slog.Logger
	Now      func() time.Time
	Web      *Web
	Demo     *Demo // nil outside `jiefen demo`

	callbackLatency *metrics.Histogram
	closing         chan struct{}
	closeOnce       sync.Once
}

// Closing tells long-lived requests that the server is shutting down.
func (s *Server) Closing() { s.closeOnce.Do(func() { close(s.closing) }) }

// Handler returns the route table wrapped in logging and panic recovery.
func (s *Server) Handler() http.Handler {
	s.closing = make(chan struct{})
	s.callbackLatency = s.Metrics.Histogram("jiefen_callback_seconds", "Time to answer a WeChat callback.", metrics.LatencyBuckets)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wechat", s.wechat)
	mux.HandleFunc("POST /wechat", s.wechat)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /metrics", s.metrics)
	s.Web.routes(mux)
	if s.Demo != nil {
		s.Demo.closing = s.closing
		s.Demo.routes(mux)
	}
	return s.Web.withClient(securityHeaders(s.logged(recovered(mux))))
}

// securityHeaders are set on every answer: no content sniffing (a JSON
// answer or a static file is never run as a page), no referrer beyond the
// site (a console URL names cases, a citizen's case link is a secret), and
// HSTS once the browser reached us over https (directly, or as a trusted
// proxy says): after that, never plain http.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil || strings.EqualFold(forwarded(r, "X-Forwarded-Proto"), "https") {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz reports whether the store answers and takes writes: a load
// balancer stops sending callbacks to an instance that could not keep them.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	err := s.Store.Ping(ctx)
	if err == nil {
		err = s.Store.Probe(ctx)
	}
	if err != nil {
		s.Log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		// Says which store, not its address: the endpoint is public; the
		// details are in the log.
		_, _ = w.Write([]byte(storeKind(err) + " unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = s.Metrics.WriteTo(w)
}

// storeKind names the store an error came from ("redis", "sqlite"): their
// errors start with it.
func storeKind(err error) string {
	if kind, _, ok := strings.Cut(err.Error(), ":"); ok && (kind == "redis" || kind == "sqlite") {
		return kind
	}
	return "store"
}
