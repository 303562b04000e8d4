package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func testPing(t *testing.T, e *env) {
	if err := e.s.Ping(e.ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// held queues an item for openID and leaves it held, as the outbound
// worker does outside the window.
func (e *env) held(openID, text string, now time.Time) store.Outbound {
	e.t.Helper()
	e.commit(store.Change{Outbound: []store.Outbound{{OpenID: openID, Kind: store.OutText, Text: text}}})
	got, err := e.s.ClaimOutbound(e.ctx, now, time.Minute, 100)
	if err != nil {
		e.t.Fatalf("ClaimOutbound: %v", err)
	}
	for _, o := range got {
		if o.Text == text {
			if err := e.s.FinishOutbound(e.ctx, o.ID, store.OutboundResult{State: store.OutHeld, Err: "window closed"}); err != nil {
				e.t.Fatalf("FinishOutbound: %v", err)
			}
			o.State, o.LastError = store.OutHeld, "window closed"
			return o
		}
	}
	e.t.Fatalf("queued item %q was not claimed: %+v", text, got)
	return store.Outbound{}
}

func testCommitAll(t *testing.T, e *env) {
	old := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "劳动仲裁院", at(-time.Hour))
	e.commit(store.Change{NewCases: []dispute.Case{old}})
	h1 := e.held("o1", "held for o1", at(0))
	h2 := e.held("o2", "held for o2", at(0))

	cit := dispute.Citizen{OpenID: "o1", ConsentAt: at(time.Second), LastInboundAt: at(2 * time.Second),
		WindowUntil: at(48 * time.Hour), Quota: 5, Sent: 1}
	draft := store.Draft{Story: "老板拖欠工资三个月", Type: dispute.Labor, Confidence: 0.87, Urgent: true,
		Region: "东昌区", Phone: "13900000000", PhoneAsked: true, Media: []string{"m1", "m2"}}
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "劳动仲裁院", at(3*time.Second))
	evs := []dispute.Event{
		{ID: -1, CaseID: nc.ID, At: at(3 * time.Second), Kind: dispute.MessageIn, Actor: "citizen", Text: "老板拖欠工资", MediaID: "m1"},
		{CaseID: old.ID, At: at(4 * time.Second), Kind: dispute.StatusSet, Actor: "user:王", Status: dispute.Referred},
		{CaseID: nc.ID, At: at(5 * time.Second), Kind: dispute.MessageOut, Actor: "bot", Text: "已登记"},
	}
	out := store.Outbound{OpenID: "o1", CaseID: nc.ID, Kind: store.OutText, Text: "您的案件已登记",
		NotBefore: at(6 * time.Second), CreatedAt: at(5 * time.Second)}
	e.commit(store.Change{
		At: t0, Dedup: "msg-1", DedupTTL: time.Hour, Reply: "收到",
		Citizen:     &cit,
		Dialog:      &store.Dialog{OpenID: "o1", Step: "region", Draft: draft, UpdatedAt: at(3 * time.Second)},
		NewCases:    []dispute.Case{nc},
		Statuses:    []store.StatusChange{{CaseID: old.ID, To: dispute.Referred, At: at(4 * time.Second)}},
		Events:      evs,
		Outbound:    []store.Outbound{out},
		ReleaseHeld: "o1",
	})

	if r, err := e.s.DedupReply(e.ctx, "msg-1", t0); err != nil || r != "收到" {
		t.Errorf("DedupReply = %q, %v; want the stored reply", r, err)
	}
	gotCit, err := e.s.Citizen(e.ctx, "o1")
	if err != nil {
		t.Fatalf("Citizen: %v", err)
	}
	checkCitizen(t, "citizen", gotCit, cit)
	d, err := e.dialog("o1")
	if err != nil {
		t.Fatalf("Dialog: %v", err)
	}
	checkDialog(t, "dialog", d, store.Dialog{OpenID: "o1", Version: 1, Step: "region", Draft: draft, UpdatedAt: at(3 * time.Second)})
	gotNew, err := e.s.Case(e.ctx, nc.ID)
	if err != nil {
		t.Fatalf("Case(new): %v", err)
	}
	checkCase(t, "new case", gotNew, nc)
	gotOld, err := e.s.Case(e.ctx, old.ID)
	if err != nil {
		t.Fatalf("Case(old): %v", err)
	}
	wantOld := old
	wantOld.Status, wantOld.UpdatedAt = dispute.Referred, at(4*time.Second)
	checkCase(t, "changed case", gotOld, wantOld)

	newEv, err := e.s.Events(e.ctx, nc.ID)
	if err != nil || len(newEv) != 2 {
		t.Fatalf("Events(new) = %+v, %v; want 2 events", newEv, err)
	}
	oldEv, err := e.s.Events(e.ctx, old.ID)
	if err != nil || len(oldEv) != 1 {
		t.Fatalf("Events(old) = %+v, %v; want 1 event", oldEv, err)
	}
	checkEvent(t, "event 0", newEv[0], evs[0])
	checkEvent(t, "event 1", oldEv[0], evs[1])
	checkEvent(t, "event 2", newEv[1], evs[2])
	if !(0 < newEv[0].ID && newEv[0].ID < oldEv[0].ID && oldEv[0].ID < newEv[1].ID) {
		t.Errorf("event ids %d, %d, %d: want store-assigned ids, increasing in the order given",
			newEv[0].ID, oldEv[0].ID, newEv[1].ID)
	}

	o1, err := e.s.Outbounds(e.ctx, "o1")
	if err != nil || len(o1) != 2 {
		t.Fatalf("Outbounds(o1) = %+v, %v; want the released item and the new one", o1, err)
	}
	h1.State = store.OutPending
	checkOutbound(t, "released item", o1[0], h1)
	out.State = store.OutPending
	checkOutbound(t, "queued item", o1[1], out)
	o2, err := e.s.Outbounds(e.ctx, "o2")
	if err != nil || len(o2) != 1 {
		t.Fatalf("Outbounds(o2) = %+v, %v", o2, err)
	}
	checkOutbound(t, "other citizen's held item", o2[0], h2)
}

