package referral

import (
	"strings"
	"testing"

	"jiefen/store"
)

// An administrator's setting wins over the table's, for referrals already
// pending too: they go to the new address, signed with the new secret; a
// body without a webhook in the table gets one; a removal stops sending,
// visibly.
func TestConsoleSettingWins(t *testing.T) {
	e := newEnv(t)
	e.ag.up()
	pending := e.refer("agency") // queued while the table's webhook applied
	const newSecret = "moved-agency-secret-77"
	moved := newAgency(t, newSecret)
	moved.up()
	put := func(w store.BodyWebhook) {
		t.Helper()
		w.UpdatedBy, w.UpdatedAt = "admin", e.clock.Now()
		if err := e.st.PutBodyWebhook(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	put(store.BodyWebhook{Body: "agency", URL: moved.url(), Secret: newSecret})
	e.runOnce()
	if r := e.get(pending.Delivery); r.State != store.RefDelivered || r.URL != e.ag.url() {
		t.Errorf("the pending referral: %s, recorded URL %q", r.State, r.URL)
	}
	if got := moved.stats(); len(got.accepted) != 1 || got.bad != 0 {
		t.Errorf("the agency's new address took %d, refused %d; want 1, 0", len(got.accepted), got.bad)
	}
	if got := e.ag.stats(); len(got.requests) != 0 || got.bad != 0 {
		t.Errorf("the old address was still used: %+v", got)
	}

	// A body the table gives no webhook.
	put(store.BodyWebhook{Body: "plain", URL: moved.url(), Secret: newSecret})
	if r := e.refer("plain"); r.URL != moved.url() {
		t.Errorf("queued to %q, want the console's address", r.URL)
	}
	e.runOnce()
	if got := moved.stats(); len(got.accepted) != 2 {
		t.Errorf("the body without a table webhook: the agency took %d, want 2", len(got.accepted))
	}

	// Removed: what is pending fails at once, nothing is sent; the hook
	// says so rather than falling back to the table's.
	late := e.refer("agency")
	put(store.BodyWebhook{Body: "agency"})
	e.runOnce()
	if r := e.get(late.Delivery); r.State != store.RefFailed || r.LastError != ErrNoWebhook {
		t.Errorf("after removal: %s, %q", r.State, r.LastError)
	}
	if h := e.hook("agency"); h.URL != "" || h.Source != FromConsole || !h.Removed {
		t.Errorf("a removed webhook reads as %v (url set: %v)", h, h.URL != "")
	}
	if got := moved.stats(); len(got.requests) != 2 {
		t.Errorf("sent after removal: %d requests", len(got.requests))
	}
	if strings.Contains(e.log.String(), newSecret) || strings.Contains(e.log.String(), moved.addr) {
		t.Errorf("the log holds the console's secret or address:\n%s", e.log.String())
	}
	e.noPersonalData()
}

// All lists every body of the table, in its order, each with where its
// webhook comes from.
func TestHooksAll(t *testing.T) {
	e := newEnv(t)
	if err := e.st.PutBodyWebhook(t.Context(), store.BodyWebhook{Body: "plain", URL: "https://x.example/", Secret: "s",
		UpdatedBy: "admin", UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	hs, err := e.s.Hooks.All(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		body, source string
		secret       bool
	}
	var got []row
	for _, h := range hs {
		got = append(got, row{h.Body, h.Source, h.Secret != ""})
	}
	want := []row{{"agency", FromTable, true}, {"nosecret", FromTable, false}, {"plain", FromConsole, true}}
	if len(got) != len(want) {
		t.Fatalf("All = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("All[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if !hs[2].UpdatedAt.Equal(t0) || hs[2].UpdatedBy != "admin" || hs[0].UpdatedBy != "" {
		t.Errorf("who and when: %v %v", hs[2], hs[0])
	}
}
