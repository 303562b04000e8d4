package referral

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"jiefen/store"
)

// attempt sends one referral once and says what became of it. Nothing it
// records or logs holds the secret, the URL (it may carry a token) or the
// payload (personal data): only ids, status codes and error classes.
//
// It sends to the body's webhook as it is now, not to Referral.URL (where
// it pointed when the referral was queued, kept as a record): an
// administrator changes the address because the agency moved, and the old
// one would only fail or reach the wrong system, and a rotated secret must
// sign everything from then on. A webhook removed meanwhile fails the
// referral at once, visibly, with the console's retry button for when one
// is set again.
func (s *Sender) attempt(ctx context.Context, r store.Referral) outcome {
	hook, err := s.Hooks.Of(ctx, r.Body)
	if err != nil {
		// The store could not say where to: not the agency's fault, and
		// not a reason to give up.
		if ctx.Err() != nil {
			return outcome{state: store.RefPending, notBefore: s.now(), err: "interrupted"}
		}
		return s.retry(r, "webhook settings unavailable")
	}
	why := ""
	switch {
	case hook.URL == "":
		why = ErrNoWebhook
	case hook.Secret == "":
		why = ErrNoSecret
	}
	if why != "" {
		// Never sent unsigned: an agency must be able to trust what it gets.
		s.log().Error("referral failed: cannot be sent", "referral", r.ID, "case", r.CaseID, "body", r.Body, "err", why)
		return outcome{state: store.RefFailed, err: why}
	}
	code, err := s.post(ctx, r, hook)
	if errors.Is(err, errBadURL) {
		s.log().Error("referral failed: cannot be sent", "referral", r.ID, "case", r.CaseID, "body", r.Body, "err", errBadURL)
		return outcome{state: store.RefFailed, err: errBadURL.Error()}
	}
	if err == nil && code >= 200 && code < 300 {
		s.log().Info("referral delivered", "referral", r.ID, "case", r.CaseID, "body", r.Body, "attempts", r.Attempts)
		return outcome{state: store.RefDelivered}
	}
	why = "http " + strconv.Itoa(code)
	if err != nil {
		why = errorClass(err)
	}
	if ctx.Err() != nil {
		// Shutting down: due again at once, for whichever instance is left.
		return outcome{state: store.RefPending, notBefore: s.now(), err: why}
	}
	return s.retry(r, why)
}

// post sends the stored payload to the hook, signed with this attempt's
// timestamp, and returns the status code.
func (s *Sender) post(ctx context.Context, r store.Referral, hook Hook) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(r.Payload))
	if err != nil {
		return 0, errBadURL
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "jiefen-webhook/1")
	req.Header.Set(HeaderDelivery, r.Delivery)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(hook.Secret, ts, r.Payload))
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; what
	// it says does not matter, only the status.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// errBadURL is a URL that cannot make a request. It comes from the table
// or an administrator, so retrying cannot fix it: the referral fails at
// once, visibly.
var errBadURL = errors.New("bad webhook url")

// retry schedules the next attempt, or gives up once the referral has been
// tried for GiveUpAfter and at least MinAttempts times.
func (s *Sender) retry(r store.Referral, why string) outcome {
	now := s.now()
	if now.Sub(r.CreatedAt) >= GiveUpAfter && r.Attempts >= MinAttempts {
		s.log().Error("referral failed: giving up", "referral", r.ID, "case", r.CaseID, "body", r.Body,
			"attempts", r.Attempts, "err", why)
		return outcome{state: store.RefFailed, err: why}
	}
	next := s.backoff(r.Attempts)
	s.log().Warn("referral not delivered; will retry", "referral", r.ID, "case", r.CaseID, "body", r.Body,
		"attempts", r.Attempts, "err", why, "in", next.Round(time.Second))
	return outcome{state: store.RefPending, notBefore: now.Add(next), err: why}
}

// errorClass names what went wrong without the error's text, which
// carries the URL.
func errorClass(err error) string {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var header tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.Is(err, errPrivateAddr):
		return "address not allowed (a private or local network)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	case errors.As(err, &dns):
		return "dns error"
	case errors.As(err, &cert), errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &header):
		return "tls error"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return fmt.Sprintf("network error (%T)", errors.Unwrap(err))
}
