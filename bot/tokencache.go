package bot

import (
	"sync"
	"time"
)

// memCache is a process-local silenceper cache.Cache for the access token.
// silenceper's own cache.Memory has a data race (issue #888), hence this.
// Get returns a string or nil: the library type-asserts val.(string).
type memCache struct {
	mu sync.Mutex
	m  map[string]memEntry
}

type memEntry struct {
	val     interface{}
	expires time.Time
}

func newMemCache() *memCache { return &memCache{m: map[string]memEntry{}} }

func (c *memCache) Get(key string) interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Now().After(e.expires) {
		return nil
	}
	return e.val
}

func (c *memCache) Set(key string, val interface{}, ttl time.Duration) error {
	// The stable token can come back with expires_in 300, which the library
	// turns into a TTL of 0: keep it briefly rather than forever.
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = memEntry{val: val, expires: time.Now().Add(ttl)}
	return nil
}

func (c *memCache) IsExist(key string) bool { return c.Get(key) != nil }

func (c *memCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}
