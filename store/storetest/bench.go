package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// BenchCommit commits what one ordinary citizen message produces: a
// dedup key, the citizen's window, the dialog and one event on the case.
// Each parallel goroutine plays its own citizen, so dialog versions follow
// on as they would in production. Each backend's BenchmarkCommit runs it.
func BenchCommit(b *testing.B, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	var citizens atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := citizens.Add(1)
		id, caseID := fmt.Sprint("o", g), fmt.Sprint("JF20261127-", g)
		c := dispute.Case{ID: caseID, Status: dispute.Received, OpenID: id, CreatedAt: now}
		if err := s.Commit(ctx, store.Change{NewCases: []dispute.Case{c}}); err != nil {
			b.Error(err)
			return
		}
		var version int64
		for pb.Next() {
			cit := dispute.Citizen{OpenID: id, ConsentAt: now, LastInboundAt: now,
				WindowUntil: now.Add(dispute.MessageWindow), Quota: dispute.MessageQuota}
			err := s.Commit(ctx, store.Change{
				At: now, Dedup: fmt.Sprint(id, "-", version), DedupTTL: 5 * time.Minute, Reply: "success",
				Citizen: &cit,
				Dialog: &store.Dialog{OpenID: id, Version: version, Step: "region",
					Draft: store.Draft{Story: "老板拖欠工资三个月", Type: dispute.Labor, Confidence: 0.9}, UpdatedAt: now},
				Events: []dispute.Event{{CaseID: caseID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: "老板拖欠工资三个月"}},
			})
			if err != nil {
				b.Error(err)
				return
			}
			version++
		}
	})
}
