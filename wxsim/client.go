package wxsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Mode is the message encryption mode chosen in the account console.
type Mode int

const (
	// Plain (明文模式) sends the message XML as is.
	Plain Mode = iota
	// Compatible (兼容模式) sends the plaintext fields and an <Encrypt>
	// copy of them; the bot may answer in either form.
	Compatible
	// Safe (安全模式) sends only ToUserName and <Encrypt>; the answer must
	// be encrypted.
	Safe
)

func (m Mode) String() string {
	switch m {
	case Plain:
		return "plain"
	case Compatible:
		return "compatible"
	case Safe:
		return "safe"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Defaults of the platform's pushing side.
const (
	// AttemptTimeout is how long the platform waits for one answer.
	AttemptTimeout = 5 * time.Second
	// Attempts is how many times in all the platform pushes one message.
	Attempts = 3
	// maxReply bounds how much of an answer is read; a passive reply is a
	// single short message.
	maxReply = 1 << 20
)

// Client pushes callbacks to a bot's URL the way the platform does.
type Client struct {
	URL       string // the bot's callback URL
	Token     string
	AESKey    string // the 43-character EncodingAESKey
	AppID     string
	AccountID string // the account's gh_… id, sent as ToUserName
	Mode      Mode
	HTTP      *http.Client // nil means a client without its own timeout
	// Platform, when set, is told of the windows the citizen's messages
	// open and records the bot's passive replies as deliveries.
	Platform *Platform
	Now      func() time.Time
	// Timeout and Tries override AttemptTimeout and Attempts for Deliver
	// (zero keeps the platform's values), so tests need not wait 15 s.
	Timeout time.Duration
	Tries   int
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// nonce is a decimal number like the platform's.
func nonce() string {
	n, err := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
	if err != nil {
		return strconv.FormatInt(time.Now().UnixNano()%9_000_000_000+1_000_000_000, 10)
	}
	return strconv.FormatInt(n.Int64()+1_000_000_000, 10)
}

// signedURL adds query to the bot's URL, keeping any query it already has.
func (c *Client) signedURL(q url.Values) (string, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "", fmt.Errorf("wxsim: bad bot URL: %w", err)
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q.Encode()
	} else {
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Request builds the signed POST for m with a fresh timestamp, nonce and
// (in the encrypted modes) random prefix, without sending it, so a test can
// tamper with it first.
func (c *Client) Request(m *Message) (*http.Request, error) {
	ts := strconv.FormatInt(c.now().Unix(), 10)
	nc := nonce()
	q := url.Values{}
	q.Set("signature", Sign(c.Token, ts, nc))
	q.Set("timestamp", ts)
	q.Set("nonce", nc)
	q.Set("openid", m.FromUserName)

	var body bytes.Buffer
	switch c.Mode {
	case Plain:
		body.Write(m.XML())
	case Compatible, Safe:
		enc, err := Encrypt(c.AESKey, c.AppID, nil, m.XML())
		if err != nil {
			return nil, err
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", Sign(c.Token, ts, nc, enc))
		body.WriteString("<xml>")
		if c.Mode == Compatible {
			m.fields(&body)
		} else {
			cdata(&body, "ToUserName", m.ToUserName)
		}
		cdata(&body, "Encrypt", enc)
		body.WriteString("</xml>")
	default:
		return nil, fmt.Errorf("wxsim: unknown mode %d", int(c.Mode))
	}
	u, err := c.signedURL(q)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, u, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	return req, nil
}

// StatusError is a bot answer whose HTTP status is not 2xx.
type StatusError struct{ Status int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("wxsim: bot answered HTTP %d", e.Status)
}

// Send pushes m once and checks the answer like the platform: status 2xx,
// then an empty body, "success", or a well-formed reply (signed, encrypted
// for this AppID, addressed back to the sender). A non-2xx answer returns
// the Reply with a *StatusError.
func (c *Client) Send(ctx context.Context, m *Message) (*Reply, error) {
	req, err := c.Request(m)
	if err != nil {
		return nil, err
	}
	if c.Platform != nil {
		// The platform has the citizen's message (and opens the window it
		// grants, or takes their leaving) before it calls the bot, whatever
		// the bot answers: a send the bot makes while still answering is
		// inside the window, as on the real platform.
		c.Platform.openOnce(m.FromUserName, m.windowKind(), m.dedupeKey())
		if len(m.Popup) > 0 {
			c.Platform.answerOnce(m.FromUserName, m.dedupeKey(), m.Popup)
		}
	}
	resp, err := c.httpClient().Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, err
	}
	rep := &Reply{Status: resp.StatusCode, Raw: body}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rep, &StatusError{Status: resp.StatusCode}
	}
	if err := c.parseReply(m, rep); err != nil {
		return rep, err
	}
	if c.Platform != nil && rep.MsgType != "" {
		c.Platform.passiveReply(m.FromUserName, rep)
	}
	return rep, nil
}

// Deliver pushes m like the platform: each attempt gets at most the attempt
// timeout, and a timeout, transport error or non-2xx status is retried with
// the identical message, three attempts in all. A bot that answered but
// answered badly (bad signature, wrong addressee) is not retried, because
// the platform shows the citizen an error instead.
func (c *Client) Deliver(ctx context.Context, m *Message) (*Reply, error) {
	timeout, tries := c.Timeout, c.Tries
	if timeout <= 0 {
		timeout = AttemptTimeout
	}
	if tries <= 0 {
		tries = Attempts
	}
	if _, err := c.Request(m); err != nil {
		// A message that cannot be built fails the same way every time.
		return nil, err
	}
	var errs []error
	for i := 0; i < tries; i++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		rep, err := c.Send(actx, m)
		cancel()
		if err == nil {
			return rep, nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", i+1, err))
		var se *StatusError
		if rep != nil && !errors.As(err, &se) {
			return rep, errors.Join(errs...)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// Verify performs the URL-verification handshake the console does when the
// callback URL is saved: a signed GET with echostr that must come back
// verbatim.
func (c *Client) Verify(ctx context.Context) error {
	ts := strconv.FormatInt(c.now().Unix(), 10)
	nc := nonce()
	echo := nonce() + nonce()
	q := url.Values{}
	q.Set("signature", Sign(c.Token, ts, nc))
	q.Set("echostr", echo)
	q.Set("timestamp", ts)
	q.Set("nonce", nc)
	u, err := c.signedURL(q)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Mozilla/4.0")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Status: resp.StatusCode}
	}
	if string(body) != echo {
		return fmt.Errorf("wxsim: URL verification failed: echostr %q came back as %q", echo, truncate(body, 64))
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
