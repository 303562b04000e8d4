package retention

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
	"jiefen/store/sqlite"
)

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"1095d": DefaultPeriod, "1d": 24 * time.Hour, "36h": 36 * time.Hour, " 30d ": 30 * 24 * time.Hour} {
		if got, err := ParsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got, _ := ParsePeriod(FormatPeriod(want)); got != want {
			t.Errorf("FormatPeriod(%v) = %q does not read back", want, FormatPeriod(want))
		}
	}
	for _, in := range []string{"", "1095", "3y", "23h", "0d", "-1d", "d", "1.5d"} {
		if _, err := ParsePeriod(in); err == nil {
			t.Errorf("ParsePeriod(%q) passed", in)
		}
	}
}

// More due cases than one batch are all anonymised by one Tick; cases
// still within the period, and open ones, are not.
func TestTickBatches(t *testing.T) {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ended := testdate.At("w-1 Fri 08:00").UTC() // midnight UTC, in the tests' base year
	var ch store.Change
	for i := range batch + 50 {
		st := dispute.Resolved
		if i%10 == 0 {
			st = dispute.Mediating
		}
		ch.NewCases = append(ch.NewCases, dispute.Case{ID: fmt.Sprintf("JF20260101-%04d", i), Status: st, Type: dispute.Labor,
			Body: "lh-labor", Story: "故事", Phone: "13900000000", OpenID: "o", CreatedAt: ended, UpdatedAt: ended})
	}
	ch.NewCases = append(ch.NewCases, dispute.Case{ID: "JF20260101-9999", Status: dispute.Withdrawn, Type: dispute.Labor,
		Story: "故事", CreatedAt: ended, UpdatedAt: ended.Add(48 * time.Hour)})
	if err := s.Commit(ctx, ch); err != nil {
		t.Fatal(err)
	}
	w := &Worker{Store: s, Period: 30 * 24 * time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return ended.Add(30*24*time.Hour + time.Hour) }}
	n, err := w.Tick(ctx)
	if err != nil || n != 135 {
		t.Fatalf("Tick = %d, %v; want the 135 ended cases", n, err)
	}
	for _, k := range []struct {
		id   string
		anon bool
	}{{"JF20260101-0001", true}, {"JF20260101-0149", true}, {"JF20260101-0010", false}, {"JF20260101-9999", false}} {
		c, err := s.Case(ctx, k.id)
		if err != nil || (c.Story == "") != k.anon || c.Anonymized.IsZero() == k.anon {
			t.Errorf("%s: story %q anonymised %v, %v; want anonymised %v", k.id, c.Story, c.Anonymized, err, k.anon)
		}
	}
	log, err := s.AuditLog(ctx, store.AuditFilter{Action: store.AuditRedact})
	if err != nil || len(log) != 135 {
		t.Fatalf("audit: %d entries, %v; want 135", len(log), err)
	}
	if log[0].User != store.AuditSystem || log[0].Detail != "retention 30d" {
		t.Errorf("audit entry %+v", log[0])
	}
}
