package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"time"
)

func runServe(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(getenv, "JIEFEN_WECHAT_APPID", "JIEFEN_WECHAT_SECRET", "JIEFEN_WECHAT_TOKEN")
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
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
