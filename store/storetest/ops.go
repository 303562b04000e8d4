package storetest

import (
	"bytes"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// tricky holds what a JSON or text encoding might mangle on the way to a
// store: quotes, backslashes, a slash, HTML characters, line and
// paragraph separators, control characters, CJK and an emoji.
const tricky = "引号\"反斜杠\\斜杠/</script>&amp;\u2028\u2029\t\r\n\x01 😀 {\"at\":1}"

// Every part of a Change comes back byte for byte and to the millisecond:
// text with every character an encoding might touch, a time 3,000 years
// on (a Unix-ms count of 15 digits, which a double prints in exponent
// form), the epoch's neighbour, counters and a float in the draft.
func testCommitKeepsEveryByte(t *testing.T, e *env) {
	far := t0.AddDate(3000, 0, 0)
	early := time.UnixMilli(1).UTC()
	k := mkCase("JF20261127-0001", "o"+tricky, dispute.Referred, dispute.Labor, "区"+tricky, "b"+tricky, far)
	k.Story, k.Summary, k.Phone, k.Rule = tricky, tricky, tricky, tricky
	cit := dispute.Citizen{OpenID: "o" + tricky, ConsentAt: early, ConsentVersion: tricky, LastInboundAt: far, WindowUntil: far, Quota: 1 << 30, Sent: 1<<30 - 1}
	d := store.Dialog{OpenID: "o" + tricky, Step: tricky, UpdatedAt: at(0), Draft: store.Draft{
		Story: tricky, Confidence: 0.1234567890123456789, Media: []string{tricky, ""}, Vague: 1 << 30, Target: tricky}}
	ev := dispute.Event{CaseID: k.ID, At: far, Kind: dispute.Note, Actor: tricky, Text: tricky, MediaID: tricky, Body: tricky}
	out := store.Outbound{OpenID: "o" + tricky, CaseID: k.ID, Kind: store.OutText, Text: tricky, MediaID: tricky,
		State: store.OutPending, NotBefore: far, CreatedAt: early}
	ref := store.Referral{Delivery: "d" + tricky, CaseID: k.ID, Body: "b" + tricky, URL: tricky,
		Payload: []byte(tricky), NotBefore: far, CreatedAt: early}
	entry := store.AuditEntry{At: far, User: tricky, Role: tricky, Action: store.AuditChange, CaseID: k.ID, Detail: tricky, Addr: tricky}
	e.commit(store.Change{At: far, Dedup: tricky, DedupTTL: time.Hour, Reply: tricky, Citizen: &cit, Dialog: &d,
		NewCases: []dispute.Case{k}, Events: []dispute.Event{ev}, Outbound: []store.Outbound{out},
		Referrals: []store.Referral{ref}, Audit: []store.AuditEntry{entry}})

	if r, err := e.s.DedupReply(e.ctx, tricky, far); err != nil || r != tricky {
		t.Errorf("DedupReply = %q, %v", r, err)
	}
	if got, err := e.s.Case(e.ctx, k.ID); err != nil {
		t.Errorf("Case: %v", err)
	} else {
		checkCase(t, "case", got, k)
	}
	if got, err := e.s.Events(e.ctx, k.ID); err != nil || len(got) != 1 {
		t.Errorf("Events = %+v, %v", got, err)
	} else {
		checkEvent(t, "event", got[0], ev)
	}
	gotCit, gotDlg, err := e.s.Conversation(e.ctx, cit.OpenID)
	if err != nil {
		t.Fatalf("Conversation: %v", err)
	}
	checkCitizen(t, "citizen", gotCit, cit)
	d.Version = 1
	checkDialog(t, "dialog", gotDlg, d)
	if got, err := e.s.Outbounds(e.ctx, out.OpenID); err != nil || len(got) != 1 {
		t.Errorf("Outbounds = %+v, %v", got, err)
	} else {
		checkOutbound(t, "outbound", got[0], out)
	}
	if got, err := e.s.ListReferrals(e.ctx, store.ReferralFilter{CaseID: k.ID}); err != nil || len(got) != 1 {
		t.Errorf("ListReferrals = %+v, %v", got, err)
	} else if r := got[0]; r.Delivery != ref.Delivery || r.Body != ref.Body || r.URL != ref.URL ||
		!bytes.Equal(r.Payload, ref.Payload) || !sameTime(r.NotBefore, far) || !sameTime(r.CreatedAt, early) {
		t.Errorf("referral\n got %+v\nwant %+v", r, ref)
	}
	if got, err := e.s.AuditLog(e.ctx, store.AuditFilter{CaseID: k.ID}); err != nil || len(got) != 1 {
		t.Errorf("AuditLog = %+v, %v", got, err)
	} else if a := got[0]; !sameTime(a.At, far) || a.User != tricky || a.Role != tricky || a.Detail != tricky || a.Addr != tricky {
		t.Errorf("audit entry\n got %+v\nwant %+v", a, entry)
	}
}
