// Package caselink makes and checks the signed links that open a case's
// page for its citizen without a password (/c/<case>/<signature>). The
// signature is an HMAC of the case number, so a link cannot be guessed
// from a case number, nor moved to another case.
package caselink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Signer signs and checks case links with one key. Every instance must use
// the same key, so a link made by one opens on all.
type Signer struct{ key []byte }

// New derives the link key from secret (the account's AppSecret, or a
// dedicated secret): a fixed label keeps it distinct from other uses.
func New(secret string) Signer {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("jiefen case links v1"))
	return Signer{key: m.Sum(nil)}
}

func (s Signer) sign(caseID string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(caseID))
	// 128 bits are plenty against guessing and keep the link short.
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Path is the case page's path for caseID.
func (s Signer) Path(caseID string) string { return "/c/" + caseID + "/" + s.sign(caseID) }

// URL is the case page's full address under base (https://host).
func (s Signer) URL(base, caseID string) string { return strings.TrimRight(base, "/") + s.Path(caseID) }

// Valid reports whether sig is caseID's signature, in constant time.
func (s Signer) Valid(caseID, sig string) bool {
	return hmac.Equal([]byte(s.sign(caseID)), []byte(sig))
}
