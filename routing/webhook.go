package routing

import (
	"errors"
	"net/url"
	"strings"
)

// Why a webhook address is refused. The errors never quote the address:
// it may carry an access token.
var (
	ErrWebhookURL      = errors.New("not an absolute URL")
	ErrWebhookNotHTTPS = errors.New("must be https (plain http is allowed only to this machine: localhost, 127.0.0.1, ::1)")
)

// CheckWebhookURL is the one rule for where referrals may be pushed, from
// the routing table or an administrator's setting: https, or http only to
// this machine (tests, an agency's system running beside jiefen), so
// personal data never cross a network unencrypted.
func CheckWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || strings.ContainsAny(s, " \t\r\n") {
		return ErrWebhookURL
	}
	switch host := strings.ToLower(u.Hostname()); {
	case u.Scheme == "https":
	case u.Scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "::1"):
	default:
		return ErrWebhookNotHTTPS
	}
	return nil
}
