package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// TokenCache keeps silenceper/wechat's access token in this Redis, so all
// instances share one token (with stable_token none of them invalidates
// another's). It has the methods of silenceper's cache.Cache.
type TokenCache struct {
	rdb    redis.UniversalClient
	prefix string
}

// TokenCache returns the shared token cache.
func (s *Store) TokenCache() *TokenCache { return &TokenCache{rdb: s.rdb, prefix: s.k.p + "wx:"} }

// tokenTimeout bounds each call: the library calls without a context, and a
// token lookup must not hang a send (silenceper issue #762).
const tokenTimeout = 2 * time.Second

// minTokenTTL replaces a TTL of zero or less. The stable token may come back
// with expires_in 300, which silenceper turns into a TTL of 0, and
// go-redis v9 takes 0 as "never expire".
const minTokenTTL = 30 * time.Second

// Get returns the value as a string, or nil when missing or unreachable:
// silenceper type-asserts val.(string), and treats nil as a miss.
func (c *TokenCache) Get(key string) interface{} {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	v, err := c.rdb.Get(ctx, c.prefix+key).Result()
	if err != nil {
		return nil
	}
	return v
}

// Set stores val (formatted as a string) for ttl.
func (c *TokenCache) Set(key string, val interface{}, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = minTokenTTL
	}
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	if err := c.rdb.Set(ctx, c.prefix+key, fmt.Sprint(val), ttl).Err(); err != nil {
		return fmt.Errorf("redis: token cache: %w", err)
	}
	return nil
}

// IsExist reports whether key is present.
func (c *TokenCache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	n, err := c.rdb.Exists(ctx, c.prefix+key).Result()
	return err == nil && n > 0
}

// Delete removes key: the bot drops a token the platform called invalid.
func (c *TokenCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	if err := c.rdb.Del(ctx, c.prefix+key).Err(); err != nil {
		return fmt.Errorf("redis: token cache: %w", err)
	}
	return nil
}
