package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jiefen/handlers"
	"jiefen/store"
)

const userUsage = `usage:
  jiefen user add --name N --role admin|supervisor|mediator [--body ID] [--display 刘和] < password
  jiefen user disable --name N     (sessions and API tokens stop working at once)
  jiefen user enable --name N
  jiefen user password --name N < password
  jiefen user list`

// runUser handles `jiefen user …`: add (the password read from stdin, so
// it is in no shell history or process list), disable, enable, password
// and list.
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "user name (the login)")
	switch args[0] {
	case "add":
		role := fs.String("role", "", "admin, supervisor or mediator")
		body := fs.String("body", "", "the routing table's body id (not for admins)")
		display := fs.String("display", "", "the person's name as the console shows it")
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("%w\n%s", err, userUsage)
		}
		return userAdd(ctx, getenv, stdin, stdout, strings.TrimSpace(*name), *role, *body, strings.TrimSpace(*display))
	case "disable", "enable", "password":
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("%w\n%s", err, userUsage)
		}
		return userChange(ctx, getenv, stdin, stdout, args[0], strings.TrimSpace(*name))
	case "list":
		return withStore(getenv, func(st store.Store) error { return userList(ctx, st, stdout) })
	}
	return errors.New(userUsage)
}

func userAdd(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer, name, role, body, display string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	table, err := loadTable(cfg.RoutesFile)
	if err != nil {
		return err
	}
	switch {
	case name == "":
		return errors.New("--name is required")
	case role != store.RoleAdmin && role != store.RoleSupervisor && role != store.RoleMediator:
		return errors.New("--role must be admin, supervisor or mediator")
	case role != store.RoleAdmin && body == "":
		return errors.New("--body is required for supervisors and mediators")
	}
	if body != "" {
		if _, ok := table.Body(body); !ok {
			return fmt.Errorf("--body %s is not in the routing table", body)
		}
	}
	hash, err := readPassword(stdin)
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// A user replaced this way gets a new password: the sessions of
	// before end, as with user password (a new user has none).
	now := time.Now()
	u := store.User{Name: name, Display: display, Role: role, Body: body, PasswordHash: hash, SessionsAfter: now, CreatedAt: now}
	if err := st.PutUser(ctx, u); err != nil {
		return err
	}
	if err := auditCLI(ctx, st, "user add "+u.Name+" "+u.Role+" "+u.Body); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) saved\n", u.Name, u.Role)
	return nil
}

// userChange disables, enables a user or sets their password. A disabled
// user's sessions and tokens are refused from the next request on, by
// every instance (each reads the user at every request); open streams
// close within seconds (they re-read it).
func userChange(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer, what, name string) error {
	if name == "" {
		return errors.New("--name is required")
	}
	var hash string
	if what == "password" {
		var err error
		if hash, err = readPassword(stdin); err != nil {
			return err
		}
	}
	return withStore(getenv, func(st store.Store) error {
		u, err := st.User(ctx, name)
		if err != nil {
			return fmt.Errorf("no user %q", name)
		}
		// Disabling and a new password void the sessions signed in
		// before: enabling the user again brings none of them back.
		switch what {
		case "disable":
			u.Disabled, u.SessionsAfter = true, time.Now()
		case "enable":
			u.Disabled = false
		case "password":
			u.PasswordHash, u.SessionsAfter = hash, time.Now()
		}
		if err := st.PutUser(ctx, u); err != nil {
			return err
		}
		if err := auditCLI(ctx, st, "user "+what+" "+name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s: %s done\n", name, what)
		return nil
	})
}

func userList(ctx context.Context, st store.Store, stdout io.Writer) error {
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDISPLAY\tROLE\tBODY\tSTATE")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Display, u.Role, u.Body, state)
	}
	return tw.Flush()
}

// readPassword reads one line from stdin and hashes it.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", errors.New("the password is read from stdin")
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return handlers.HashPassword(strings.TrimRight(password, "\r\n"))
}

const tokenUsage = `usage:
  jiefen token create --user N [--expires 90d]   prints the token once; it works for --expires (at most 365d)
  jiefen token list --user N
  jiefen token revoke --user N (--id ID | --all)`

// maxTokenLife bounds --expires: a token nobody remembers should not
// outlive the year.
const maxTokenLife = 365 * 24 * time.Hour

