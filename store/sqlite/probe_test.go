package sqlite

import "testing"

// A store whose file takes reads but no writes (a full disk, a read-only
// mount; here the writer told to refuse them) pings but fails its probe,
// so /readyz says not ready.
func TestProbeFailsWhenWritesFail(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := s.Probe(ctx); err != nil {
		t.Fatalf("probe of a writable store: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	defer s.w.ExecContext(ctx, `PRAGMA query_only = OFF`)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping reads: %v", err)
	}
	if err := s.Probe(ctx); err == nil {
		t.Fatal("probe succeeded on a store that refuses writes")
	}
}
