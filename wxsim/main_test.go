package wxsim

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"jiefen/internal/testdate"
)

func TestMain(m *testing.M) {
	// silenceper logs through the global logrus; keep message bodies out of
	// test output.
	logrus.SetLevel(logrus.InfoLevel)
	os.Exit(m.Run())
}

// mapCache is a race-free stand-in for silenceper's cache.Memory, whose
// Get reads its map without the lock.
type mapCache struct {
	mu sync.Mutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	v       interface{}
	expires time.Time
}

func newMapCache() *mapCache { return &mapCache{m: map[string]cacheEntry{}} }

func (c *mapCache) Get(k string) interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || (!e.expires.IsZero() && time.Now().After(e.expires)) {
		return nil
	}
	return e.v
}

func (c *mapCache) Set(k string, v interface{}, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := cacheEntry{v: v}
	if ttl > 0 {
		e.expires = time.Now().Add(ttl)
	}
	c.m[k] = e
	return nil
}

func (c *mapCache) IsExist(k string) bool { return c.Get(k) != nil }

func (c *mapCache) Delete(k string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
	return nil
}

// fakeClock is an injectable clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts at a Monday of the tests' base year, 09:00 UTC.
func newClock() *fakeClock { return &fakeClock{t: testdate.At("w0 Mon 17:00").UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
