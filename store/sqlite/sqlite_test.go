package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
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
	at := testdate.At("w-1 Fri 09:00") // China time, not UTC
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

// BenchmarkCommit: see storetest.BenchCommit.
func BenchmarkCommit(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchCommit(b, s)
}

// BenchmarkSearch: 100,000 cases, see storetest.BenchSearch.
func BenchmarkSearch(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchSearch(b, s, storetest.SeedSearch(b, s, 100_000))
}
