package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
)

var opT = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// everyPart is a Change with one of each part, listed out of the
// canonical order.
func everyPart() Change {
	return Change{
		Due:         []DueSet{{CaseID: "c1", At: opT}},
		Audit:       []AuditEntry{{At: opT, User: "u", Action: AuditChange, CaseID: "c1"}},
		Referrals:   []Referral{{Delivery: "d", CaseID: "c1", Payload: []byte(`{"a":1}`)}},
		Outbound:    []Outbound{{OpenID: "o", Kind: OutText, Text: "t"}},
		ReleaseHeld: "o",
		Events:      []dispute.Event{{CaseID: "c1", At: opT, Kind: dispute.Note, Actor: "system"}},
		Updates:     []CaseUpdate{{CaseID: "c1", At: opT}},
		Retype:      []Retype{{CaseID: "c1", Type: dispute.Labor, At: opT}},
		Video:       []VideoSchedule{{CaseID: "c1", URL: "https://v", At: opT}},
		Assign:      []Assignment{{CaseID: "c1", User: "m", At: opT, IfFree: true}},
		Transfers:   []Transfer{{CaseID: "c1", From: "b1", Body: "b2", At: opT}},
		MarkUrgent:  []string{"c1"},
		Statuses:    []StatusChange{{CaseID: "c1", To: dispute.Accepted, At: opT}},
		NewCases:    []dispute.Case{{ID: "c1", CreatedAt: opT}},
		Dialog:      &Dialog{OpenID: "o", Version: 3},
		Unchanged:   []ThreadMark{{CaseID: "c0", LastID: 7}},
		Citizen:     &dispute.Citizen{OpenID: "o"},
		At:          opT, Dedup: "k", DedupTTL: time.Hour,
	}
}

func kinds(ops []Op) []OpKind {
	var out []OpKind
	for _, op := range ops {
		out = append(out, op.OpKind())
	}
	return out
}

// The one order: a claim before transfers and assignments, the
// assignment after the transfer, events before the outbound items.
func TestOpsOrder(t *testing.T) {
	got := kinds(everyPart().Ops())
	want := []OpKind{OpDedup, OpCitizen, OpDialog, OpThread, OpNewCase, OpStatus, OpUrgent, OpClaim, OpTransfer, OpAssign,
		OpVideo, OpRetype, OpUpdate, OpEvent, OpRelease, OpEnqueue, OpEnqueue, OpAudit, OpDue}
	if !slices.Equal(got, want) {
		t.Fatalf("Ops kinds\n got %v\nwant %v", got, want)
	}
	if ops := (Change{}).Ops(); ops == nil || len(ops) != 0 {
		t.Errorf("empty Change: Ops = %#v, want an empty, non-nil list", ops)
	}
}

// Every op's JSON names its kind, holds no null, and carries every number
// as a string, so the script meets neither nulls nor doubles.
func TestOpJSON(t *testing.T) {
	for _, op := range everyPart().Ops() {
		b, err := json.Marshal(op)
		if err != nil {
			t.Fatalf("%s: %v", op.OpKind(), err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %s: %v", op.OpKind(), b, err)
		}
		if m["op"] != string(op.OpKind()) {
			t.Errorf("%s: op field %v", op.OpKind(), m["op"])
		}
		for k, v := range m {
			switch v := v.(type) {
			case string, bool:
			case []any: // a list of strings (a search index's grams), never null
				for _, x := range v {
					if _, ok := x.(string); !ok {
						t.Errorf("%s: field %s holds %T (%v), want strings", op.OpKind(), k, x, x)
					}
				}
			default:
				t.Errorf("%s: field %s is %T (%v), want a string or a bool", op.OpKind(), k, v, v)
			}
		}
	}
}

func TestOpJSONFields(t *testing.T) {
	c := Change{At: opT, Dedup: "k", DedupTTL: time.Microsecond, Reply: "r",
		Video: []VideoSchedule{{CaseID: "c1", URL: "https://v", At: opT}}}
	ops := c.Ops()
	b, _ := json.Marshal(ops[0])
	ms := opT.UnixMilli()
	want := `{"op":"dedup","key":"k","reply":"r","at":"` + itoa(ms) + `","ttl":"1","exp":"` + itoa(ms+1) + `"}`
	if string(b) != want {
		t.Errorf("dedup JSON\n got %s\nwant %s", b, want)
	}
	if v := ops[1].(VideoOp); v.URL != "" {
		t.Errorf("a cancelled video keeps the link %q", v.URL)
	}
	b, _ = json.Marshal(DedupOp{Key: "k", At: opT})
	if !strings.Contains(string(b), `"ttl":"0","exp":"0"`) {
		t.Errorf("a key for ever: %s", b)
	}
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		ch   Change
		is   error
	}{
		{"a dedup key without a time", Change{Dedup: "k"}, ErrNoTime},
		{"an event on no case", Change{Events: []dispute.Event{{At: opT}}}, ErrNotFound},
		{"a referral without a delivery id", Change{Referrals: []Referral{{CaseID: "c"}}}, nil},
		{"a payload that is not UTF-8", Change{Referrals: []Referral{{CaseID: "c", Delivery: "d", Payload: []byte{0xff}}}}, nil},
		{"a citizen without an openid", Change{Citizen: &dispute.Citizen{}}, nil},
	} {
		err := Check(c.ch.Ops())
		if err == nil || c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: Check = %v, want an error (%v)", c.name, err, c.is)
		}
	}
	if err := Check(everyPart().Ops()); err != nil {
		t.Errorf("Check(every part) = %v", err)
	}
}

// One notice per case, the new one marked, a transfer's Left on it
// wherever it came first; ops that announce nothing add nothing.
func TestNotices(t *testing.T) {
	c := everyPart()
	c.NewCases = append(c.NewCases, dispute.Case{ID: "c2"})
	c.Events = append(c.Events, dispute.Event{CaseID: "c3", At: opT})
	got := c.Notices()
	want := []Notice{{CaseID: "c1", New: true, Left: "b1"}, {CaseID: "c2", New: true}, {CaseID: "c3"}}
	if !slices.Equal(got, want) {
		t.Errorf("Notices\n got %+v\nwant %+v", got, want)
	}
	if n := (Change{Citizen: &dispute.Citizen{OpenID: "o"}, Outbound: []Outbound{{OpenID: "o"}}}).Notices(); len(n) != 0 {
		t.Errorf("Notices of a Change touching no case: %+v", n)
	}
}
