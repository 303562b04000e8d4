package redisstore

import (
	"context"
	"encoding/json"
	"fmt"

	"jiefen/store"
)

// Subscribe listens on the notices channel, where every instance's Commit
// publishes (lua/commit.lua). go-redis reconnects and subscribes again by
// itself after a connection is lost; notices published meanwhile are
// missed, which a listener makes good by reading the cases again.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Notice, error) {
	ps := s.rdb.Subscribe(ctx, s.k.notices())
	// Wait for the subscription to be confirmed, so a Commit made after
	// Subscribe returns is seen.
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return nil, fmt.Errorf("redis: subscribe: %w", err)
	}
	out := make(chan store.Notice, 256)
	go func() {
		defer close(out)
		defer ps.Close()
		in := ps.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-in:
				if !ok {
					return
				}
				var n store.Notice
				if json.Unmarshal([]byte(m.Payload), &n) != nil {
					continue
				}
				select {
				case out <- n:
				default: // a reader that falls behind misses notices
				}
			}
		}
	}()
	return out, nil
}
