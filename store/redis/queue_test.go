package redisstore

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/store"
)

// The keys of the outbound queue and the webhook outbox of before the one
// queue move into it when a store opens: every item whatever its state,
// outbound ids unchanged, a citizen's open order kept, and the old keys
// gone.
func TestMigrateQueue(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	T := s.k.t
	at := testdate.At("w-1 Fri 09:00").UTC()
	ms := at.UnixMilli()
	k := dispute.Case{ID: "JF1", OpenID: "o1", Status: dispute.Referred, Type: dispute.Labor, Body: "bodyA", CreatedAt: at, UpdatedAt: at}
	if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{k}}); err != nil {
		t.Fatal(err)
	}
	p := s.rdb.Pipeline()
	ob := func(id, openid, kind, text, state, att, err string) {
		p.HSet(ctx, T+"ob:"+id, "openid", openid, "case", "JF1", "kind", kind, "text", text, "media", "", "state", state,
			"att", att, "nb", ms, "lease", 0, "err", err, "via", "", "at", ms)
		p.RPush(ctx, T+"obl", id)
		p.RPush(ctx, T+"obl:"+openid, id)
	}
	ob("7", "o1", "text", "sent one", "sent", "1", "")
	ob("8", "o1", "text", "held one", "held", "1", "outside window")
	ob("9", "o1", "text", "behind", "pending", "0", "")
	p.RPush(ctx, T+"obo:o1", "8", "9")
	p.Set(ctx, T+"n:ob", 9, 0)
	rf := func(id, dlv, state string) {
		p.HSet(ctx, T+"rf:"+id, "dlv", dlv, "case", "JF1", "body", "bodyA", "url", "https://a.example/h", "payload", "{}",
			"state", state, "att", 2, "nb", ms, "lease", 0, "err", "http 503", "at", ms, "done", 0)
		p.HSet(ctx, T+"rfd", dlv, id)
		for _, idx := range []string{"rfx", "rfx:c:JF1", "rfx:b:bodyA", "rfx:s:" + state} {
			p.ZAdd(ctx, T+idx, redis.Z{Score: 1, Member: id})
		}
	}
	rf("1", "d1", "pending")
	rf("2", "d2", "failed")
	p.ZAdd(ctx, T+"rfq", redis.Z{Score: float64(ms), Member: "1"})
	p.Set(ctx, T+"n:rf", 2, 0)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}

	if err := s.migrateQueue(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.rdb.Exists(ctx, T+"obl", T+"obl:o1", T+"obo:o1", T+"ob:7", T+"n:ob", T+"rfx", T+"rf:1", T+"rfq", T+"rfd",
		T+"rfx:s:pending").Result(); err != nil || n != 0 {
		t.Errorf("%d old keys left (%v)", n, err)
	}
	obs, err := s.Outbounds(ctx, "o1")
	if err != nil || len(obs) != 3 || obs[0].ID != 7 || obs[1].ID != 8 || obs[2].ID != 9 ||
		obs[0].State != store.OutSent || obs[1].State != store.OutHeld || obs[1].LastError != "outside window" {
		t.Fatalf("o1's items after the migration = %+v, %v", obs, err)
	}
	rs, err := s.ListReferrals(ctx, store.ReferralFilter{CaseID: "JF1"})
	if err != nil || len(rs) != 2 || rs[1].Delivery != "d1" || rs[1].State != store.RefPending || rs[1].ID <= 9 ||
		rs[0].State != store.RefFailed || string(rs[0].Payload) != "{}" {
		t.Fatalf("referrals after the migration = %+v, %v", rs, err)
	}
	if got, _ := s.ClaimOutbound(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claimed %+v behind a held item", got)
	}
	if err := s.Commit(ctx, store.Change{ReleaseHeld: "o1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimOutbound(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 1 || got[0].ID != 8 {
		t.Errorf("after the release claimed %+v, want item 8", got)
	}
	if got, _ := s.ClaimReferrals(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 1 || got[0].Delivery != "d1" {
		t.Errorf("claimed referrals %+v, want d1", got)
	}
	if err := s.RetryReferral(ctx, rs[0].ID, at.Add(time.Hour)); err != nil {
		t.Errorf("RetryReferral(migrated failed one) = %v", err)
	}
	err = s.Commit(ctx, store.Change{Referrals: []store.Referral{{Delivery: "d2", CaseID: "JF1", CreatedAt: at}}})
	if err == nil {
		t.Errorf("a migrated delivery id was taken again")
	}
	// A second open finds nothing to move.
	if err := s.migrateQueue(ctx); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Items(ctx, store.QueueFilter{}); len(all) != 5 {
		t.Errorf("after a second migration %d items, want 5", len(all))
	}
}
