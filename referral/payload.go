package referral

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Payload is the JSON body of a referral, as agencies receive it.
type Payload struct {
	Delivery string        `json:"delivery"` // also in X-Jiefen-Delivery
	Case     PayloadCase   `json:"case"`
	Story    string        `json:"story"` // the citizen's own words
	Contact  Contact       `json:"contact"`
	Events   []CitizenText `json:"events"` // the citizen's messages so far, oldest first
	Link     string        `json:"link"`   // the case in jiefen's console
	SentAt   string        `json:"sent_at"`
}

// PayloadCase is what a referral says about the case.
type PayloadCase struct {
	ID        string         `json:"id"`
	Status    dispute.Status `json:"status"`
	Type      dispute.Type   `json:"type"`
	TypeName  string         `json:"type_name"`
	Urgent    bool           `json:"urgent"`
	Region    string         `json:"region"`
	Summary   string         `json:"summary"`
	SummaryAI bool           `json:"summary_ai,omitempty"` // an AI model wrote Summary: show it labelled as such
	CreatedAt string         `json:"created_at"`           // RFC 3339, UTC
}

// Contact is how to reach the citizen, as the receiving body may see it.
type Contact struct {
	Phone string `json:"phone"` // "" when the citizen gave none
}

// CitizenText is one message the citizen sent.
type CitizenText struct {
	At      string `json:"at"` // RFC 3339, UTC
	Text    string `json:"text,omitempty"`
	MediaID string `json:"media_id,omitempty"` // an image or voice note, viewable through the link
}

// Build makes the referral of case k to a body's webhook (Hooks.Of), ready
// to go in a Change: pending, due now, with a new delivery id and the
// payload built once, so that every retry sends the same bytes. The hook's
// URL is kept in the referral as a record of where it was meant to go; the
// sender uses the body's webhook as it is at each attempt. events is the
// case's thread (the citizen's messages are taken from it); caseURL is the
// case's console page. CreatedAt and the payload's sent_at are now, the
// caller's: the sender counts the 24 hours of retries from CreatedAt on its
// own clock, the same one, so a wall-clock time here would set a fake (or
// merely wrong) clock against the real one and give up at once or never.
func Build(k dispute.Case, events []dispute.Event, hook Hook, caseURL string, now time.Time) store.Referral {
	now = now.UTC()
	delivery := newDelivery()
	p := Payload{
		Delivery: delivery,
		Case: PayloadCase{ID: k.ID, Status: k.Status, Type: k.Type, TypeName: k.Type.Name(), Urgent: k.Urgent,
			Region: k.Region, Summary: k.Summary, SummaryAI: k.SummaryAI, CreatedAt: rfc3339(k.CreatedAt)},
		Story:   k.Story,
		Contact: Contact{Phone: phoneFor(k, hook.Body)},
		Events:  citizenTexts(events),
		Link:    caseURL,
		SentAt:  rfc3339(now),
	}
	return store.Referral{Delivery: delivery, CaseID: k.ID, Body: hook.Body, URL: hook.URL, Payload: encode(p),
		State: store.RefPending, CreatedAt: now}
}

// newDelivery is 128 random bits in hex: unique without coordination
// between instances.
func newDelivery() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program rather than return short)
	return hex.EncodeToString(b[:])
}

// phoneFor shows the phone in clear to the body that has the case, which
// must call the citizen, and masked to any other (a duty desk told of an
// urgent case), as the console does.
func phoneFor(k dispute.Case, body string) string {
	if body == k.Body || k.Phone == "" {
		return k.Phone
	}
	r := []rune(k.Phone)
	if len(r) < 7 {
		return "***"
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

func citizenTexts(events []dispute.Event) []CitizenText {
	out := []CitizenText{} // [] rather than null when there are none
	for _, e := range events {
		if e.Kind == dispute.MessageIn {
			out = append(out, CitizenText{At: rfc3339(e.At), Text: e.Text, MediaID: e.MediaID})
		}
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// encode marshals p without HTML escaping, so the Chinese text and any
// "<" in a story reach the agency as written. Payload holds only strings,
// bools and slices of them, which cannot fail to marshal.
func encode(p Payload) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		panic("referral: payload cannot be encoded: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
