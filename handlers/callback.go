package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	// maxCallbackBody: a WeChat callback is a few KB; 1 MiB leaves room and
	// keeps a hostile body from filling memory (the library reads unbounded).
	maxCallbackBody = 1 << 20
	// timestampWindow refuses replayed callbacks; the library checks no time.
	timestampWindow = 5 * time.Minute
)

// wechat guards the callback: parameters present, timestamp fresh,
// signature valid, body bounded. A refused request gets a 4xx and reaches
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
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.Callback.ServeHTTP(w, r)
}

func (s *Server) refuse(w http.ResponseWriter, code int, why string) {
	s.Metrics.Inc("jiefen_callbacks_refused_total", "Callbacks refused before reaching the conversation.", "code", strconv.Itoa(code))
	s.Log.Warn("callback refused", "status", code, "reason", why)
	http.Error(w, why, code)
}
