package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
)

// runClassify reads one complaint per line and writes one JSON object per
// line, in order: the format the README documents. Regions are those of
// the routing table's city (JIEFEN_ROUTES, else the built-in 通化市).
func runClassify(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	table, err := loadTable(cfg.RoutesFile)
	if err != nil {
		return err
	}
	c, err := newClassifier(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), table.City())
	if err != nil {
		return err
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		res, err := c.Classify(ctx, strings.TrimSpace(in.Text()))
		if err != nil {
			return err
		}
		if err := enc.Encode(struct {
			Type       string  `json:"type"`
			Confidence float64 `json:"confidence"`
			Urgent     bool    `json:"urgent"`
			Region     string  `json:"region"`
		}{string(res.Type), res.Confidence, res.Urgent, res.Region}); err != nil {
			return err
		}
	}
	return in.Err()
}
