package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
)

// The bodies page: administrators manage each body's webhook (the address
// of the agency's system and the secret its referrals are signed with)
// over the routing table's. A change applies at once, on every instance:
// referral.Hooks reads the setting at every queueing and every attempt.

// Limits of what an administrator may enter.
const (
	maxWebhookURL    = 2000
	minWebhookSecret = 16 // shorter keys can be guessed
	maxWebhookSecret = 256
)

// bodyRow is one body as the bodies page shows it: never its secret,
// only whether one is set.
type bodyRow struct {
	ID, Name  string
	URL       string
	Source    string // "路由表", "管理员设置" or ""
	Removed   bool
	SecretSet bool
	CanKeep   bool // the secret is the console's, so a new address may keep it
	UpdatedBy string
	UpdatedAt time.Time
	Pending   int
	Failed    int
}

// webhookAdmin lets only administrators through.
func webhookAdmin(r *http.Request) (viewer, error) {
	u := current(r)
	if u.Role != store.RoleAdmin {
		return u, httpError{http.StatusForbidden, "只有管理员可以管理单位的推送设置。"}
	}
	return u, nil
}

func (c *admin) bodiesPage(w http.ResponseWriter, r *http.Request) error {
	u, err := webhookAdmin(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	hooks, err := c.Hooks.All(ctx)
	if err != nil {
		return err
	}
	// Pending and failed referrals are few (delivered ones are the bulk),
	// so two listings counted here serve every body.
	pending, failed := map[string]int{}, map[string]int{}
	for state, n := range map[string]map[string]int{store.RefPending: pending, store.RefFailed: failed} {
		refs, err := c.Store.ListReferrals(ctx, store.ReferralFilter{State: state})
		if err != nil {
			return err
		}
		for _, ref := range refs {
			n[ref.Body]++
		}
	}
	rows := make([]bodyRow, 0, len(hooks))
	for _, h := range hooks {
		row := bodyRow{ID: h.Body, Name: c.bodyName(h.Body), URL: h.URL, Removed: h.Removed, SecretSet: h.Secret != "",
			CanKeep: h.Source == referral.FromConsole && h.Secret != "", UpdatedBy: h.UpdatedBy, UpdatedAt: h.UpdatedAt,
			Pending: pending[h.Body], Failed: failed[h.Body]}
		switch h.Source {
		case referral.FromTable:
			row.Source = "路由表"
		case referral.FromConsole:
			row.Source = "管理员设置"
		}
		rows = append(rows, row)
	}
	c.render(w, http.StatusOK, "bodies.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows})
	return nil
}

// setWebhook sets a body's address and, as the form says, keeps its
// console secret, generates a new one (shown once, on the page this
// answers with) or takes one the agency gave.
func (c *admin) setWebhook(w http.ResponseWriter, r *http.Request) error {
	u, err := webhookAdmin(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("body")
	noteAudit(r.Context(), id)
	if _, ok := c.Table.Body(id); !ok {
		return httpError{http.StatusNotFound, "没有这个单位。"}
	}
	addr := strings.TrimSpace(r.PostFormValue("url"))
	if err := checkWebhookURL(addr); err != nil {
		return err
	}
	var secret string
	switch r.PostFormValue("secret") {
	case "new":
		secret = randomID()
	case "paste":
		secret = strings.TrimSpace(r.PostFormValue("pasted"))
		if err := checkWebhookSecret(secret); err != nil {
			return err
		}
	case "keep", "":
		cur, err := c.Hooks.Of(ctx, id)
		if err != nil {
			return err
		}
		if cur.Source != referral.FromConsole || cur.Secret == "" {
			// The table's secret lives in the environment: it is not copied
			// into the store behind the operator's back.
			return httpError{http.StatusBadRequest, "该单位还没有在这里设置的密钥，请选择“生成新密钥”或填写单位提供的密钥。"}
		}
		secret = cur.Secret
	default:
		return httpError{http.StatusBadRequest, "请选择密钥的处理方式。"}
	}
	if err := c.Store.PutBodyWebhook(ctx, store.BodyWebhook{Body: id, URL: addr, Secret: secret, UpdatedBy: u.Name, UpdatedAt: c.Now()}); err != nil {
		return err
	}
	// Neither the address (it may carry a token) nor the secret.
	c.Log.Info("body webhook set", "body", id, "secret", r.PostFormValue("secret"))
	noteAudit(ctx, "secret "+r.PostFormValue("secret"))
	if c.KickReferrals != nil {
		c.KickReferrals() // referrals failing for want of a webhook may now go
	}
	if r.PostFormValue("secret") != "new" {
		http.Redirect(w, r, "/console/bodies", http.StatusSeeOther)
		return nil
	}
	c.render(w, http.StatusOK, "webhook_secret.html", map[string]any{
		"User": u, "BodyName": c.bodyName(u.Body), "Name": c.bodyName(id), "Secret": secret})
	return nil
}

// removeWebhook stops referrals to a body's system, over the table's
// webhook too; its cases are then read in the console only.
func (c *admin) removeWebhook(w http.ResponseWriter, r *http.Request) error {
	u, err := webhookAdmin(r)
	if err != nil {
		return err
	}
	id := r.PathValue("body")
	noteAudit(r.Context(), id)
	if _, ok := c.Table.Body(id); !ok {
		return httpError{http.StatusNotFound, "没有这个单位。"}
	}
	if err := c.Store.PutBodyWebhook(r.Context(), store.BodyWebhook{Body: id, UpdatedBy: u.Name, UpdatedAt: c.Now()}); err != nil {
		return err
	}
	c.Log.Info("body webhook removed", "body", id)
	http.Redirect(w, r, "/console/bodies", http.StatusSeeOther)
	return nil
}

// checkWebhookURL accepts https addresses, and http only to this machine
// (tests, and an agency's system running beside jiefen): personal data
// never crosses a network unencrypted.
func checkWebhookURL(s string) error {
	if s == "" {
		return httpError{http.StatusBadRequest, "请填写推送地址。"}
	}
	if len(s) > maxWebhookURL {
		return httpError{http.StatusBadRequest, "推送地址太长了。"}
	}
	switch err := routing.CheckWebhookURL(s); {
	case errors.Is(err, routing.ErrWebhookNotHTTPS):
		return httpError{http.StatusBadRequest, "推送地址必须以 https:// 开头（只有本机的 localhost、127.0.0.1 可以用 http://）。"}
	case err != nil:
		return httpError{http.StatusBadRequest, "推送地址格式不对，应类似 https://单位系统的域名/referrals。"}
	}
	return nil
}

// checkWebhookSecret refuses keys that are easy to guess or to mangle when
// copied. The message never repeats the key.
func checkWebhookSecret(s string) error {
	n := len([]rune(s))
	if n < minWebhookSecret || n > maxWebhookSecret || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) >= 0 {
		return httpError{http.StatusBadRequest, "密钥要有 16 到 256 个字符，不能含空格。"}
	}
	return nil
}
