package routing

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"

	openai "github.com/sashabaranov/go-openai"
)

// How LLM requests fail, and the cap on what a server may send back.

// llmStatus is the HTTP status of a failed request, or 0.
func llmStatus(err error) int {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		return reqErr.HTTPStatusCode
	}
	return 0
}

// llmOutcome classes an error of ask.
func llmOutcome(err error) string {
	status := llmStatus(err)
	var netErr net.Error
	switch {
	case status == http.StatusTooManyRequests:
		return OutcomeRateLimited
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return OutcomeRefused
	case status >= 500:
		return OutcomeServerError
	case status >= 400:
		return OutcomeBadRequest
	case status != 0:
		return OutcomeServerError // 1xx/3xx where an answer was due
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	case errors.As(err, &netErr) && netErr.Timeout():
		return OutcomeTimeout
	case errors.Is(err, errInvalid), errors.Is(err, errTooLarge):
		return OutcomeInvalid
	case errors.As(err, &netErr):
		return OutcomeUnreachable
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return OutcomeInvalid // the response body itself was broken
	}
	return OutcomeUnreachable
}

// cappedDoer caps response bodies, so a misbehaving server cannot make the
// client read without end.
type cappedDoer struct{ c *http.Client }

var errTooLarge = errors.New("routing: LLM response too large")

func (d cappedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: llmMaxResponseBytes}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
