package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		dir := t.TempDir()
		return func() store.Store {
			s, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

func TestOpenCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("database file: %v", err)
	}
	var mode string
	if err := s.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

// A database written by a newer jiefen is refused, and left as it was.
func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	future := len(migrations) + 1
	if _, err := s.w.Exec(`UPDATE schema_version SET version = ?`, future); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a version %d database = %v, want a refusal", future, err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != future {
		t.Errorf("schema version after the refusal = %d, %v; want %d", v, err, future)
	}
}

// Opening again applies no migration twice.
func TestReopenKeepsVersion(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		s, err := Open(dir)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		var v int
		if err := s.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
			t.Errorf("schema version = %d, %v; want %d", v, err, len(migrations))
		}
		s.Close()
	}
}

func TestTimesAreUTC(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if err := s.Commit(ctx, store.Change{Citizen: &dispute.Citizen{OpenID: "o", WindowUntil: at}}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Citizen(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	if c.WindowUntil.Location() != time.UTC || !c.WindowUntil.Equal(at) {
		t.Errorf("WindowUntil = %v, want %v in UTC", c.WindowUntil, at.UTC())
	}
}

// BenchmarkCommit commits what one ordinary citizen message produces: a
// dedup key, the citizen's window, the dialog and one event on the case.
// Each parallel goroutine plays its own citizen, so dialog versions follow
// on as they would in production.
func BenchmarkCommit(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	var citizens atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := citizens.Add(1)
		id, caseID := fmt.Sprint("o", g), fmt.Sprint("JF20261127-", g)
		c := dispute.Case{ID: caseID, Status: dispute.Received, OpenID: id, CreatedAt: now}
		if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{c}}); err != nil {
			b.Error(err)
			return
		}
		var version int64
		for pb.Next() {
			cit := dispute.Citizen{OpenID: id, ConsentAt: now, LastInboundAt: now,
				WindowUntil: now.Add(dispute.MessageWindow), Quota: dispute.MessageQuota}
			err := s.Commit(ctx, store.Change{
				Dedup: fmt.Sprint(id, "-", version), DedupTTL: 5 * time.Minute, Reply: "success",
				Citizen: &cit,
				Dialog: &store.Dialog{OpenID: id, Version: version, Step: "region",
					Draft: store.Draft{Story: "老板拖欠工资三个月", Type: dispute.Labor, Confidence: 0.9}, UpdatedAt: now},
				Events: []dispute.Event{{CaseID: caseID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: "老板拖欠工资三个月"}},
			})
			if err != nil {
				b.Error(err)
				return
			}
			version++
		}
	})
}