// runToken handles `jiefen token …`: create (the token is printed once and
// only its hash is kept), list and revoke.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	user := fs.String("user", "", "the user the token acts as")
	switch args[0] {
	case "create":
		expires := fs.String("expires", "90d", "how long the token works: 30d, 12h …")
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("%w\n%s", err, tokenUsage)
		}
		life, err := parseLife(*expires)
		if err != nil {
			return err
		}
		return withUser(ctx, getenv, *user, func(st store.Store) error { return tokenCreate(ctx, st, stdout, *user, life) })
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("%w\n%s", err, tokenUsage)
		}
		return withUser(ctx, getenv, *user, func(st store.Store) error { return tokenList(ctx, st, stdout, *user) })
	case "revoke":
		id := fs.String("id", "", "the token's ID, as token list shows it")
		all := fs.Bool("all", false, "every token of the user")
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("%w\n%s", err, tokenUsage)
		}
		if (*id == "") == !*all {
			return errors.New("give either --id ID or --all")
		}
		return withUser(ctx, getenv, *user, func(st store.Store) error { return tokenRevoke(ctx, st, stdout, *user, *id) })
	}
	return errors.New(tokenUsage)
}

// parseLife reads a token's lifetime: whole days ("30d") or a Go duration
// ("12h"), more than zero and at most maxTokenLife.
func parseLife(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("--expires %q: write days as 30d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("--expires %q: write 30d or 12h", s)
		}
	}
	if d <= 0 || d > maxTokenLife {
		return 0, fmt.Errorf("--expires %q: between a minute and 365d", s)
	}
	return d, nil
}

func tokenCreate(ctx context.Context, st store.Store, stdout io.Writer, user string, life time.Duration) error {
	value, t := handlers.IssueToken(user, time.Now(), life)
	if err := st.PutToken(ctx, t); err != nil {
		return err
	}
	if err := auditCLI(ctx, st, "token create "+user+" "+t.Prefix); err != nil {
		return err
	}
	fmt.Fprintln(stdout, value)
	return nil
}

func tokenList(ctx context.Context, st store.Store, stdout io.Writer, user string) error {
	toks, err := st.Tokens(ctx, user)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range toks {
		state, expires, used := "active", "never", "never"
		if !t.LastUsed.IsZero() {
			used = t.LastUsed.Local().Format("2006-01-02 15:04")
		}
		if !t.Expires.IsZero() {
			expires = t.Expires.Local().Format("2006-01-02 15:04")
		}
		if !t.Live(now) {
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID(), t.CreatedAt.Local().Format("2006-01-02 15:04"), expires, used, state)
	}
	return tw.Flush()
}

// tokenRevoke revokes the user's token named id, or all of them when id
// is "". From its return on, no instance accepts them (each reads the
// token at every request); streams they opened close within seconds.
func tokenRevoke(ctx context.Context, st store.Store, stdout io.Writer, user, id string) error {
	toks, err := st.Tokens(ctx, user)
	if err != nil {
		return err
	}
	n := 0
	for _, t := range toks {
		if id != "" && t.ID() != id {
			continue
		}
		if err := st.DeleteToken(ctx, t.Hash); err != nil {
			return err
		}
		if err := auditCLI(ctx, st, "token revoke "+user+" "+t.ID()); err != nil {
			return err
		}
		n++
	}
	if id != "" && n == 0 {
		return fmt.Errorf("user %s has no token %s (see jiefen token list --user %s)", user, id, user)
	}
	fmt.Fprintf(stdout, "%d token(s) of %s revoked\n", n, user)
	return nil
}

// withStore opens the configured store for f.
func withStore(getenv func(string) string, f func(store.Store) error) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return f(st)
}

// withUser is withStore for a command about an existing user.
func withUser(ctx context.Context, getenv func(string) string, name string, f func(store.Store) error) error {
	if name == "" {
		return errors.New("--user is required")
	}
	return withStore(getenv, func(st store.Store) error {
		if _, err := st.User(ctx, name); err != nil {
			return fmt.Errorf("no user %q", name)
		}
		return f(st)
	})
}

// auditCLI records an account change made on the command line: whoever
// runs the binary with the store's credentials acts outside the console,
// and the audit log must show it all the same.
func auditCLI(ctx context.Context, st store.Store, detail string) error {
	return st.AppendAudit(ctx, store.AuditEntry{At: time.Now(), User: "cli", Action: store.AuditChange,
		Detail: strings.TrimSpace(detail), Addr: "command line"})
}
