package logrepeat

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A thousand identical errors within a second write one line; the next
// after the second says how many were dropped. Other messages and
// info lines pass.
func TestRepeatsDropped(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(slog.NewTextHandler(&buf, nil), time.Second))
	for range 1000 {
		log.Error("store write failed", "err", "disk full")
	}
	log.Error("another error")
	log.Info("ok")
	log.Info("ok")
	time.Sleep(1100 * time.Millisecond)
	log.Error("store write failed", "err", "disk full")
	out := buf.String()
	if n := strings.Count(out, "store write failed"); n != 2 {
		t.Fatalf("%d lines of the repeated error, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "repeated=999") {
		t.Fatalf("the dropped repeats are not counted:\n%s", out)
	}
	if strings.Count(out, "another error") != 1 || strings.Count(out, "msg=ok") != 2 {
		t.Fatalf("other lines lost:\n%s", out)
	}
}
