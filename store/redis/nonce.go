package redisstore

import (
	"context"
	"fmt"

	"jiefen/store"
)

// TakeNonce checks and sets the key in one script (lua/nonce.lua): two
// instances given the same URL with different bodies at once cannot both
// take it. The key expires on its own (PX until the URL leaves its
// window), so nothing else purges it.
func (s *Store) TakeNonce(ctx context.Context, n store.Nonce) (bool, error) {
	r, err := nonceScript.Run(ctx, s.rdb, []string{s.k.nonce(n.Key)}, n.Body, store.UnixMS(n.At), store.UnixMS(n.Until)).Int()
	if err != nil {
		return false, fmt.Errorf("redis: nonce: %w", err)
	}
	return r == 1, nil
}
