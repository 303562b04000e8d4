package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"jiefen/store"
)

const (
	// maxCallbackBody: a WeChat callback is a few KB; 1 MiB leaves room and
	// keeps a hostile body from filling memory (the library reads unbounded).
	maxCallbackBody = 1 << 20
	// timestampWindow refuses replayed callbacks; the library checks no time.
	timestampWindow = 5 * time.Minute
)

// wechat guards the callback: parameters present, timestamp fresh,
// signature valid, body bounded, a plaintext URL not replayed with
// another body. A refused request gets a 4xx and reaches
// neither the conversation nor the store.
func (s *Server) wechat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { s.callbackLatency.Observe(time.Since(start)) }()
	q := r.URL.Query()
	sig, ts, nonce := q.Get("signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		s.refuse(w, http.StatusBadRequest, "missing signature parameters")
		return
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "bad timestamp")
		return
	}
	if d := s.Now().Sub(time.Unix(sec, 0)); d > timestampWindow || d < -timestampWindow {
		s.refuse(w, http.StatusBadRequest, "timestamp outside the 5-minute window")
		return
	}
	if !s.Account.ValidSignature(ts, nonce, sig) {
		s.refuse(w, http.StatusForbidden, "bad signature")
		return
	}
	if s.Account.AESKey != "" && r.Method == http.MethodPost && (q.Get("encrypt_type") != "aes" || q.Get("msg_signature") == "") {
		// With a key configured the account is in compatible or safe mode,
		// where the platform always encrypts and signs the body. A plain
		// body would be covered by no signature at all (the URL's does not
		// include it), so it is refused.
		s.refuse(w, http.StatusBadRequest, "unencrypted callback while an EncodingAESKey is configured")
		return
	}
	if r.Method == http.MethodGet {
		if !q.Has("echostr") {
			s.refuse(w, http.StatusBadRequest, "missing echostr")
			return
		}
		s.Callback.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.refuse(w, http.StatusRequestEntityTooLarge, "body over 1 MiB")
		return
	case err != nil:
		s.refuse(w, http.StatusBadRequest, "unreadable body")
		return
	case len(bytes.TrimSpace(body)) == 0:
		s.refuse(w, http.StatusBadRequest, "empty body")
		return
	}
	if q.Get("encrypt_type") != "aes" {
		// Plaintext: the signature does not cover the body, so the URL is
		// remembered with the body for its window (store.Nonces): the same
		// body again is the platform's retry, another one a replay.
		// Encrypted bodies need no such memory: msg_signature covers the
		// ciphertext, which only the token's holder can sign anew (and a
		// retry need not be the same ciphertext byte for byte).
		replay, err := s.Store.TakeNonce(r.Context(), store.Nonce{
			Key: digest(ts, nonce, sig), Body: digest(string(body)),
			At: s.Now(), Until: time.Unix(sec, 0).Add(timestampWindow)})
		if err != nil {
			// A 5xx: the platform retries, and the message is not lost.
			s.Log.Error("callback nonce", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if replay {
			s.refuse(w, http.StatusConflict, "signed URL already used with another body")
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.Callback.ServeHTTP(w, r)
}

// digest is a short fixed-length name for what parts hold.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (s *Server) refuse(w http.ResponseWriter, code int, why string) {
	s.Metrics.Inc("jiefen_callbacks_refused_total", "Callbacks refused before reaching the conversation.", "code", strconv.Itoa(code))
	s.Log.Warn("callback refused", "status", code, "reason", why)
	http.Error(w, why, code)
}
