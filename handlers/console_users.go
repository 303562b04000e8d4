package handlers

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"jiefen/store"
)

// The users page: administrators add console users, disable and enable
// them, set their passwords and manage their API tokens. Others are told
// the page does not exist. A change applies on every instance from the
// next request (each request reads its user, session and token from the
// store); this instance's open streams of a disabled user or a revoked
// token close at once, other instances' at their next re-check (hub.go).

// Limits of what an administrator may enter.
const (
	maxLoginName   = 32
	maxDisplayName = 32
)

// tokenLives are the lifetimes the console offers for a new token, in days.
var tokenLives = []int{30, 90, 180, 365}

// userRow is a user as the users page shows them.
type userRow struct {
	store.User
	RoleName, BodyName string
	LastLogin          time.Time // zero: never, as far as the audit log remembers
	Tokens             int       // live ones
}

// tokenRow is a token as a user's page shows it: never its value, nor its hash.
type tokenRow struct {
	ID                         string
	Created, Expires, LastUsed time.Time
	Expired                    bool
}

// usersAdmin lets only administrators through; to anyone else the users
// pages do not exist.
func usersAdmin(r *http.Request) (viewer, error) {
	u := current(r)
	if u.Role != store.RoleAdmin {
		return u, httpError{http.StatusNotFound, "页面不存在。"}
	}
	return u, nil
}

func (c *admin) usersPage(w http.ResponseWriter, r *http.Request) error {
	u, err := usersAdmin(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	users, err := c.Store.Users(ctx)
	if err != nil {
		return err
	}
	now := c.Now()
	rows := make([]userRow, len(users))
	for i, x := range users {
		rows[i] = userRow{User: x, RoleName: roleNames[x.Role], BodyName: c.bodyName(x.Body)}
		// A city's users are a few dozen: one indexed read each.
		if rows[i].LastLogin, err = c.lastLogin(ctx, x.Name); err != nil {
			return err
		}
		toks, err := c.Store.Tokens(ctx, x.Name)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if t.Live(now) {
				rows[i].Tokens++
			}
		}
	}
	c.render(w, http.StatusOK, "users.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body),
		"Rows": rows, "Bodies": c.Table.Bodies(), "Roles": roleChoices})
	return nil
}

var roleChoices = []struct{ Code, Name string }{
	{store.RoleMediator, "调解员"}, {store.RoleSupervisor, "负责人"}, {store.RoleAdmin, "管理员"},
}

// lastLogin is when the user last signed in, from the audit log.
func (c *admin) lastLogin(ctx context.Context, name string) (time.Time, error) {
	es, err := c.Store.AuditLog(ctx, store.AuditFilter{User: name, Action: store.AuditLogin, Limit: 1})
	if err != nil || len(es) == 0 {
		return time.Time{}, err
	}
	return es[0].At, nil
}

func (c *admin) userPage(w http.ResponseWriter, r *http.Request) error {
	u, err := usersAdmin(r)
	if err != nil {
		return err
	}
	x, err := c.userOf(r)
	if err != nil {
		return err
	}
	return c.renderUser(w, r, u, x, "", "")
}

// renderUser shows a user's page; secret and what, when set, are a new
// password or token shown this once.
func (c *admin) renderUser(w http.ResponseWriter, r *http.Request, u viewer, x store.User, what, secret string) error {
	ctx := r.Context()
	toks, err := c.Store.Tokens(ctx, x.Name)
	if err != nil {
		return err
	}
	now := c.Now()
	rows := make([]tokenRow, len(toks))
	for i, t := range toks {
		rows[i] = tokenRow{ID: t.ID(), Created: t.CreatedAt, Expires: t.Expires, LastUsed: t.LastUsed, Expired: !t.Live(now)}
	}
	last, err := c.lastLogin(ctx, x.Name)
	if err != nil {
		return err
	}
	c.render(w, http.StatusOK, "user.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body),
		"Person": userRow{User: x, RoleName: roleNames[x.Role], BodyName: c.bodyName(x.Body), LastLogin: last},
		"Tokens": rows, "Lives": tokenLives, "Self": x.Name == u.Name, "What": what, "Secret": secret})
	return nil
}

// userOf is the user the request's {name} names.
func (c *admin) userOf(r *http.Request) (store.User, error) {
	x, err := c.Store.User(r.Context(), r.PathValue("name"))
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, httpError{http.StatusNotFound, "没有这个用户。"}
	}
	return x, err
}

// addUser creates a user. Without a password typed in, one is made and
// shown once, for the administrator to hand over.
func (c *admin) addUser(w http.ResponseWriter, r *http.Request) error {
	u, err := usersAdmin(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("name"))
	display := strings.TrimSpace(r.PostFormValue("display"))
	role, body := r.PostFormValue("role"), r.PostFormValue("body")
	if err := checkLoginName(name); err != nil {
		return err
	}
	if err := checkDisplayName(display); err != nil {
		return err
	}
	switch role {
	case store.RoleAdmin:
		body = "" // an administrator belongs to no body: they see all
	case store.RoleSupervisor, store.RoleMediator:
		if _, ok := c.Table.Body(body); !ok {
			return httpError{http.StatusBadRequest, "请为调解员和负责人选择所属单位。"}
		}
	default:
		return httpError{http.StatusBadRequest, "请选择角色。"}
	}
	if _, err := c.Store.User(ctx, name); err == nil {
		return httpError{http.StatusConflict, "登录名 " + name + " 已被使用，请换一个。"}
	}
	password, made := r.PostFormValue("password"), false
	if password == "" {
		password, made = newPassword(), true
	}
	hash, err := HashPassword(password)
	if err != nil {
		return httpError{http.StatusBadRequest, "密码至少要有 8 个字符。"}
	}
	x := store.User{Name: name, Display: display, Role: role, Body: body, PasswordHash: hash, CreatedAt: c.Now()}
	noteAudit(ctx, name+" "+role+" "+body)
	if err := c.Store.PutUser(ctx, x); err != nil {
		return err
	}
	c.forgetPeople()
	if !made {
		http.Redirect(w, r, "/console/users/"+url.PathEscape(name), http.StatusSeeOther)
		return nil
	}
	return c.renderUser(w, r, u, x, "password", password)
}

