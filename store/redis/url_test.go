package redisstore

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestURLForms(t *testing.T) {
	open := func(raw string) redis.UniversalClient {
		t.Helper()
		c, err := newClient(raw)
		if err != nil {
			t.Fatalf("newClient(%s): %v", raw, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	c, ok := open("redis://u:p@h:1/2?dial_timeout=3s").(*redis.Client)
	if o := c.Options(); !ok || o.Addr != "h:1" || o.DB != 2 || o.Username != "u" || o.Password != "p" ||
		o.DialTimeout != 3*time.Second || o.TLSConfig != nil {
		t.Errorf("redis://: %T %+v", c, o)
	}
	if c, ok := open("rediss://h").(*redis.Client); !ok || c.Options().TLSConfig == nil || c.Options().Addr != "h:6379" {
		t.Errorf("rediss://: %T, want TLS to h:6379", c)
	}

	cc, ok := open("redis+cluster://u:p@h1:1,h2:2,[::1]:3?read_timeout=2s").(*redis.ClusterClient)
	if !ok {
		t.Fatalf("redis+cluster://: %T", cc)
	}
	if o := cc.Options(); !slices.Equal(o.Addrs, []string{"h1:1", "h2:2", "[::1]:3"}) || o.Username != "u" ||
		o.Password != "p" || o.ReadTimeout != 2*time.Second || o.TLSConfig != nil {
		t.Errorf("redis+cluster://: %+v", o)
	}
	if cc, ok := open("rediss+cluster://h1:1,h2:2").(*redis.ClusterClient); !ok || cc.Options().TLSConfig == nil {
		t.Errorf("rediss+cluster://: want TLS")
	}

	// The servers' credentials come from the userinfo, the sentinels'
	// from options.
	fc, ok := open("redis+sentinel://u:p@s1:26379,s2:26379/3?master=m&sentinel_password=sp").(*redis.Client)
	if o := fc.Options(); !ok || o.Username != "u" || o.Password != "p" || o.DB != 3 {
		t.Errorf("redis+sentinel://: %T %+v", fc, o)
	}
}

// A URL's password never shows in an error, whatever goes wrong.
func TestPasswordNotInErrors(t *testing.T) {
	const secret = "s3cret-pw"
	bad := []string{
		"u:" + secret + "@h",
		"http://u:" + secret + "@h",
		"redis://u:" + secret + "@h:abc/0",
		"redis://u:" + secret + "@h/x",
		"redis://u:" + secret + "@h/0?bogus=1",
		"redis://u:" + secret + "@h1,h2",
		"redis+sentinel://u:" + secret + "@h1,h2/0",
		"redis+cluster://u:" + secret + "@h1/3",
		"redis+sentinel://h1/0?master=m&sentinel_password=" + secret + "&bogus=1",
		"redis://u:" + secret + "@127.0.0.1:1/0", // nothing listens: a dial error
	}
	// The test server, with a password it refuses.
	u, err := url.Parse(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("nobody", secret)
	bad = append(bad, u.String())
	for _, raw := range bad {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		s, err := Open(ctx, raw)
		cancel()
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", raw)
			continue
		}
		t.Logf("%v", err)
		if strings.Contains(err.Error(), secret) || !strings.HasPrefix(err.Error(), "redis: ") {
			t.Errorf("Open(%s) = %q: want a \"redis: \" error without the password", raw, err)
		}
	}
}
