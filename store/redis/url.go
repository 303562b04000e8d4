package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// newClient builds the client for one of the URL forms documented on Open.
// The forms are translated into go-redis's own URL dialects, so options,
// defaults and TLS handling are go-redis's. Every error goes through
// redact: a URL carries a password, and errors end up in logs.
func newClient(raw string) (redis.UniversalClient, error) {
	c, err := parseClient(raw)
	if err != nil {
		return nil, redact(err, raw)
	}
	return c, nil
}

// urlParts splits raw into its scheme, userinfo (with its "@"), hosts
// and what follows the hosts. net/url cannot parse a list of hosts, and its
// errors quote the whole URL, password included.
func urlParts(raw string) (scheme, userinfo string, hosts []string, tail string, err error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", "", nil, "", errors.New("redis: URL: want scheme://host…")
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	hostList := authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostList = authority[:i+1], authority[i+1:]
	}
	return scheme, userinfo, strings.Split(hostList, ","), tail, nil
}

func parseClient(raw string) (redis.UniversalClient, error) {
	scheme, userinfo, hosts, tail, err := urlParts(raw)
	if err != nil {
		return nil, err
	}
	base, mode, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("redis: URL scheme %q: want redis, rediss, redis+sentinel or redis+cluster", scheme)
	}
	u, err := url.Parse(base + "://" + userinfo + hosts[0] + tail)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL it quotes
		}
		return nil, fmt.Errorf("redis: URL: %w", err)
	}
	q := u.Query()
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}
	switch mode {
	case "":
		if len(hosts) > 1 {
			return nil, fmt.Errorf("redis: URL: several hosts need %s+cluster:// or %s+sentinel://", base, base)
		}
		o, err := redis.ParseURL(u.String())
		if err != nil {
			return nil, err
		}
		return redis.NewClient(o), nil
	case "cluster":
		if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
			return nil, errors.New("redis: URL: a cluster has only database 0")
		}
		u.Path, u.RawQuery = "", q.Encode()
		o, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, err
		}
		return redis.NewClusterClient(o), nil
	case "sentinel":
		master := q.Get("master")
		if master == "" {
			return nil, errors.New("redis: URL: the sentinel form needs ?master=NAME")
		}
		q.Del("master")
		q.Set("master_name", master)
		// go-redis reads the sentinels' credentials from the userinfo and
		// the servers' from options: swap them into place.
		if u.User != nil {
			q.Set("username", u.User.Username())
			if p, ok := u.User.Password(); ok {
				q.Set("password", p)
			}
		}
		u.User = nil
		if su, sp := q.Get("sentinel_username"), q.Get("sentinel_password"); su != "" || sp != "" {
			u.User = url.UserPassword(su, sp)
		}
		q.Del("sentinel_username")
		q.Del("sentinel_password")
		u.RawQuery = q.Encode()
		o, err := redis.ParseFailoverURL(u.String())
		if err != nil {
			return nil, err
		}
		return redis.NewFailoverClient(o), nil
	default:
		return nil, fmt.Errorf("redis: URL scheme %q: want redis, rediss, redis+sentinel or redis+cluster", scheme)
	}
}

// redact replaces every password raw holds (the userinfo's, raw and
// unescaped, and any *password option) in err's message. The messages
// built above never include one; this guards against a dependency's
// message that would.
func redact(err error, raw string) error {
	var secrets []string
	if _, userinfo, _, tail, perr := urlParts(raw); perr == nil {
		if _, p, ok := strings.Cut(strings.TrimSuffix(userinfo, "@"), ":"); ok {
			secrets = append(secrets, p)
			if up, err := url.PathUnescape(p); err == nil {
				secrets = append(secrets, up)
			}
		}
		if _, query, ok := strings.Cut(tail, "?"); ok {
			if q, err := url.ParseQuery(query); err == nil {
				for name, vs := range q {
					if strings.Contains(name, "password") {
						secrets = append(secrets, vs...)
					}
				}
			}
		}
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
