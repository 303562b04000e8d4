package sqlite

import (
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// A database with the outbound queue and the webhook outbox of before the
// one queue keeps every row through the migration: pending, held, sent
// and failed alike, outbound ids unchanged, and the open ones go out as
// they would have.
func TestMigrateQueue(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaQueue")
	at := testdate.At("w-1 Fri 09:00").UTC()
	ms := at.UnixMilli()
	for _, q := range []string{
		`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at)
			VALUES ('JF1', 'referred', 'labor', 0, '东昌区', 'bodyA', 'r', '', '', 'o1', '', ?1, ?1)`,
		`INSERT INTO outbound (id, openid, case_id, kind, text, media_id, state, attempts, not_before, lease_until, last_error, via, created_at) VALUES
			(7, 'o1', 'JF1', 'text', 'sent one', '', 'sent', 1, ?1, 0, '', 'custom', ?1),
			(8, 'o1', 'JF1', 'text', 'held one', '', 'held', 1, ?1, 0, 'outside window', '', ?1),
			(9, 'o1', '', 'text', 'behind', '', 'pending', 0, ?1, 0, '', '', ?1),
			(10, 'o2', '', 'fetch_media', '', 'm1', 'failed', 3, ?1, 0, 'errcode 40007', '', ?1)`,
		`INSERT INTO referrals (delivery, case_id, body, url, payload, state, attempts, not_before, lease_until, last_error, created_at, delivered_at) VALUES
			('d1', 'JF1', 'bodyA', 'https://a.example/h', x'7b7d', 'delivered', 1, ?1, 0, '', ?1, ?1),
			('d2', 'JF1', 'bodyA', 'https://a.example/h', x'7b7d', 'pending', 2, ?1, 0, 'http 503', ?1, 0),
			('d3', 'JF1', 'bodyA', 'https://a.example/h', x'7b7d', 'failed', 10, ?1, 0, 'http 500', ?1, 0)`,
	} {
		if _, err := s.w.Exec(q, ms); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	obs, err := s.Outbounds(ctx, "o1")
	if err != nil || len(obs) != 3 || obs[0].ID != 7 || obs[1].ID != 8 || obs[2].ID != 9 ||
		obs[0].State != store.OutSent || obs[1].State != store.OutHeld || obs[1].LastError != "outside window" {
		t.Fatalf("o1's items after the migration = %+v, %v", obs, err)
	}
	if f, err := s.Outbounds(ctx, "o2"); err != nil || len(f) != 1 || f[0].State != store.OutFailed || f[0].MediaID != "m1" {
		t.Errorf("o2's item = %+v, %v", f, err)
	}
	rs, err := s.ListReferrals(ctx, store.ReferralFilter{CaseID: "JF1"})
	if err != nil || len(rs) != 3 || rs[2].Delivery != "d1" || rs[2].State != store.RefDelivered || rs[2].DeliveredAt.IsZero() ||
		rs[1].State != store.RefPending || rs[1].Attempts != 2 || rs[0].State != store.RefFailed || string(rs[0].Payload) != "{}" {
		t.Fatalf("referrals after the migration = %+v, %v", rs, err)
	}
	if rs[2].ID <= 10 {
		t.Errorf("referral id %d: want it after the outbound ids", rs[2].ID)
	}

	// The held item still blocks its citizen until released; the pending
	// referral goes; a delivery id stays taken.
	if got, _ := s.ClaimOutbound(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claimed %+v behind a held item", got)
	}
	if err := s.Commit(ctx, store.Change{ReleaseHeld: "o1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimOutbound(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 1 || got[0].ID != 8 {
		t.Errorf("after the release claimed %+v, want item 8", got)
	}
	if got, _ := s.ClaimReferrals(ctx, at.Add(time.Hour), time.Minute, 10); len(got) != 1 || got[0].Delivery != "d2" {
		t.Errorf("claimed referrals %+v, want d2", got)
	}
	err = s.Commit(ctx, store.Change{Referrals: []store.Referral{{Delivery: "d1", CaseID: "JF1", CreatedAt: at}}})
	if err == nil {
		t.Errorf("a migrated delivery id was taken again")
	}
	err = s.Commit(ctx, store.Change{Outbound: []store.Outbound{{OpenID: "o3", Kind: store.OutText, Text: "new", CreatedAt: at}}})
	if o, _ := s.Outbounds(ctx, "o3"); err != nil || len(o) != 1 || o[0].ID <= rs[0].ID {
		t.Errorf("a new item = %+v, %v; want an id after every migrated one", o, err)
	}
}
