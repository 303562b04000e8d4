package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/store"
)

// Body webhook settings made by administrators in the console.

func checkBodyWebhook(t *testing.T, what string, got, want store.BodyWebhook) {
	t.Helper()
	if !sameTime(got.UpdatedAt, want.UpdatedAt) {
		t.Errorf("%s: UpdatedAt %v, want %v", what, got.UpdatedAt, want.UpdatedAt)
	}
	got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if got != want {
		// %#v would print the secret; these are test values.
		t.Errorf("%s:\n got %q %q %q %q\nwant %q %q %q %q", what, got.Body, got.URL, got.Secret, got.UpdatedBy,
			want.Body, want.URL, want.Secret, want.UpdatedBy)
	}
}

// A setting reads back as put; a second put replaces the first (a new
// secret, a new address); a removal (empty URL) is a setting too, not its
// absence; the list is by body id; nothing else is touched.
func testBodyWebhooks(t *testing.T, e *env) {
	if _, err := e.s.BodyWebhook(e.ctx, "lh-labor"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("BodyWebhook of a body never set = %v, want ErrNotFound", err)
	}
	if ws, err := e.s.BodyWebhooks(e.ctx); err != nil || len(ws) != 0 {
		t.Errorf("BodyWebhooks of an empty store = %v, %v; want none", ws, err)
	}
	first := store.BodyWebhook{Body: "lh-labor", URL: "https://agency.example/referrals?k=1", Secret: "s1-秘密",
		UpdatedBy: "admin", UpdatedAt: at(0)}
	other := store.BodyWebhook{Body: "dc-labor", URL: "http://127.0.0.1:9/hook", Secret: "s2", UpdatedBy: "王", UpdatedAt: at(time.Second)}
	for _, w := range []store.BodyWebhook{first, other} {
		if err := e.s.PutBodyWebhook(e.ctx, w); err != nil {
			t.Fatalf("PutBodyWebhook(%s): %v", w.Body, err)
		}
	}
	got, err := e.s.BodyWebhook(e.ctx, "lh-labor")
	if err != nil {
		t.Fatalf("BodyWebhook: %v", err)
	}
	checkBodyWebhook(t, "as put", got, first)

	rotated := first
	rotated.URL, rotated.Secret, rotated.UpdatedBy, rotated.UpdatedAt = "https://new.example/r", "s3", "li", at(time.Hour)
	if err := e.s.PutBodyWebhook(e.ctx, rotated); err != nil {
		t.Fatalf("PutBodyWebhook again: %v", err)
	}
	got, _ = e.s.BodyWebhook(e.ctx, "lh-labor")
	checkBodyWebhook(t, "replaced", got, rotated)

	removed := store.BodyWebhook{Body: "dc-labor", UpdatedBy: "admin", UpdatedAt: at(2 * time.Hour)}
	if err := e.s.PutBodyWebhook(e.ctx, removed); err != nil {
		t.Fatalf("PutBodyWebhook(removed): %v", err)
	}
	got, err = e.s.BodyWebhook(e.ctx, "dc-labor")
	if err != nil {
		t.Fatalf("a removed webhook reads as %v; want the removal itself", err)
	}
	checkBodyWebhook(t, "removed", got, removed)

	ws, err := e.s.BodyWebhooks(e.ctx)
	if err != nil || len(ws) != 2 {
		t.Fatalf("BodyWebhooks = %d settings, %v; want 2", len(ws), err)
	}
	checkBodyWebhook(t, "list[0]", ws[0], removed) // "dc-labor" < "lh-labor"
	checkBodyWebhook(t, "list[1]", ws[1], rotated)
	if _, err := e.s.BodyWebhook(e.ctx, "lh-union"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another body = %v, want ErrNotFound", err)
	}
	if us, err := e.s.Users(e.ctx); err != nil || len(us) != 0 {
		t.Errorf("settings show up as users: %v, %v", us, err)
	}

	e.reopen()
	got, err = e.s.BodyWebhook(e.ctx, "lh-labor")
	if err != nil {
		t.Fatalf("BodyWebhook after reopen: %v", err)
	}
	checkBodyWebhook(t, "after reopen", got, rotated)
}

// Two administrators saving at once: one setting wins whole, never the
// address of one with the secret of the other.
func testBodyWebhooksConcurrent(t *testing.T, e *env) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			w := store.BodyWebhook{Body: "lh-labor", URL: fmt.Sprintf("https://a%d.example/", i), Secret: fmt.Sprintf("s%d", i),
				UpdatedBy: "admin", UpdatedAt: at(time.Duration(i) * time.Second)}
			if err := e.s.PutBodyWebhook(e.ctx, w); err != nil {
				t.Errorf("PutBodyWebhook %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	got, err := e.s.BodyWebhook(e.ctx, "lh-labor")
	if err != nil {
		t.Fatal(err)
	}
	n := strings.TrimSuffix(strings.TrimPrefix(got.URL, "https://a"), ".example/")
	if got.Secret != "s"+n {
		t.Errorf("address %q came with secret %q", got.URL, got.Secret)
	}
}
