package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"jiefen/store"
)

// Quick replies set in the console: none until set; set, read back in
// order, Chinese and punctuation intact; replaced whole; an empty list is
// kept as such (it removes the table's on purpose).
func testQuickReplies(t *testing.T, e *env) {
	if _, err := e.s.BodyReplies(e.ctx, "b1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("before any is set: %v", err)
	}
	first := store.BodyReplies{Body: "b1", Replies: []string{"您好，已收到您的材料。", "请带上“欠条”原件（复印件也可）。"}, UpdatedBy: "王", UpdatedAt: t0.Truncate(time.Millisecond)}
	if err := e.s.PutBodyReplies(e.ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := e.s.BodyReplies(e.ctx, "b1")
	if err != nil || !slices.Equal(got.Replies, first.Replies) || got.UpdatedBy != "王" || !got.UpdatedAt.Equal(t0.Truncate(time.Millisecond)) {
		t.Fatalf("read back %+v %v", got, err)
	}
	if err := e.s.PutBodyReplies(e.ctx, store.BodyReplies{Body: "b1", Replies: []string{}, UpdatedBy: "李", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.s.BodyReplies(e.ctx, "b1"); err != nil || len(got.Replies) != 0 || got.UpdatedBy != "李" {
		t.Fatalf("emptied: %+v %v", got, err)
	}
}
