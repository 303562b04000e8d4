package store

import (
	"context"
	"time"
)

// Nonces remember the signed callback URLs seen within their window.
//
// In plaintext mode the platform's signature covers the token, the
// timestamp and the nonce, not the body: whoever captured one callback
// could post another body to the same URL until its timestamp left the
// 5-minute window, and it would pass as the platform's. Each URL is
// therefore remembered with a digest of its body until then: the same URL
// with the same body again is the platform's retry (it retries with the
// same nonce, and the message's dedup key answers it), with another body
// a replay, refused. Instances sharing a store share what they saw.
type Nonces interface {
	// TakeNonce remembers n unless its key is already held, unexpired at
	// n.At; it reports whether the key is held with another body.
	TakeNonce(ctx context.Context, n Nonce) (replay bool, err error)
}

// Nonce is one signed callback URL.
type Nonce struct {
	Key  string    // what identifies the URL: its timestamp, nonce and signature (any length)
	Body string    // a digest of the body that came with it
	At   time.Time // now, on the caller's clock (the store reads none)
	// Until is when the key may be forgotten: the URL's own timestamp
	// plus the window, after which the timestamp alone refuses it.
	Until time.Time
}
