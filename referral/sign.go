package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// The headers of every webhook request: part of the outside contract
// agencies rely on (README, "Webhooks to agencies").
const (
	// HeaderDelivery is the referral's delivery id: the same on every
	// retry, so an agency that sees it twice keeps the first.
	HeaderDelivery = "X-Jiefen-Delivery"
	// HeaderTimestamp is the Unix time of this attempt, in seconds. It is
	// signed, so an agency can refuse old requests replayed at it.
	HeaderTimestamp = "X-Jiefen-Timestamp"
	// HeaderSignature is Sign of the timestamp and the body.
	HeaderSignature = "X-Jiefen-Signature"
)

// Sign returns the X-Jiefen-Signature value of a request:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). timestamp
// is the X-Jiefen-Timestamp header as sent, body the request body as
// received. An agency recomputes it and compares with hmac.Equal; the
// timestamp goes in so a captured request cannot be replayed later under
// a new timestamp.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
