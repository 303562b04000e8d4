package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func testDialog(t *testing.T, e *env) {
	d, err := e.dialog("nobody")
	if err != nil || d.Version != 0 || d.Step != "" || d.Draft.Story != "" {
		t.Fatalf("Dialog(unknown) = %+v, %v; want a zero Dialog, Version 0", d, err)
	}

	first := store.Dialog{OpenID: "o1", Step: "story", UpdatedAt: at(0)}
	e.commit(store.Change{Dialog: &first})
	got, err := e.dialog("o1")
	if err != nil {
		t.Fatalf("Dialog: %v", err)
	}
	first.Version = 1
	checkDialog(t, "new dialog", got, first)

	second := store.Dialog{OpenID: "o1", Version: 1, Step: "phone", UpdatedAt: at(time.Minute), Draft: store.Draft{
		Story: "邻居装修噪音", Type: dispute.Neighbor, Confidence: 0.5, Region: "集安市", Media: []string{"v1"}}}
	e.commit(store.Change{Dialog: &second})
	got, err = e.dialog("o1")
	if err != nil {
		t.Fatalf("Dialog: %v", err)
	}
	second.Version = 2
	checkDialog(t, "saved dialog", got, second)

	for _, v := range []int64{0, 1, 3} {
		stale := store.Dialog{OpenID: "o1", Version: v, Step: "stale"}
		if err := e.s.Commit(e.ctx, store.Change{Dialog: &stale}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Commit with Version %d (stored 2) = %v, want ErrConflict", v, err)
		}
	}
	got, _ = e.dialog("o1")
	checkDialog(t, "dialog after conflicts", got, second)

	// Dialogs are per citizen.
	other := store.Dialog{OpenID: "o2", Step: "story", UpdatedAt: at(0)}
	e.commit(store.Change{Dialog: &other})
	if got, err := e.dialog("o2"); err != nil || got.Version != 1 {
		t.Errorf("Dialog(o2) = %+v, %v; want Version 1", got, err)
	}
}

func testDialogConflict(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}, Dialog: &store.Dialog{OpenID: "o1", Step: "a"}})
	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	if err := e.s.Commit(e.ctx, fullChange("k", "o1", 0, nc, c.ID)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Commit with a stale dialog = %v, want ErrConflict", err)
	}
	e.unchanged("a Commit with a stale dialog", before, ids, cases, keys)
	// The key was not taken: the retried delivery, re-read, goes through.
	e.commit(fullChange("k", "o1", 1, nc, c.ID))
}

// Two instances handling the same citizen at once: one save wins.
func testDialogConcurrent(t *testing.T, e *env) {
	e.commit(store.Change{Dialog: &store.Dialog{OpenID: "o1", Step: "a"}})
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = e.s.Commit(e.ctx, store.Change{Dialog: &store.Dialog{OpenID: "o1", Version: 1, Step: "b"}})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("commit %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent saves of Version 1 succeeded, want exactly 1", ok)
	}
	if d, err := e.dialog("o1"); err != nil || d.Version != 2 {
		t.Errorf("Dialog = %+v, %v; want Version 2", d, err)
	}
}

// Conversation gives the citizen and the dialog together; someone never
// seen is a citizen with no consent and no window, not an error.
func testConversation(t *testing.T, e *env) {
	c, d, err := e.s.Conversation(e.ctx, "stranger")
	if err != nil || c.OpenID != "stranger" || !c.ConsentAt.IsZero() || c.Remaining(time.Now()) != 0 || d.Version != 0 {
		t.Fatalf("stranger: %+v %+v %v", c, d, err)
	}
	now := time.Now().Truncate(time.Millisecond)
	cit := dispute.Citizen{OpenID: "o9", ConsentAt: now}
	cit.OpenWindow(now, dispute.MessageWindow, dispute.MessageQuota)
	e.commit(store.Change{Citizen: &cit, Dialog: &store.Dialog{OpenID: "o9", Step: "phone", Draft: store.Draft{Story: "故事"}}})
	c, d, err = e.s.Conversation(e.ctx, "o9")
	if err != nil || !c.ConsentAt.Equal(now) || c.Remaining(now) != dispute.MessageQuota ||
		d.Version != 1 || d.Step != "phone" || d.Draft.Story != "故事" || d.OpenID != "o9" {
		t.Fatalf("o9: %+v %+v %v", c, d, err)
	}
	// A turn that changes the citizen but not the dialog (an addition to
	// an open case): the next read has the new window and the same dialog.
	later := now.Add(time.Hour)
	cit.Sent = 2
	cit.OpenWindow(later, dispute.MessageWindow, dispute.MessageQuota)
	e.commit(store.Change{Citizen: &cit})
	c, d, err = e.s.Conversation(e.ctx, "o9")
	if err != nil || !c.LastInboundAt.Equal(later) || c.Remaining(later) != dispute.MessageQuota ||
		d.Version != 1 || d.Step != "phone" || d.Draft.Story != "故事" {
		t.Fatalf("o9 after a citizen-only change: %+v %+v %v", c, d, err)
	}
	// A citizen without a dialog, and a dialog whose citizen was never stored.
	e.commit(store.Change{Citizen: &dispute.Citizen{OpenID: "o10"}})
	if _, d, err := e.s.Conversation(e.ctx, "o10"); err != nil || d.Version != 0 {
		t.Fatalf("o10: %+v %v", d, err)
	}
	e.commit(store.Change{Dialog: &store.Dialog{OpenID: "o11", Step: "region"}})
	if c, d, err := e.s.Conversation(e.ctx, "o11"); err != nil || c.OpenID != "o11" || d.Step != "region" {
		t.Fatalf("o11: %+v %+v %v", c, d, err)
	}
}

// A dialog untouched for StaleDialog is gone after Purge (Redis may drop it
// sooner, by its own expiry); a newer one, or one without a time, stays. A
// turn still holding the old version finds it gone, and starts afresh. The
// times are the suite's fake ones: a store may not hold them against the
// real date.
func testStaleDialog(t *testing.T, e *env) {
	now := at(0).Truncate(time.Millisecond)
	for id, at := range map[string]time.Time{
		"oStale":  now.Add(-store.StaleDialog - time.Hour),
		"oFresh":  now.Add(-store.StaleDialog + time.Hour),
		"oNoTime": {},
	} {
		e.commit(store.Change{Dialog: &store.Dialog{OpenID: id, Step: "phone", Draft: store.Draft{Story: "故事", Phone: "13912345678"}, UpdatedAt: at}})
	}
	if err := e.s.Purge(e.ctx, now); err != nil {
		t.Fatal(err)
	}
	for id, version := range map[string]int64{"oStale": 0, "oFresh": 1, "oNoTime": 1} {
		if _, d, err := e.s.Conversation(e.ctx, id); err != nil || d.Version != version || (version == 0 && d.Draft.Story != "") {
			t.Errorf("%s after Purge: %+v %v; want version %d", id, d, err, version)
		}
	}
	err := e.s.Commit(e.ctx, store.Change{Dialog: &store.Dialog{OpenID: "oStale", Version: 1, Step: "region", UpdatedAt: now}})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("saving over a purged dialog: %v, want ErrConflict", err)
	}
	e.commit(store.Change{Dialog: &store.Dialog{OpenID: "oStale", Step: "region", UpdatedAt: now}})
	if _, d, _ := e.s.Conversation(e.ctx, "oStale"); d.Version != 1 || d.Step != "region" {
		t.Errorf("a new dialog after the purge: %+v", d)
	}
}
