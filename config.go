package main

import (
	"jiefen/bot"
	"jiefen/retention"
	"jiefen/routing"

	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is jiefen's configuration, read from the environment
// (the variables the README lists). Secrets may come from VAR_FILE instead.
type Config struct {
	Addr        string
	DataDir     string
	RedisURL    string
	AppID       string
	Secret      string // secret
	Token       string // secret
	AESKey      string // secret
	WeChatAPI   string
	PublicURL   string
	RoutesFile  string
	TemplateID  string
	VideoURL    string // video room pattern, {case} replaced by the case number
	OpenAIURL   string
	OpenAIKey   string // secret
	OpenAIModel string
	// OpenAICrossBorder: the operator allows an LLM endpoint outside
	// mainland China (JIEFEN_OPENAI_CROSS_BORDER=allow).
	OpenAICrossBorder bool
	// AIModelName and AIFiling are the registered name of the model and
	// its filing number (备案号), shown with the label on AI-written text.
	AIModelName string
	AIFiling    string
	// SubscribeTemplates are the subscription-notice templates (订阅通知)
	// the citizen's page offers and messages outside the window use.
	SubscribeTemplates []bot.SubscribeTemplate
	APITimeout         time.Duration
	// Retention is how long a citizen's personal data are kept after
	// their case ends; then the case is anonymised.
	Retention time.Duration
	// FollowUpAfter is how long after a resolution the citizen is asked
	// whether the problem is solved; 0 turns the question off.
	FollowUpAfter time.Duration
	// WebhookAllow lists the private networks webhooks may reach (an
	// agency's system on the same network); others are refused.
	WebhookAllow []netip.Prefix
	// TrustedProxies are the reverse proxies (addresses or ranges) whose
	// X-Forwarded-For, -Proto and -Host are believed: the client's address
	// for login limits and the audit log, https for HSTS.
	TrustedProxies []netip.Prefix
}

// loadConfig reads the environment. need lists the variables the command
// cannot run without.
func loadConfig(getenv func(string) string, need ...string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		v, err := lookup(getenv, name)
		if err != nil {
			errs = append(errs, err)
		}
		if v == "" {
			return def
		}
		return v
	}
	c := Config{
		Addr:        get("JIEFEN_ADDR", ":8080"),
		DataDir:     get("JIEFEN_DATA", "./jiefen-data"),
		RedisURL:    get("JIEFEN_REDIS_URL", ""),
		AppID:       get("JIEFEN_WECHAT_APPID", ""),
		Secret:      get("JIEFEN_WECHAT_SECRET", ""),
		Token:       get("JIEFEN_WECHAT_TOKEN", ""),
		AESKey:      get("JIEFEN_WECHAT_AES_KEY", ""),
		WeChatAPI:   get("JIEFEN_WECHAT_API", bot.DefaultAPI),
		PublicURL:   get("JIEFEN_PUBLIC_URL", ""),
		RoutesFile:  get("JIEFEN_ROUTES", ""),
		TemplateID:  get("JIEFEN_WECHAT_TEMPLATE_ID", ""),
		VideoURL:    get("JIEFEN_VIDEO_URL", ""),
		OpenAIURL:   get("JIEFEN_OPENAI_URL", ""),
		OpenAIKey:   get("JIEFEN_OPENAI_KEY", ""),
		OpenAIModel: get("JIEFEN_OPENAI_MODEL", ""),
		AIModelName: get("JIEFEN_AI_MODEL_NAME", ""),
		AIFiling:    get("JIEFEN_AI_FILING", ""),
	}
	switch v := get("JIEFEN_OPENAI_CROSS_BORDER", ""); v {
	case "":
	case "allow":
		c.OpenAICrossBorder = true
	default:
		errs = append(errs, errors.New("JIEFEN_OPENAI_CROSS_BORDER must be allow or unset"))
	}
	c.APITimeout = 5 * time.Second
	if v := get("JIEFEN_API_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Minute {
			errs = append(errs, errors.New("JIEFEN_API_TIMEOUT must be a duration between 100ms and 1m, e.g. 5s"))
		} else {
			c.APITimeout = d
		}
	}
	c.Retention = retention.DefaultPeriod
	if v := get("JIEFEN_RETENTION", ""); v != "" {
		d, err := retention.ParsePeriod(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("JIEFEN_RETENTION: %v; give days (1095d, the default: three years) or a duration of at least 24h", err))
		} else {
			c.Retention = d
		}
	}
	c.FollowUpAfter = 168 * time.Hour
	if v := get("JIEFEN_FOLLOWUP_AFTER", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || (d > 0 && d < time.Hour) || d > 90*24*time.Hour {
			errs = append(errs, errors.New("JIEFEN_FOLLOWUP_AFTER must be a duration between 1h and 2160h (90 days), e.g. 168h, or 0 for no follow-up"))
		} else {
			c.FollowUpAfter = d
		}
	}
	var err error
	if c.SubscribeTemplates, err = bot.ParseSubscribeTemplates(get("JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES", "")); err != nil {
		errs = append(errs, fmt.Errorf("JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES: %v", err))
	}
	if c.WebhookAllow, err = parsePrefixes("JIEFEN_WEBHOOK_ALLOW", get("JIEFEN_WEBHOOK_ALLOW", "")); err != nil {
		errs = append(errs, err)
	}
	if c.TrustedProxies, err = parsePrefixes("JIEFEN_TRUSTED_PROXIES", get("JIEFEN_TRUSTED_PROXIES", "")); err != nil {
		errs = append(errs, err)
	}
	for _, n := range need {
		if v, _ := lookup(getenv, n); v == "" {
			errs = append(errs, fmt.Errorf("%s is required (or %s_FILE)", n, n))
		}
	}
	errs = append(errs, c.validate()...)
	return c, errors.Join(errs...)
}

