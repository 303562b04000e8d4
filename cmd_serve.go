package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"time"

	"jiefen/internal/logrepeat"
)

func runServe(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(getenv, "JIEFEN_WECHAT_APPID", "JIEFEN_WECHAT_SECRET", "JIEFEN_WECHAT_TOKEN")
	if err != nil {
		return err
	}
	// Repeats of a warning or error within a second are counted, not
	// written: a failing store or a flood of bad logins cannot fill the disk.
	log := slog.New(logrepeat.New(slog.NewJSONHandler(stderr, nil), time.Second))
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a, err := newApp(cfg, log, time.Now)
	if err != nil {
		ln.Close()
		return err
	}
	log.Info("jiefen serving", "addr", ln.Addr().String(), "version", version, "safe_mode", cfg.AESKey != "")
	return a.serve(ctx, ln)
}
