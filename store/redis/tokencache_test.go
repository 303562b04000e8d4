package redisstore

import (
	"testing"
	"time"
)

func TestTokenCache(t *testing.T) {
	s := openTest(t)
	c := s.TokenCache()
	if c.Get("k") != nil || c.IsExist("k") {
		t.Fatal("a missing key is present")
	}
	if err := c.Set("k", "token-1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("k").(string); !ok || v != "token-1" || !c.IsExist("k") {
		t.Fatalf("Get = %#v", c.Get("k"))
	}
	// A TTL of 0 must not mean "for ever" (the stable-token pitfall).
	if err := c.Set("z", "token-2", 0); err != nil {
		t.Fatal(err)
	}
	ttl, err := s.rdb.PTTL(t.Context(), c.prefix+"z").Result()
	if err != nil || ttl <= 0 || ttl > minTokenTTL {
		t.Fatalf("TTL after Set(0) = %v %v", ttl, err)
	}
	if err := c.Delete("k"); err != nil || c.Get("k") != nil {
		t.Fatalf("after Delete: %v %#v", err, c.Get("k"))
	}
	// Two instances share the token.
	other := s.TokenCache()
	if v := other.Get("z"); v != "token-2" {
		t.Fatalf("other instance got %#v", v)
	}
}
