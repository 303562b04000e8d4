package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// An instance that died between clearing a case and deleting its files
// leaves their ids set aside: the next Anonymize, of any case, deletes
// them, so no file of an anonymised case survives.
func TestAnonymizeDeletesFilesLeftByADeadInstance(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.PutMedia(ctx, store.Media{MediaID: "left-behind", ContentType: "image/jpeg", Data: []byte("jpeg")}); err != nil {
		t.Fatal(err)
	}
	// What the script leaves when its caller dies before deleting.
	if err := s.rdb.SAdd(ctx, s.k.mediaToDelete(), "left-behind").Err(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	k := dispute.Case{ID: "JF20260101-0001", Status: dispute.Withdrawn, Type: dispute.Labor, CreatedAt: now, UpdatedAt: now}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{k}}); err != nil {
		t.Fatal(err)
	}
	if done, err := s.Anonymize(ctx, k.ID, store.AuditEntry{At: now, User: store.AuditSystem, Action: store.AuditRedact}); err != nil || !done {
		t.Fatalf("Anonymize = %v, %v", done, err)
	}
	if _, err := s.Media(ctx, "left-behind"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the file left behind: %v, want it deleted", err)
	}
	if n, err := s.rdb.SCard(ctx, s.k.mediaToDelete()).Result(); err != nil || n != 0 {
		t.Errorf("ids still set aside: %d, %v", n, err)
	}
}