// changeUser is one change to a user: disable, enable, a new password, a
// new display name. Disabling and a new password void the user's sessions
// (SessionsAfter), so enabling them again brings none back.
func (c *admin) changeUser(what string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := usersAdmin(r)
		if err != nil {
			return err
		}
		x, err := c.userOf(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		noteAudit(ctx, x.Name)
		var secret string
		switch what {
		case "disable":
			if x.Name == u.Name {
				return httpError{http.StatusBadRequest, "不能停用自己的账号。"}
			}
			x.Disabled, x.SessionsAfter = true, c.Now()
		case "enable":
			x.Disabled = false
		case "password":
			password := r.PostFormValue("password")
			if password == "" {
				password, secret = newPassword(), "made"
			}
			hash, err := HashPassword(password)
			if err != nil {
				return httpError{http.StatusBadRequest, "密码至少要有 8 个字符。"}
			}
			x.PasswordHash, x.SessionsAfter = hash, c.Now()
			if secret != "" {
				secret = password
			}
		case "display":
			display := strings.TrimSpace(r.PostFormValue("display"))
			if err := checkDisplayName(display); err != nil {
				return err
			}
			x.Display = display
		}
		if err := c.Store.PutUser(ctx, x); err != nil {
			return err
		}
		c.forgetPeople()
		if what == "disable" || what == "password" {
			c.hub.dropUser(x.Name) // this instance's streams now; others' at their re-check
		}
		if secret != "" {
			return c.renderUser(w, r, u, x, "password", secret)
		}
		http.Redirect(w, r, "/console/users/"+url.PathEscape(x.Name), http.StatusSeeOther)
		return nil
	}
}

// createToken makes an API token for the user, shown once on the page
// this answers with.
func (c *admin) createToken(w http.ResponseWriter, r *http.Request) error {
	u, err := usersAdmin(r)
	if err != nil {
		return err
	}
	x, err := c.userOf(r)
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 1 || days > 365 {
		return httpError{http.StatusBadRequest, "请选择令牌的有效期。"}
	}
	value, t := IssueToken(x.Name, c.Now(), time.Duration(days)*24*time.Hour)
	noteAudit(r.Context(), x.Name+" "+t.Prefix)
	if err := c.Store.PutToken(r.Context(), t); err != nil {
		return err
	}
	return c.renderUser(w, r, u, x, "token", value)
}

// revokeToken revokes one of the user's tokens, named by its ID.
func (c *admin) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if _, err := usersAdmin(r); err != nil {
		return err
	}
	x, err := c.userOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	toks, err := c.Store.Tokens(ctx, x.Name)
	if err != nil {
		return err
	}
	id := r.PostFormValue("token")
	for _, t := range toks {
		if t.ID() != id {
			continue
		}
		noteAudit(ctx, x.Name+" "+id)
		if err := c.Store.DeleteToken(ctx, t.Hash); err != nil {
			return err
		}
		c.hub.dropToken(t.Hash)
		http.Redirect(w, r, "/console/users/"+url.PathEscape(x.Name), http.StatusSeeOther)
		return nil
	}
	return httpError{http.StatusNotFound, "没有这个令牌，可能已经撤销。"}
}

// checkLoginName accepts letters, digits and . _ - (what a person types
// at the login form without thinking), up to maxLoginName.
func checkLoginName(s string) error {
	n := len([]rune(s))
	if n < 2 || n > maxLoginName || strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-", r)
	}) >= 0 {
		return httpError{http.StatusBadRequest, "登录名要有 2 到 32 个字符，只用字母、数字和 . _ -。"}
	}
	return nil
}

// checkDisplayName accepts a person's name: printable, up to maxDisplayName.
func checkDisplayName(s string) error {
	n := len([]rune(s))
	if n == 0 || n > maxDisplayName || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return httpError{http.StatusBadRequest, "请填写姓名（最多 32 个字），同事会在工作台里看到它。"}
	}
	return nil
}

// newPassword is a password an administrator reads out or passes on:
// 12 characters without look-alikes (0/O, 1/l/I).
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789" // 56
	out := make([]byte, 0, 12)
	buf := make([]byte, 32)
	for len(out) < cap(out) {
		_, _ = rand.Read(buf)
		for _, v := range buf {
			// 224 = 4 × 56: bytes above would favour the first letters.
			if v < 224 && len(out) < cap(out) {
				out = append(out, alphabet[int(v)%len(alphabet)])
			}
		}
	}
	return string(out)
}
