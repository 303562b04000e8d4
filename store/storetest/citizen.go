package storetest

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func testCitizen(t *testing.T, e *env) {
	if _, err := e.s.Citizen(e.ctx, "o1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Citizen(unknown) = %v, want ErrNotFound", err)
	}
	// No consent yet: the zero time must come back as the zero time.
	c := dispute.Citizen{OpenID: "o1", LastInboundAt: at(0), WindowUntil: at(time.Minute), Quota: 3}
	e.commit(store.Change{Citizen: &c})
	got, err := e.s.Citizen(e.ctx, "o1")
	if err != nil {
		t.Fatalf("Citizen: %v", err)
	}
	checkCitizen(t, "new citizen", got, c)
	if !got.ConsentAt.IsZero() {
		t.Errorf("ConsentAt = %v, want the zero time", got.ConsentAt)
	}

	c = dispute.Citizen{OpenID: "o1", ConsentAt: at(time.Second), ConsentVersion: "pi-2026-12", LastInboundAt: at(2 * time.Second),
		WindowUntil: at(48 * time.Hour), Quota: 5, Sent: 2}
	e.commit(store.Change{Citizen: &c})
	got, err = e.s.Citizen(e.ctx, "o1")
	if err != nil {
		t.Fatalf("Citizen: %v", err)
	}
	checkCitizen(t, "updated citizen", got, c)
}

func (e *env) window(openID string, until time.Time, quota, sent int) {
	e.t.Helper()
	e.commit(store.Change{Citizen: &dispute.Citizen{OpenID: openID, LastInboundAt: at(0), WindowUntil: until, Quota: quota, Sent: sent}})
}

func (e *env) reserve(openID string, now time.Time, want bool) {
	e.t.Helper()
	if ok, err := e.s.ReserveSend(e.ctx, openID, now); err != nil || ok != want {
		e.t.Errorf("ReserveSend(%s, %v) = %v, %v; want %v", openID, now, ok, err, want)
	}
}

func (e *env) sent(openID string, want int) {
	e.t.Helper()
	if c, err := e.s.Citizen(e.ctx, openID); err != nil || c.Sent != want {
		e.t.Errorf("Citizen(%s).Sent = %d, %v; want %d", openID, c.Sent, err, want)
	}
}

func testReserveSend(t *testing.T, e *env) {
	until := at(dispute.MessageWindow)
	e.window("o1", until, dispute.MessageQuota, 3)
	e.reserve("o1", at(0), true)
	e.reserve("o1", at(time.Hour), true)
	e.reserve("o1", at(time.Hour), false) // quota used up
	e.sent("o1", 5)

	e.window("o2", until, dispute.MessageQuota, 0)
	e.reserve("o2", until, false) // the window ends at WindowUntil
	e.reserve("o2", until.Add(time.Hour), false)
	e.reserve("o2", until.Add(-time.Millisecond), true)
	e.sent("o2", 1)

	// A citizen never seen has no window.
	e.reserve("nobody", at(0), false)
}

func testReserveSendConcurrent(t *testing.T, e *env) {
	e.window("o1", at(dispute.MessageWindow), dispute.MessageQuota, 0)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			r, err := e.s.ReserveSend(e.ctx, "o1", at(time.Minute))
			if err != nil {
				t.Errorf("ReserveSend: %v", err)
			}
			if r {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != dispute.MessageQuota {
		t.Errorf("%d of 20 concurrent reservations succeeded, want exactly %d", ok.Load(), dispute.MessageQuota)
	}
	e.sent("o1", dispute.MessageQuota)
}

func testCloseWindow(t *testing.T, e *env) {
	e.window("o1", at(dispute.MessageWindow), dispute.MessageQuota, 1)
	e.reserve("o1", at(0), true)
	if err := e.s.CloseWindow(e.ctx, "o1", at(time.Minute)); err != nil {
		t.Fatalf("CloseWindow: %v", err)
	}
	e.reserve("o1", at(2*time.Minute), false)
	c, err := e.s.Citizen(e.ctx, "o1")
	if err != nil {
		t.Fatalf("Citizen: %v", err)
	}
	if n := c.Remaining(at(2 * time.Minute)); n != 0 {
		t.Errorf("after CloseWindow, Remaining = %d (%+v), want 0", n, c)
	}
	if c.WindowUntil.After(at(time.Minute)) {
		t.Errorf("after CloseWindow at %v, WindowUntil = %v", at(time.Minute), c.WindowUntil)
	}
	// The citizen's next message opens a new window.
	c.OpenWindow(at(time.Hour), dispute.MessageWindow, dispute.MessageQuota)
	e.commit(store.Change{Citizen: &c})
	e.reserve("o1", at(time.Hour), true)

	if err := e.s.CloseWindow(e.ctx, "nobody", at(0)); err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CloseWindow(unknown) = %v", err)
	}
}

func testMedia(t *testing.T, e *env) {
	if _, err := e.s.Media(e.ctx, "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Media(unknown) = %v, want ErrNotFound", err)
	}
	data := make([]byte, 0, 1024)
	for i := range 1024 {
		data = append(data, byte(i*7)) // every byte value, NULs and invalid UTF-8 included
	}
	m := store.Media{MediaID: "m1", OpenID: "o1", CaseID: "JF20261127-0001", ContentType: "image/jpeg", Data: data, At: at(0)}
	if err := e.s.PutMedia(e.ctx, m); err != nil {
		t.Fatalf("PutMedia: %v", err)
	}
	if err := e.s.PutMedia(e.ctx, store.Media{MediaID: "m2", OpenID: "o1", ContentType: "audio/amr", Data: []byte{0, 1}, At: at(time.Second)}); err != nil {
		t.Fatalf("PutMedia: %v", err)
	}
	checkMedia(t, e, m)

	// Fetching the same media again (a retried download) replaces it.
	m.Data, m.ContentType = []byte("\x00second"), "image/png"
	if err := e.s.PutMedia(e.ctx, m); err != nil {
		t.Fatalf("PutMedia again: %v", err)
	}
	checkMedia(t, e, m)
}

func checkMedia(t *testing.T, e *env, want store.Media) {
	t.Helper()
	got, err := e.s.Media(e.ctx, want.MediaID)
	if err != nil {
		t.Fatalf("Media(%s): %v", want.MediaID, err)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("Media(%s).Data: %d bytes, differs from the %d stored", want.MediaID, len(got.Data), len(want.Data))
	}
	if !sameTime(got.At, want.At) {
		t.Errorf("Media(%s).At = %v, want %v", want.MediaID, got.At, want.At)
	}
	got.Data, want.Data, got.At, want.At = nil, nil, time.Time{}, time.Time{}
	if got.MediaID != want.MediaID || got.OpenID != want.OpenID || got.CaseID != want.CaseID || got.ContentType != want.ContentType {
		t.Errorf("Media:\n got %+v\nwant %+v", got, want)
	}
}
