package referral

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// A fixed vector, computed outside Go:
// printf '%s' '1764205200.{"delivery":"abc"}' | openssl dgst -sha256 -hmac agency-secret
func TestSign(t *testing.T) {
	got := Sign("agency-secret", "1764205200", []byte(`{"delivery":"abc"}`))
	want := "sha256=c3ee8f87b7c36176421f93eba20d149352c2d4bf74c637cac009592231ce9ec8"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if Sign("agency-secret", "1764205201", []byte(`{"delivery":"abc"}`)) == want {
		t.Error("the timestamp is not signed")
	}
}

// The payload carries the case, the story, the phone in clear for the
// body that has the case (masked for any other), the citizen's messages
// only, and the console link; each Build has its own delivery id.
func TestBuild(t *testing.T) {
	e := newEnv(t)
	r := e.refer("agency")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.Delivery) {
		t.Errorf("delivery id %q, want 32 hex digits", r.Delivery)
	}
	if r.URL != e.ag.url() || r.Body != "agency" || r.CaseID != "JF20261127-0001" || r.State != store.RefPending {
		t.Errorf("referral %+v", r)
	}
	var p Payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", r.Payload, err)
	}
	want := PayloadCase{ID: "JF20261127-0001", Status: dispute.Referred, Type: dispute.Labor, TypeName: "劳动争议",
		Region: "柳河县", Summary: "拖欠工资三个月", CreatedAt: t0.Format(time.RFC3339)}
	if p.Case != want {
		t.Errorf("case %+v, want %+v", p.Case, want)
	}
	if p.Delivery != r.Delivery || p.Story != story || p.Contact.Phone != phone ||
		p.Link != "https://jiefen.example/console/cases/JF20261127-0001" || p.SentAt == "" {
		t.Errorf("payload %s", r.Payload)
	}
	wantEvents := []CitizenText{{At: t0.Format(time.RFC3339), Text: story}, {At: t0.Add(time.Minute).Format(time.RFC3339), MediaID: "img-1"}}
	if len(p.Events) != 2 || p.Events[0] != wantEvents[0] || p.Events[1] != wantEvents[1] {
		t.Errorf("events %+v, want the citizen's two messages %+v", p.Events, wantEvents)
	}
	// Stored as built: the bytes every attempt sends.
	if got := e.get(r.Delivery); string(got.Payload) != string(r.Payload) {
		t.Errorf("stored payload differs from the built one")
	}

	k := dispute.Case{ID: "JF20261127-0009", Body: "agency", Phone: phone, Story: story, CreatedAt: t0}
	r2 := Build(k, nil, e.hook("nosecret"), "", e.clock.Now())
	var p2 Payload
	if err := json.Unmarshal(r2.Payload, &p2); err != nil {
		t.Fatal(err)
	}
	if p2.Contact.Phone != "139****5678" || p2.Events == nil || r2.Delivery == r.Delivery {
		t.Errorf("to a body without the case: %s (delivery %s)", r2.Payload, r2.Delivery)
	}
	if r3 := Build(k, nil, e.hook("plain"), "", e.clock.Now()); r3.URL != "" || !r3.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("a body without a webhook: %+v", r3)
	}
}