// parsePrefixes reads a list of addresses and CIDR ranges separated by
// commas or spaces; a lone address is a range of one.
func parsePrefixes(name, v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			if a, aerr := netip.ParseAddr(s); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not an address or a CIDR range such as 10.20.0.0/16", name, s))
			continue
		}
		out = append(out, p.Masked())
	}
	return out, errors.Join(errs...)
}

// lookup reads name, or the file named by name_FILE. Errors never carry
// the value.
func lookup(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return strings.TrimSpace(v), nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s", name, path)
	}
	return strings.TrimSpace(string(b)), nil
}

func (c Config) validate() []error {
	var errs []error
	if c.AESKey != "" && len(c.AESKey) != 43 {
		errs = append(errs, errors.New("JIEFEN_WECHAT_AES_KEY must be the 43-character EncodingAESKey from the official account settings"))
	}
	if c.Token != "" && (len(c.Token) < 3 || len(c.Token) > 32) {
		errs = append(errs, errors.New("JIEFEN_WECHAT_TOKEN must be 3 to 32 characters, as the platform requires"))
	}
	for _, u := range []struct{ name, val string }{{"JIEFEN_WECHAT_API", c.WeChatAPI}, {"JIEFEN_PUBLIC_URL", c.PublicURL}, {"JIEFEN_OPENAI_URL", c.OpenAIURL}, {"JIEFEN_VIDEO_URL", c.VideoURL}} {
		if u.val == "" {
			continue
		}
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s must be an http(s) URL", u.name))
		}
	}
	if c.OpenAIURL != "" && !c.OpenAICrossBorder && !routing.LLMInMainland(c.OpenAIURL) {
		// Complaints are personal information: sending them abroad needs
		// the steps of 个人信息保护法 arts. 38–40 first, so the operator
		// says so explicitly. Only the host is named: it is no secret.
		host := ""
		if p, err := url.Parse(c.OpenAIURL); err == nil {
			host = p.Hostname()
		}
		errs = append(errs, fmt.Errorf("JIEFEN_OPENAI_URL: %s is not an LLM service known to be in mainland China "+
			"(DashScope, DeepSeek, 千帆, 智谱, Moonshot, 火山方舟, a .cn domain) nor on this network; complaints sent there leave the country. "+
			"Use one of those or a local model, or, once cross-border transfer is lawful for you (个人信息保护法 第三十八条), set JIEFEN_OPENAI_CROSS_BORDER=allow", host))
	}
	if len(c.SubscribeTemplates) > 0 && c.PublicURL == "" {
		// A notice carries a few words and a link to the case page.
		errs = append(errs, errors.New("JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES needs JIEFEN_PUBLIC_URL: a notice links to the case page"))
	}
	if c.OpenAIURL != "" && c.OpenAIModel == "" {
		errs = append(errs, errors.New("JIEFEN_OPENAI_MODEL is required with JIEFEN_OPENAI_URL (e.g. deepseek-chat, qwen-plus)"))
	}
	if c.RedisURL != "" {
		scheme, _, _ := strings.Cut(c.RedisURL, "://")
		switch scheme {
		case "redis", "rediss", "redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster":
		default:
			// Say nothing of the value: a Redis URL may hold a password.
			errs = append(errs, errors.New("JIEFEN_REDIS_URL must start with redis://, rediss://, redis+sentinel:// or redis+cluster://"))
		}
	}
	return errs
}
