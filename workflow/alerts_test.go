package workflow

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/referral"
	"jiefen/risk"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

// Several instances (Cases values sharing one store) file cases of one
// cluster at the same moment: exactly one alert, holding every case, on
// both stores.
func TestAlertOnePerClusterConcurrently(t *testing.T) {
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		s := open()
		table := routing.Builtin()
		now := testdate.At("w0 Tue 09:00")
		const n = 12
		var wg sync.WaitGroup
		for i := range n {
			w := &Cases{Store: s, Table: table, Hooks: &referral.Hooks{Store: s, Table: table}, Now: func() time.Time { return now }}
			wg.Go(func() {
				k := dispute.Case{ID: fmt.Sprintf("JF-conc-%02d", i), Status: dispute.Referred, Type: dispute.Labor, Region: "柳河县",
					Story: "鑫达建筑拖欠工资", OpenID: fmt.Sprint("o-conc-", i), CreatedAt: now, UpdatedAt: now}
				ch := store.Change{NewCases: []dispute.Case{k}}
				if err := s.Commit(context.Background(), ch); err != nil {
					t.Error(err)
					return
				}
				if err := w.Watch(context.Background(), ch); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		as, err := s.Alerts(context.Background(), store.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 || len(as[0].Cases) != n || as[0].Citizens != n || as[0].Level != risk.Orange {
			t.Fatalf("alerts %+v, want one orange alert of %d cases", as, n)
		}
	})
}

// A case reopened twice (ended, then back to work) raises a reopened alert.
func TestAlertReopenedTwice(t *testing.T) {
	f := newFixture(t)
	k := f.file("JF-reopen-1", "lh-labor", false)
	lead := f.actor("lead", store.RoleSupervisor, "lh-labor")
	for _, to := range []dispute.Status{dispute.Accepted, dispute.Mediating, dispute.Resolved, dispute.Mediating, dispute.Resolved} {
		if err := f.w.Move(f.ctx, lead, k.ID, to, "说明"); err != nil {
			t.Fatalf("move to %s: %v", to, err)
		}
	}
	if as, _ := f.s.Alerts(f.ctx, store.AlertFilter{}); len(as) != 0 {
		t.Fatalf("reopened once: %+v", as)
	}
	if err := f.w.Move(f.ctx, lead, k.ID, dispute.Mediating, "市民说还没解决"); err != nil {
		t.Fatal(err)
	}
	as, _ := f.s.Alerts(f.ctx, store.AlertFilter{})
	if len(as) != 1 || as[0].Kind != risk.KindReopened || as[0].Cases[0] != k.ID {
		t.Fatalf("reopened twice: %+v", as)
	}
}

// Escalation said days later on an older case raises its cluster to red;
// the subject may also come only in a later message.
func TestAlertLaterWords(t *testing.T) {
	f := newFixture(t)
	var ks []dispute.Case
	for i, story := range []string{"锦江花园物业乱收费", "锦江花园小区电梯坏了物业不修", "物业太差了，垃圾没人收"} {
		var ch store.Change
		k, _, err := f.w.File(f.ctx, &ch, Filing{OpenID: fmt.Sprint("o-later-", i), Story: story, Type: dispute.Property,
			Confidence: 0.9, Region: "东昌区"}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.Commit(f.ctx, ch); err != nil {
			t.Fatal(err)
		}
		f.w.WatchLogged(f.ctx, ch)
		ks = append(ks, k)
	}
	if as, _ := f.s.Alerts(f.ctx, store.AlertFilter{}); len(as) != 0 {
		t.Fatalf("two citizens named the estate, yet %+v", as)
	}
	f.now = f.now.Add(48 * time.Hour)
	say := func(k dispute.Case, text string) {
		var ch store.Change
		f.w.CitizenWrote(&ch, k, Said{Text: text}, f.now)
		if err := f.s.Commit(f.ctx, ch); err != nil {
			t.Fatal(err)
		}
		f.w.WatchLogged(f.ctx, ch)
	}
	say(ks[2], "补充：我们是锦江花园的")
	as, _ := f.s.Alerts(f.ctx, store.AlertFilter{})
	if len(as) != 1 || as[0].Level != risk.Yellow || len(as[0].Cases) != 3 {
		t.Fatalf("after the subject came: %+v", as)
	}
	say(ks[0], "再不管我们全楼就去堵路")
	as, _ = f.s.Alerts(f.ctx, store.AlertFilter{})
	if len(as) != 1 || as[0].Level != risk.Red {
		t.Fatalf("after the threat: %+v", as)
	}
}
