package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/workflow"
)

// The agreement on the console's case page: a panel to draft a version
// from the art. 29 template (or the current one), the versions'
// confirmations and the judicial confirmation in the live side panel,
// the PDF, and the thread's lines for each step.

// draftAgreement is the console's form: a new version.
func (c *forms) draftAgreement(r *http.Request) error {
	_, err := c.Cases.DraftAgreement(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("terms"))
	return err
}

// agreementPanel is what the case page shows of the agreement.
type agreementPanel struct {
	Agreement workflow.AgreementView
	Has       bool
	Roles     []string // every party's role, for the confirmations list
	Judicial  workflow.JudicialView
	HasJud    bool
	Draft     string // the form's starting text: the current terms, else the template
	CanDraft  bool
}

func (c *pages) agreementPanel(r *http.Request, k dispute.Case, events []dispute.Event) (agreementPanel, error) {
	p := agreementPanel{Draft: catalog.AgreementTemplate}
	a := dispute.AgreementOf(k.ID, events)
	if len(a.Versions) > 0 {
		p.Has, p.Draft = true, a.Current().Terms
		p.Agreement, _ = c.Cases.Agreement(r.Context(), current(r).User, k.ID)
	}
	p.Judicial, p.HasJud = c.Cases.Judicial(k, events)
	parties, err := c.Cases.Parties(r.Context(), k)
	if err != nil {
		return p, err
	}
	for _, pt := range parties {
		p.Roles = append(p.Roles, pt.Role)
	}
	p.CanDraft = workflow.Agreeable(k.Status) && c.Cases.CanAct(current(r).User, k) && k.Anonymized.IsZero() &&
		(!p.HasJud || p.Judicial.Status != dispute.JudicialRequested && p.Judicial.Status != dispute.JudicialAccepted &&
			p.Judicial.Status != dispute.JudicialConfirmed)
	return p, nil
}

// Confirmed says whether a role confirmed the current version (for the template).
func (p agreementPanel) Confirmed(role string) string {
	for _, c := range p.Agreement.Confirmations {
		if c.Role == role {
			return c.At.In(chinaTime).Format("01-02 15:04")
		}
	}
	return ""
}

// JudicialName is the judicial confirmation's status as people say it.
func (p agreementPanel) JudicialName() string { return catalog.JudicialStatusName(p.Judicial.Status) }

// agreementLine is how an agreement step reads on the thread; version
// counts the versions met so far.
func agreementLine(e dispute.Event, version *int) (class, text string, ok bool) {
	switch e.Kind {
	case dispute.AgreementDrafted:
		*version++
		return "status agreement", "调解协议第" + strconv.Itoa(*version) + "版：\n" + e.Text, true
	case dispute.AgreementConfirmed:
		f := strings.Fields(e.Text)
		if len(f) == 3 {
			return "status", roleLabel(dispute.PartyRole(f[2])) + "回复“确认协议”，确认了第" + f[0] + "版", true
		}
		return "status", "当事人确认了协议", true
	case dispute.AgreementSigned:
		v, _, _ := strings.Cut(e.Text, " ")
		return "status", "各方均已确认，第" + v + "版调解协议生效", true
	case dispute.CourtApplied:
		return "status", roleLabel(dispute.PartyRole(e.Text)) + "申请司法确认", true
	case dispute.ServiceAddress:
		party, addr, _ := strings.Cut(e.Text, " ")
		return "status", roleLabel(dispute.PartyRole(party)) + "的送达地址：" + addr, true
	case dispute.CourtRequested:
		return "status", "司法确认申请已提交法院（" + e.Body + "）", true
	case dispute.CourtAnswered:
		status, rest := dispute.ParseCourtAnswer(e.Text)
		return "status", "法院答复：" + map[string]string{dispute.JudicialAccepted: "已受理", dispute.JudicialConfirmed: "裁定协议有效",
			dispute.JudicialRejected: "驳回"}[status] + " " + rest, true
	case dispute.CourtReminder:
		_, msg, _ := strings.Cut(e.Text, " ")
		return "status reminder", "司法确认期限：" + msg, true
	}
	return "", "", false
}

func roleLabel(role string) string {
	if role == dispute.PartyRespondent {
		return "被申请人"
	}
	return "申请人"
}
