package routing

import (
	"container/list"
	"crypto/sha256"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// llmCacheKey is the SHA-256 of the text with its spacing and full-width
// ASCII normalised, so a message sent again with other spaces hits the
// cache. The cache holds digests, never the text itself.
func llmCacheKey(text string) [sha256.Size]byte {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range strings.TrimSpace(text) {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		if unicode.IsSpace(r) || r == '\u3000' {
			space = true
			continue
		}
		if unicode.IsControl(r) || r == '\u200B' || r == '\uFE0F' {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return sha256.Sum256([]byte(b.String()))
}

// llmCache is a concurrency-safe LRU of valid LLM answers by text digest.
type llmCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front is most recently used; values are *llmCacheEntry
	items map[[sha256.Size]byte]*list.Element
}

type llmCacheEntry struct {
	key [sha256.Size]byte
	ans llmAnswer
}

func newLLMCache(max int) *llmCache {
	return &llmCache{max: max, order: list.New(), items: make(map[[sha256.Size]byte]*list.Element)}
}

func (c *llmCache) get(key [sha256.Size]byte) (llmAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return llmAnswer{}, false
	}
	c.order.MoveToFront(e)
	a := e.Value.(*llmCacheEntry).ans
	a.Missing = slices.Clone(a.Missing)
	return a, true
}

func (c *llmCache) put(key [sha256.Size]byte, a llmAnswer) {
	a.Missing = slices.Clone(a.Missing)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*llmCacheEntry).ans = a
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&llmCacheEntry{key: key, ans: a})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*llmCacheEntry).key)
	}
}

func (c *llmCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// breaker skips the LLM after threshold consecutive failures, for cooldown.
// After the cooldown one request at a time probes the endpoint: a success
// closes the breaker, a failure opens it for another cooldown.
type breaker struct {
	mu        sync.Mutex
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	fails     int
	openUntil time.Time
	probing   bool
}

// allow reports whether a request may go to the LLM now, and whether it is
// the probe after a cooldown. Every allowed request must be followed by one
// call to done with the same probe flag.
func (b *breaker) allow() (ok, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails < b.threshold {
		return true, false
	}
	if b.probing || b.now().Before(b.openUntil) {
		return false, false
	}
	b.probing = true
	return true, true
}

// done records a request's outcome; counted is false for outcomes that say
// nothing about the endpoint (the caller gave up). It reports whether this
// outcome opened the breaker.
func (b *breaker) done(probe, ok, counted bool) (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch {
	case !counted:
	case ok:
		b.fails = 0
	default:
		b.fails++
		// Open on reaching the threshold, and again when the probe fails;
		// late failures of requests sent before it opened change nothing.
		if b.fails == b.threshold || probe && b.fails > b.threshold {
			b.openUntil = b.now().Add(b.cooldown)
			return true
		}
	}
	return false
}
