package storetest

import (
	"errors"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Everything a Commit or another write stored is there after Close and a
// new open, including what only shows in later behaviour: a taken dedup
// key, a case counter, a lease, a used quota.
func testPersistence(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{
		At: t0, Dedup: "k", DedupTTL: time.Hour, Reply: "收到",
		Citizen: &dispute.Citizen{OpenID: "o1", ConsentAt: at(0), LastInboundAt: at(0),
			WindowUntil: at(dispute.MessageWindow), Quota: dispute.MessageQuota},
		Dialog:   &store.Dialog{OpenID: "o1", Step: "phone", UpdatedAt: at(0), Draft: store.Draft{Story: "故事", Media: []string{"m"}}},
		NewCases: []dispute.Case{c},
		Events:   []dispute.Event{{CaseID: c.ID, At: at(0), Kind: dispute.MessageIn, Actor: "citizen", Text: "你好"}},
	})
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: c.ID, To: dispute.Referred, At: at(time.Minute)}}})
	e.held("o2", "held", at(0))
	e.enqueue(store.Outbound{OpenID: "o3", Text: "sent"}, store.Outbound{OpenID: "o4", Text: "leased"},
		store.Outbound{OpenID: "o5", Text: "later", NotBefore: at(time.Hour)})
	got := e.expectClaim(at(time.Second), "sent", "leased")
	if len(got) == 2 {
		e.finish(got[0], store.OutboundResult{State: store.OutSent, Via: "template"})
	}
	for range 2 {
		if _, err := e.s.NextCaseSeq(e.ctx, "20261127"); err != nil {
			t.Fatalf("NextCaseSeq: %v", err)
		}
	}
	e.reserve("o1", at(time.Second), true)
	m := store.Media{MediaID: "m", OpenID: "o1", CaseID: c.ID, ContentType: "image/jpeg", Data: []byte{0xff, 0xd8, 0, 1}, At: at(0)}
	if err := e.s.PutMedia(e.ctx, m); err != nil {
		t.Fatalf("PutMedia: %v", err)
	}

	ids, cases, keys := []string{"o1", "o2", "o3", "o4", "o5"}, []string{c.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)
	e.reopen()
	e.unchanged("Close and open", before, ids, cases, keys)

	if err := e.s.Ping(e.ctx); err != nil {
		t.Errorf("Ping after reopen: %v", err)
	}
	checkMedia(t, e, m)
	if err := e.s.Commit(e.ctx, store.Change{At: t0, Dedup: "k", DedupTTL: time.Hour}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Commit with a key taken before reopen = %v, want ErrDuplicate", err)
	}
	if n, err := e.s.NextCaseSeq(e.ctx, "20261127"); err != nil || n != 3 {
		t.Errorf("NextCaseSeq after reopen = %d, %v; want 3", n, err)
	}
	if err := e.s.Commit(e.ctx, store.Change{Dialog: &store.Dialog{OpenID: "o1"}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Commit with a dialog Version 0 after reopen = %v, want ErrConflict", err)
	}
	e.sent("o1", 1)
	e.expectClaim(at(2 * time.Second))              // "leased" is still leased, "later" not due
	e.expectClaim(at(time.Hour), "leased", "later") // and the lease still ran out on time
}
