package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/js"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"
)

// DefaultAPI is the real platform's base URL, hard-coded in silenceper.
const DefaultAPI = "https://api.weixin.qq.com"

// Account is the official account as jiefen uses it: the callback server
// and the platform API calls, wrapped around silenceper/wechat/v2 so the
// rest of jiefen never sees the library's quirks.
type Account struct {
	AppID, Token, AESKey string

	oa        *officialaccount.OfficialAccount
	custom    *message.Manager
	template  *message.Template
	subscribe *message.Subscribe
	js        *js.Js
	material  *material.Material
	menu      *menu.Menu
	cache     cache.Cache
	media     *http.Client // downloads take longer than API calls
}

// AccountConfig configures an Account.
type AccountConfig struct {
	AppID, Secret, Token, AESKey string
	API                          string        // platform base URL; DefaultAPI when empty
	Timeout                      time.Duration // for every platform call
	Cache                        TokenCache    // where the access token lives; a process-local cache when nil
}

// TokenCache is where the access token is kept: silenceper's cache.Cache.
// Instances sharing one (store/redis) share one token.
type TokenCache = cache.Cache

// apiBase is read by the URI modifier. silenceper's hooks are process-global
// (util.SetURIModifier, util.DefaultHTTPClient), so the base is too: one
// process talks to one platform.
var apiBase atomic.Pointer[string]

func init() {
	// Importing any silenceper package must never log message contents:
	// the root package sets logrus to Debug and the server logs decrypted
	// XML at Debug. We never import the root
	// package, and pin the level here in case anything else raises it.
	logrus.SetLevel(logrus.WarnLevel)
	logrus.SetOutput(io.Discard)
}

// NewAccount builds the account. Sub-clients are created once here because
// silenceper's lazy getters are not goroutine-safe.
func NewAccount(c AccountConfig) *Account {
	base := strings.TrimRight(c.API, "/")
	if base == "" {
		base = DefaultAPI
	}
	apiBase.Store(&base)
	util.SetURIModifier(rewriteAPI)
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	// The library's default client is http.DefaultClient, without a timeout.
	util.DefaultHTTPClient = &http.Client{Timeout: c.Timeout}
	if c.Cache == nil {
		c.Cache = newMemCache()
	}
	oa := officialaccount.NewOfficialAccount(&config.Config{
		AppID: c.AppID, AppSecret: c.Secret, Token: c.Token, EncodingAESKey: c.AESKey,
		Cache: c.Cache,
		// stable_token: instances sharing a cache never invalidate each
		// other's token: the plain token API invalidates the previous token on every call.
		UseStableAK: true,
	})
	return &Account{
		AppID: c.AppID, Token: c.Token, AESKey: c.AESKey,
		oa: oa, custom: oa.GetCustomerMessageManager(), template: oa.GetTemplate(),
		subscribe: oa.GetSubscribe(), js: oa.GetJs(),
		material: oa.GetMaterial(), menu: oa.GetMenu(), cache: c.Cache,
		media: &http.Client{Timeout: max(c.Timeout, time.Minute)},
	}
}

func rewriteAPI(u string) string {
	if b := apiBase.Load(); b != nil && *b != DefaultAPI {
		return strings.Replace(u, DefaultAPI, *b, 1)
	}
	return u
}

// APIError is an error code answered by the platform.
type APIError struct {
	Code int
	Msg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("wechat: errcode %d: %s", e.Code, e.Msg) }

// Error codes of the platform API that jiefen acts on.
const (
	CodeBusy         = -1    // system busy: retry later
	CodeInvalidToken = 40001 // token not valid (another process refreshed, or revoked)
	CodeBadToken     = 40014
	CodeTokenExpired = 42001
	CodeOutOfWindow  = 45015 // customer-service window closed
	CodeOverQuota    = 45047 // customer-service quota used up
	CodeInvalidMedia = 40007

	// Errors about one message, which retrying cannot fix.
	codeUnknownOpenID   = 40003
	codeNotFollower     = 43004
	codeTooLong         = 45002
	codeBadTemplate     = 40037
	codeBadTemplateData = 47003
	// CodeRefused: no consent to that subscription notice (never given,
	// used up, or cancelled in WeChat's settings).
	CodeRefused = 43101
)

