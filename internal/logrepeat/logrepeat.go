// Package logrepeat keeps a flood of one warning or error from filling the
// disk: a broken store or an attacker's guesses log the same line
// thousands of times a second, and the first of each second says it all.
package logrepeat

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler passes records below Warn as they are; of warnings and errors
// with the same level and message it passes one per Window and drops the
// rest, counting them: the next one passed carries "repeated", how many
// were dropped since the last.
type Handler struct {
	next   slog.Handler
	window time.Duration
	seen   *seen // shared with the handlers WithAttrs and WithGroup make
}

type seen struct {
	mu sync.Mutex
	m  map[string]*line
}

type line struct {
	at      time.Time // when it was last passed
	dropped int
}

// New wraps next; window is how long repeats are dropped (a second, say).
func New(next slog.Handler, window time.Duration) *Handler {
	return &Handler{next: next, window: window, seen: &seen{m: map[string]*line{}}}
}

func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	// The record's own time, so tests with a fixed time see repeats.
	now := r.Time
	if now.IsZero() {
		now = time.Now()
	}
	key := r.Level.String() + "\x00" + r.Message
	h.seen.mu.Lock()
	l, ok := h.seen.m[key]
	if ok && now.Sub(l.at) < h.window {
		l.dropped++
		h.seen.mu.Unlock()
		return nil
	}
	dropped := 0
	if ok {
		dropped = l.dropped
	}
	if len(h.seen.m) >= 1000 {
		// Many different lines: forget the quiet ones, so the map stays small.
		for k, v := range h.seen.m {
			if now.Sub(v.at) >= h.window {
				delete(h.seen.m, k)
			}
		}
	}
	h.seen.m[key] = &line{at: now}
	h.seen.mu.Unlock()
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", dropped))
	}
	return h.next.Handle(ctx, r)
}

func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as), window: h.window, seen: h.seen}
}

func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), window: h.window, seen: h.seen}
}
