package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The agreement and its judicial confirmation are thread events (the
// dispute package folds them): both stores keep their kinds, order,
// actors, parties, bodies and text, which the sha256 of a version is
// recomputed from, byte for byte; a court referral queued with them is
// in the webhook lane; anonymisation takes the terms with the rest.
func testAgreementThread(t *testing.T, e *env) {
	k := mkCase("JF20261127-0031", "oAgreement1", dispute.Resolved, dispute.ContractDebt, "柳河县", "lh-mediation", at(0))
	terms := "一、当事人：申请人王某，被申请人刘某。\n三、协议内容：刘某于12月31日前\u3000支付王某8,000元；\n\t“利息”不计。"
	sha := dispute.AgreementSHA256(k.ID, 1, terms)
	evs := []dispute.Event{
		{CaseID: k.ID, At: at(time.Minute), Kind: dispute.AgreementDrafted, Actor: "user:李", Text: terms},
		{CaseID: k.ID, At: at(2 * time.Minute), Kind: dispute.AgreementConfirmed, Actor: "citizen", Text: dispute.ConfirmText(1, sha, dispute.PartyCitizen)},
		{CaseID: k.ID, At: at(3 * time.Minute), Kind: dispute.AgreementConfirmed, Actor: "respondent", Party: k.ID + "-R1",
			Text: dispute.ConfirmText(1, sha, "respondent:"+k.ID+"-R1")},
		{CaseID: k.ID, At: at(3 * time.Minute), Kind: dispute.AgreementSigned, Actor: "system", Text: "1 " + sha},
		{CaseID: k.ID, At: at(4 * time.Minute), Kind: dispute.ServiceAddress, Actor: "citizen", Text: "citizen 柳河县柳河镇示例路1号"},
		{CaseID: k.ID, At: at(5 * time.Minute), Kind: dispute.CourtApplied, Actor: "citizen", Text: dispute.PartyCitizen},
		{CaseID: k.ID, At: at(6 * time.Minute), Kind: dispute.CourtApplied, Actor: "respondent", Party: k.ID + "-R1", Text: "respondent:" + k.ID + "-R1"},
		{CaseID: k.ID, At: at(6 * time.Minute), Kind: dispute.CourtRequested, Actor: "system", Body: "lh-court", Text: "1 " + sha},
		{CaseID: k.ID, At: at(time.Hour), Kind: dispute.CourtAnswered, Actor: "user:法官", Body: "lh-court",
			Text: dispute.CourtAnswerText(dispute.JudicialAccepted, "(2026)吉0524民特123号")},
	}
	e.commit(store.Change{NewCases: []dispute.Case{k}, Events: evs,
		Referrals: []store.Referral{{Delivery: "court-" + k.ID, CaseID: k.ID, Body: "lh-court", URL: "https://court.example/judicial",
			Payload: []byte(`{"kind":"judicial_confirmation","agreement":{"terms":"` + strings.ReplaceAll(terms, "\n", `\n`) + `"}}`),
			State:   store.RefPending, CreatedAt: at(6 * time.Minute)}}})

	got, err := e.s.Events(e.ctx, k.ID)
	if err != nil || len(got) != len(evs) {
		t.Fatalf("Events = %d, %v; want %d", len(got), err, len(evs))
	}
	for i := range evs {
		checkEvent(t, fmt.Sprintf("event %d (%s)", i, evs[i].Kind), got[i], evs[i])
	}
	a := dispute.AgreementOf(k.ID, got)
	if a.Current().SHA256 != sha || !a.Signed() || len(a.Confirmations) != 2 {
		t.Fatalf("the stored thread folds to %+v", a)
	}
	j, ok := dispute.JudicialOf(k, got, at(2*time.Hour))
	if !ok || j.Status != dispute.JudicialAccepted || j.Court != "lh-court" || j.Number != "(2026)吉0524民特123号" ||
		len(j.Applied) != 2 || j.Addresses[dispute.PartyCitizen] != "柳河县柳河镇示例路1号" {
		t.Fatalf("judicial confirmation from the stored thread: %+v", j)
	}
	refs, err := e.s.ListReferrals(e.ctx, store.ReferralFilter{CaseID: k.ID})
	if err != nil || len(refs) != 1 || refs[0].Body != "lh-court" || !strings.Contains(string(refs[0].Payload), "judicial_confirmation") {
		t.Fatalf("the court's referral: %+v, %v", refs, err)
	}

	if _, err := e.s.Anonymize(e.ctx, k.ID, store.AuditEntry{At: at(5000 * time.Hour), User: store.AuditSystem, Action: store.AuditRedact}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.s.Events(e.ctx, k.ID)
	for _, ev := range got {
		if ev.Text != "" {
			t.Errorf("after anonymisation, a %s event keeps %q", ev.Kind, ev.Text)
		}
	}
	if a := dispute.AgreementOf(k.ID, got); a.Current().Terms != "" || a.Signed() {
		t.Errorf("the agreement's terms or signing outlived anonymisation: %+v", a)
	}
}