var errcodeRe = regexp.MustCompile(`errcode=(-?\d+)\s*,\s*err(?:or)?msg=(.*)$`)

// secretRe finds credentials in URLs: silenceper's errors embed the full
// request URI, access_token and secret included.
var secretRe = regexp.MustCompile(`(access_token|secret)=[^&\s"]*`)

// apiErr turns a library error into an *APIError when the platform answered
// an error code, or a sanitised error otherwise (network, HTTP status).
func apiErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return &APIError{Code: int(ce.ErrCode), Msg: ce.ErrMsg}
	}
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &APIError{Code: code, Msg: strings.TrimSpace(m[2])}
	}
	return errors.New("wechat: " + secretRe.ReplaceAllString(err.Error(), "$1=***"))
}

// Code returns the platform's error code in err, or 0.
func Code(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// withToken runs call, and once more after dropping the cached token when
// the platform says it is invalid or expired (silenceper never does this
// itself: issues #150, #336).
func (a *Account) withToken(call func() error) error {
	err := apiErr(call())
	switch Code(err) {
	case CodeInvalidToken, CodeBadToken, CodeTokenExpired:
		// The key StableAccessToken caches under (credential package,
		// v2.1.10); an upgrade that changed it would show in TestMessengerRefreshesInvalidToken.
		_ = a.cache.Delete(fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, a.AppID))
		err = apiErr(call())
	}
	return err
}

// SendText sends a customer-service text message.
func (a *Account) SendText(ctx context.Context, openID, text string) error {
	return a.withToken(func() error { return a.custom.Send(message.NewCustomerTextMessage(openID, text)) })
}

// SendTemplate sends a template message carrying a link, for when the
// customer-service window is closed. clientMsgID makes a retried send
// count once (the platform dedups it for 10 minutes).
func (a *Account) SendTemplate(ctx context.Context, openID, templateID, link, clientMsgID string, data map[string]string) error {
	msg := &message.TemplateMessage{ToUser: openID, TemplateID: templateID, URL: link, ClientMsgID: clientMsgID,
		Data: map[string]*message.TemplateDataItem{}}
	for k, v := range data {
		msg.Data[k] = &message.TemplateDataItem{Value: v}
	}
	return a.withToken(func() error { _, err := a.template.Send(msg); return err })
}

// maxMedia bounds a downloaded file: the platform's own limit for images is 10 MB.
const maxMedia = 10 << 20

// FetchMedia downloads a temporary media file (a citizen's image or voice).
// silenceper only builds the URL, with the real host and the token in it,
// so the download is ours.
func (a *Account) FetchMedia(ctx context.Context, mediaID string) (contentType string, data []byte, err error) {
	err = a.withToken(func() error {
		u, err := a.material.GetMediaURL(mediaID)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rewriteAPI(u), nil)
		if err != nil {
			return err
		}
		resp, err := a.media.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("media get: HTTP %d", resp.StatusCode)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxMedia+1))
		if err != nil {
			return err
		}
		if len(data) > maxMedia {
			return &APIError{Code: CodeInvalidMedia, Msg: "media larger than 10 MB"}
		}
		contentType = resp.Header.Get("Content-Type")
		if strings.Contains(contentType, "json") || strings.HasPrefix(contentType, "text/") {
			// Errors come back as JSON with status 200 (e.g. 40007 invalid media_id).
			var ce util.CommonError
			if json.Unmarshal(data, &ce) == nil && ce.ErrCode != 0 {
				return &ce
			}
			return fmt.Errorf("media get: unexpected %s answer", contentType)
		}
		return nil
	})
	return contentType, data, err
}

// SetMenu sets the account's custom menu: 我要求助, 查询进度, 使用帮助.
func (a *Account) SetMenu() error {
	return a.withToken(func() error {
		return a.menu.SetMenu([]*menu.Button{
			{Type: "click", Name: "我要求助", Key: MenuNew},
			{Type: "click", Name: "查询进度", Key: MenuProgress},
			{Type: "click", Name: "使用帮助", Key: MenuHelp},
		})
	})
}

// ValidSignature checks a callback's URL signature, sha1 of the sorted
// token, timestamp and nonce, in constant time (silenceper compares with ==).
func (a *Account) ValidSignature(timestamp, nonce, signature string) bool {
	want := util.Signature(a.Token, timestamp, nonce)
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}