func testCommitWithoutDedup(t *testing.T, e *env) {
	for i := range 2 {
		e.commit(store.Change{Outbound: []store.Outbound{{OpenID: "o1", Kind: store.OutText, Text: fmt.Sprint(i)}}})
	}
	got, err := e.s.Outbounds(e.ctx, "o1")
	if err != nil || len(got) != 2 {
		t.Fatalf("Outbounds = %+v, %v; want both changes stored", got, err)
	}
}

// fullChange touches every part of the store, for tests that check a
// refused Change left no trace.
func fullChange(key, openID string, version int64, nc dispute.Case, existing string) store.Change {
	return store.Change{
		At: t0, Dedup: key, DedupTTL: time.Hour, Reply: "reply " + key,
		Citizen:     &dispute.Citizen{OpenID: openID, WindowUntil: at(time.Hour), Quota: 5, Sent: 4, LastInboundAt: at(0)},
		Dialog:      &store.Dialog{OpenID: openID, Version: version, Step: "step " + key, UpdatedAt: at(time.Minute)},
		NewCases:    []dispute.Case{nc},
		Statuses:    []store.StatusChange{{CaseID: existing, To: dispute.Withdrawn, At: at(time.Minute)}},
		Events:      []dispute.Event{{CaseID: existing, At: at(time.Minute), Kind: dispute.Note, Actor: "system", Text: key}},
		Outbound:    []store.Outbound{{OpenID: openID, Kind: store.OutText, Text: "out " + key}},
		ReleaseHeld: openID,
	}
}

func testCancelled(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	ids, cases, keys := []string{"o1"}, []string{c.ID, "JF20261127-0002"}, []string{"k"}
	before := e.snapshot(ids, cases, keys)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	if err := e.s.Commit(ctx, fullChange("k", "o1", 0, nc, c.ID)); err == nil {
		t.Error("Commit with a cancelled context succeeded")
	}
	e.unchanged("a Commit with a cancelled context", before, ids, cases, keys)
	if _, err := e.s.Cases(ctx, store.CaseFilter{}); err == nil {
		t.Error("Cases with a cancelled context succeeded")
	}
}

// A Change is refused as a whole when one of its parts cannot apply.
func testCommitFailure(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	ch := fullChange("k", "o1", 0, nc, c.ID)
	ch.Statuses = append(ch.Statuses, store.StatusChange{CaseID: "JF-unknown", To: dispute.Referred, At: at(0)})
	if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Commit moving an unknown case = %v, want ErrNotFound", err)
	}
	e.unchanged("a Commit moving an unknown case", before, ids, cases, keys)

	ch = fullChange("k", "o1", 0, nc, c.ID)
	ch.Events = append(ch.Events, dispute.Event{CaseID: "JF-unknown", At: at(0), Kind: dispute.Note, Actor: "system"})
	if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Commit with an event of an unknown case = %v, want ErrNotFound", err)
	}
	e.unchanged("a Commit with an event of an unknown case", before, ids, cases, keys)

	ch = fullChange("k", "o1", 0, nc, c.ID)
	ch.NewCases = append(ch.NewCases, c)
	if err := e.s.Commit(e.ctx, ch); err == nil {
		t.Error("Commit creating an existing case succeeded")
	}
	e.unchanged("a Commit creating an existing case", before, ids, cases, keys)

	// The key was never taken: the delivery can still be processed.
	e.commit(fullChange("k", "o1", 0, nc, c.ID))
}
