package dispute

import (
	"strings"
	"testing"
	"time"
)

func TestAgreementFold(t *testing.T) {
	at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	ev := func(min int, kind EventKind, actor, text string) Event {
		return Event{CaseID: "JF1", At: at.Add(time.Duration(min) * time.Minute), Kind: kind, Actor: actor, Text: text}
	}
	sha1 := AgreementSHA256("JF1", 1, "甲付乙五千元")
	sha2 := AgreementSHA256("JF1", 2, "甲付乙六千元")
	if sha1 == sha2 || AgreementSHA256("JF1", 1, "甲付乙五千元\r\n") != sha1 || AgreementSHA256("JF2", 1, "甲付乙五千元") == sha1 {
		t.Fatal("the hash does not bind the case, the version and the terms (and only them)")
	}
	events := []Event{
		ev(0, AgreementDrafted, "user:李", "甲付乙五千元"),
		ev(1, AgreementConfirmed, "citizen", ConfirmText(1, sha1, PartyCitizen)),
		ev(2, AgreementDrafted, "user:李", "甲付乙六千元"),
		ev(3, AgreementConfirmed, "respondent", ConfirmText(1, sha1, "respondent:JF1-R1")), // stale
		ev(4, AgreementConfirmed, "citizen", ConfirmText(2, sha2, PartyCitizen)),
		ev(5, AgreementConfirmed, "citizen", ConfirmText(2, sha2, PartyCitizen)), // a repeat
	}
	a := AgreementOf("JF1", events)
	if cur := a.Current(); cur.Version != 2 || cur.SHA256 != sha2 || len(a.Versions) != 2 || len(a.Confirmations) != 1 ||
		a.Confirmations[0].Role != PartyCitizen || a.Signed() {
		t.Fatalf("after v2 and its first confirmation: %+v", a)
	}
	events = append(events, ev(6, AgreementConfirmed, "respondent", ConfirmText(2, sha2, "respondent:JF1-R1")),
		ev(6, AgreementSigned, "system", "2 "+sha2))
	a = AgreementOf("JF1", events)
	if !a.Signed() || len(a.Confirmations) != 2 || a.Confirmations[1].Role != PartyRespondent {
		t.Fatalf("signed: %+v", a)
	}
	k := Case{ID: "JF1", Type: ContractDebt}
	j, ok := JudicialOf(k, events, at.Add(time.Hour))
	if !ok || j.Status != JudicialAvailable || !j.Due.Equal(at.Add(6*time.Minute+JudicialWindow)) {
		t.Fatalf("judicial: %+v", j)
	}
	if j, _ := JudicialOf(k, events, at.Add(31*24*time.Hour)); j.Status != JudicialExpired {
		t.Fatalf("after 30 days: %s", j.Status)
	}
	events = append(events, ev(7, CourtApplied, "citizen", PartyCitizen), ev(8, CourtApplied, "respondent", "respondent:JF1-R1"),
		Event{CaseID: "JF1", At: at.Add(8 * time.Minute), Kind: CourtRequested, Body: "lh-court"},
		ev(9, CourtAnswered, "user:法官", CourtAnswerText(JudicialAccepted, "(2026)吉0524民特1号")))
	if j, _ := JudicialOf(k, events, at.Add(40*24*time.Hour)); j.Status != JudicialAccepted || j.Number != "(2026)吉0524民特1号" ||
		j.Court != "lh-court" || len(j.Applied) != 2 {
		t.Fatalf("accepted: %+v", j)
	}
	// A new version voids the signing, and the confirmation with it.
	events = append(events, ev(10, AgreementDrafted, "user:李", "甲付乙七千元"))
	if _, ok := JudicialOf(k, events, at); ok {
		t.Fatal("a judicial confirmation without an agreement in effect")
	}
}

// What courts do not confirm, from the type and the terms; what they do.
func TestConfirmable(t *testing.T) {
	for _, c := range []struct {
		typ   Type
		terms string
		ok    bool
		why   string
	}{
		{Family, "一、双方自愿离婚。二、孩子由女方抚养。", false, "身份关系"},
		{Family, "张某自愿解除与李某的收养关系。", false, "收养"},
		{Family, "儿子每月给付母亲赡养费八百元。", true, ""},
		{Family, "男方每月支付抚养费一千元至孩子十八周岁。", true, ""},
		{RuralLand, "争议的宅基地归王某所有。", false, "确权"},
		{IP, "确认涉案商标专用权归甲公司。", false, "确权"},
		{IP, "乙公司停止销售侵权产品并赔偿甲公司三万元。", true, ""},
		{ContractDebt, "刘某于12月31日前归还王某所有借款八千元。", true, ""},
		{Neighbor, "楼上住户于本月内修好漏水管道，赔偿楼下两千元。", true, ""},
		{Administrative, "社保局补发养老金三千元。", false, "行政"},
		{Labor, "公司于12月31日前支付拖欠工资八千元。", true, ""},
	} {
		ok, why := Confirmable(c.typ, c.terms)
		if ok != c.ok || !strings.Contains(why, c.why) {
			t.Errorf("%s %q: %v %q", c.typ, c.terms, ok, why)
		}
	}
}

// The claimant's name is read from the 申请人 line of the terms, never
// from the respondent's line or the template's placeholder.
func TestClaimantInTerms(t *testing.T) {
	for _, c := range []struct{ terms, want string }{
		{"一、当事人基本情况\n申请人：王某，男，45岁\n被申请人：刘某", "王某"},
		{"申请人: 张三丰 男", "张三丰"},
		{"  申请人：李四（身份证见附件）", "李四"},
		{"一、当事人基本情况\n申请人：（姓名、性别、年龄、住址）\n被申请人：刘某", ""},
		{"被申请人：刘某\n二、事实", ""},
		{"申请人王某与被申请人刘某协商一致", ""},
		{"", ""},
	} {
		if got := ClaimantInTerms(c.terms); got != c.want {
			t.Errorf("ClaimantInTerms(%q) = %q, want %q", c.terms, got, c.want)
		}
	}
}
