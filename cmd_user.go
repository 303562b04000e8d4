package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"jiefen/handlers"
	"jiefen/store"
)

// runUser handles `jiefen user add --name N --role R [--body ID]`, the
// password read from stdin (so it is in no shell history or process list).
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: jiefen user add --name N --role admin|supervisor|mediator [--body ID] < password")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	name := fs.String("name", "", "user name")
	role := fs.String("role", "", "admin, supervisor or mediator")
	body := fs.String("body", "", "the routing table's body id (not for admins)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	table, err := loadTable(cfg.RoutesFile)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(*name) == "":
		return errors.New("--name is required")
	case *role != store.RoleAdmin && *role != store.RoleSupervisor && *role != store.RoleMediator:
		return errors.New("--role must be admin, supervisor or mediator")
	case *role != store.RoleAdmin && *body == "":
		return errors.New("--body is required for supervisors and mediators")
	}
	if *body != "" {
		if _, ok := table.Body(*body); !ok {
			return fmt.Errorf("--body %s is not in the routing table", *body)
		}
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	hash, err := handlers.HashPassword(strings.TrimRight(password, "\r\n"))
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u := store.User{Name: strings.TrimSpace(*name), Role: *role, Body: *body, PasswordHash: hash, CreatedAt: time.Now()}
	if err := st.PutUser(ctx, u); err != nil {
		return err
	}
	if err := auditCLI(ctx, st, "user add "+u.Name+" "+u.Role+" "+u.Body); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) saved\n", u.Name, u.Role)
	return nil
}

// runToken handles `jiefen token create --user N`: the token is printed
// once and only its hash is kept.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: jiefen token create --user N")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	user := fs.String("user", "", "the user the token acts as")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.User(ctx, *user); err != nil {
		return fmt.Errorf("no user %q", *user)
	}
	value, hash := handlers.NewToken()
	if err := st.PutToken(ctx, store.Token{Hash: hash, User: *user, CreatedAt: time.Now()}); err != nil {
		return err
	}
	if err := auditCLI(ctx, st, "token create "+*user); err != nil {
		return err
	}
	fmt.Fprintln(stdout, value)
	return nil
}

// auditCLI records an account change made on the command line: whoever
// runs the binary with the store's credentials acts outside the console,
// and the audit log must show it all the same.
func auditCLI(ctx context.Context, st store.Store, detail string) error {
	return st.AppendAudit(ctx, store.AuditEntry{At: time.Now(), User: "cli", Action: store.AuditChange,
		Detail: strings.TrimSpace(detail), Addr: "command line"})
}
