package sqlite

import (
	"context"
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// A database made before tokens expired is brought up to date: its tokens
// keep working for the life a new one gets, counted from when each was
// made, and its users have no display name and are enabled.
func TestMigratePeopleTokens(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaPeopleTokens")
	made := testdate.At("w-1 Fri 09:00").UTC()
	if _, err := s.w.Exec(`INSERT INTO tokens (hash, user, created_at) VALUES ('h1', 'liuhe', ?)`, made.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO users (name, role, body, password_hash, created_at) VALUES ('liuhe', 'mediator', 'lh-labor', 'x', ?)`, made.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	tk, err := s.Token(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if want := made.Add(store.TokenLife); !tk.Expires.Equal(want) {
		t.Errorf("old token expires %v, want %v", tk.Expires, want)
	}
	if !tk.Live(made.Add(store.TokenLife-time.Minute)) || tk.Live(made.Add(store.TokenLife)) {
		t.Errorf("old token live at the wrong times: %+v", tk)
	}
	if tk.ID() != "#h1" {
		t.Errorf("old token's ID = %q, want the start of its hash", tk.ID())
	}
	if list, err := s.Tokens(ctx, "liuhe"); err != nil || len(list) != 1 {
		t.Errorf("Tokens(liuhe) = %+v, %v; want the old token", list, err)
	}
	u, err := s.User(ctx, "liuhe")
	if err != nil || u.Display != "" || u.Disabled || u.Shown() != "liuhe" {
		t.Errorf("old user = %+v, %v; want no display name, enabled", u, err)
	}
}
