// Command jiefen is the WeChat front door for citizens who need help with a
// dispute: see README.md. Commands: demo, serve, classify, menu, version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "jiefen:", err)
		os.Exit(1)
	}
}

const usage = `usage: jiefen <command>

  demo       run everything on this machine: embedded store, simulated WeChat, chat page
  serve      run the production server (configuration from JIEFEN_* variables)
  classify   classify one complaint per stdin line, one JSON object per stdout line
  menu       set the official account's custom menu (我要求助, 查询进度, 使用帮助)
  user add   add a console user: --name N --role admin|supervisor|mediator [--body ID] [--display 刘和], password on stdin
  user disable|enable --name N, user password --name N (password on stdin), user list
  token create --user N [--expires 90d]   print a new API token acting as that user (shown once)
  token list --user N, token revoke --user N (--id ID | --all)
  corpus export  the cases whose type mediators corrected, as labelled lines for training
  pia            facts for the personal-information impact assessment (PIPL art. 55), as Markdown
  version    print the version`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, getenv, stdout, stderr)
	case "serve":
		return runServe(ctx, getenv, stderr)
	case "classify":
		return runClassify(ctx, getenv, stdin, stdout)
	case "menu":
		return runMenu(getenv, stdout)
	case "user":
		return runUser(ctx, args[1:], getenv, stdin, stdout)
	case "token":
		return runToken(ctx, args[1:], getenv, stdout)
	case "corpus":
		return runCorpus(ctx, args[1:], getenv, stdout)
	case "pia":
		return runPIA(ctx, getenv, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "jiefen", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
