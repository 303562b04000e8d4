package redisstore

import (
	"context"
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// Tokens stored before the tokens hash (a key each) are moved into it when
// a store opens: they keep working for the life a new one gets, counted
// from when each was made, are listed with their user's, and can be revoked.
func TestMoveTokens(t *testing.T) {
	url := testURL(t)
	open := opener(t, url, isolated(t, url))
	s := open().(*Store)
	ctx := context.Background()
	made := testdate.At("w-1 Fri 09:00").UTC()
	// As the store of before wrote them, and as if it had never moved any.
	if err := s.rdb.HSet(ctx, s.k.oldToken("h1"), "user", "liuhe", "at", made.UnixMilli()).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.HSet(ctx, s.k.oldToken("h2"), "user", "admin", "at", made.UnixMilli()).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.Del(ctx, s.k.tokensMoved()).Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open().(*Store)
	defer s.Close()
	tk, err := s.Token(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if want := made.Add(store.TokenLife); tk.User != "liuhe" || !tk.Expires.Equal(want) || !tk.CreatedAt.Equal(made) {
		t.Errorf("moved token = %+v, want liuhe's, expiring %v", tk, want)
	}
	if list, err := s.Tokens(ctx, "liuhe"); err != nil || len(list) != 1 || list[0].Hash != "h1" {
		t.Errorf("Tokens(liuhe) = %+v, %v; want h1", list, err)
	}
	if n, err := s.rdb.Exists(ctx, s.k.oldToken("h1"), s.k.oldToken("h2")).Result(); err != nil || n != 0 {
		t.Errorf("old token keys left: %d, %v", n, err)
	}
	if err := s.DeleteToken(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, "h1"); err == nil {
		t.Error("a moved token still works after DeleteToken")
	}
	if tk, err := s.Token(ctx, "h2"); err != nil || !tk.Live(made.Add(time.Hour)) {
		t.Errorf("the other moved token = %+v, %v", tk, err)
	}
}
