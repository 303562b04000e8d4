package referral

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"jiefen/store"
)

// KindJudicial is the "kind" of a court's judicial confirmation referral.
const KindJudicial = "judicial_confirmation"

// CourtPayload is the JSON body of a judicial confirmation (司法确认)
// application, as the court's system receives it at the court body's
// webhook, signed like every referral. It carries the agreement itself
// (terms, version, sha256 of its canonical text) and the signed PDF as
// base64, so the court needs nothing from jiefen to read it: no link
// that could expire or be guessed. The court answers through
// POST /api/v1/cases/{id}/judicial_confirmation (AnswerURL).
type CourtPayload struct {
	Kind      string          `json:"kind"` // KindJudicial
	Delivery  string          `json:"delivery"`
	Case      CourtCase       `json:"case"`
	Agreement CourtAgreement  `json:"agreement"`
	Parties   []CourtParty    `json:"parties"`
	Due       string          `json:"due"` // the last moment to apply (30 days after the agreement took effect), RFC 3339
	AnswerURL string          `json:"answer_url"`
	SentAt    string          `json:"sent_at"`
	Applied   []CourtApplying `json:"applications"` // each party's application, in order
}

// CourtCase is what the court is told of the case.
type CourtCase struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	TypeName string `json:"type_name"`
	Region   string `json:"region"`
	Body     string `json:"body"`      // the mediation organisation's id
	BodyName string `json:"body_name"` // and name
}

// CourtAgreement is the signed agreement.
type CourtAgreement struct {
	Version       int                 `json:"version"`
	SHA256        string              `json:"sha256"` // of the canonical text (dispute.AgreementText)
	Terms         string              `json:"terms"`
	SignedAt      string              `json:"signed_at"` // when it took effect
	Confirmations []CourtConfirmation `json:"confirmations"`
	PDFBase64     string              `json:"pdf_base64"` // the 调解协议书, application/pdf
	PDFSHA256     string              `json:"pdf_sha256"` // of the PDF's bytes
}

// CourtConfirmation is a party's confirmation of the version.
type CourtConfirmation struct {
	Role string `json:"role"`
	At   string `json:"at"`
}

// CourtParty is a party and where the court serves documents on them
// (送达地址).
type CourtParty struct {
	Role    string       `json:"role"` // citizen (申请人) or respondent (被申请人)
	Name    string       `json:"name"`
	Service ServiceAddrs `json:"service_address"`
}

// ServiceAddrs is a party's 送达地址: the phone they gave, the postal
// address if they gave one, and the WeChat official account, through
// which jiefen tells them every answer the court posts back.
type ServiceAddrs struct {
	Phone   string `json:"phone"`
	Address string `json:"address"`
	WeChat  string `json:"wechat"`
}

// CourtApplying is one party's application.
type CourtApplying struct {
	Role string `json:"role"`
	At   string `json:"at"`
}

// BuildCourt makes the referral of an application to the court body's
// webhook (hook), ready to go in a Change: pending, due now, its payload
// built once so every retry sends the same bytes. The delivery id is
// new; the PDF is embedded as base64.
func BuildCourt(caseID string, p CourtPayload, pdf []byte, hook Hook, now time.Time) store.Referral {
	now = now.UTC()
	p.Kind, p.Delivery, p.SentAt = KindJudicial, newDelivery(), rfc3339(now)
	p.Agreement.PDFBase64 = base64.StdEncoding.EncodeToString(pdf)
	sum := sha256.Sum256(pdf)
	p.Agreement.PDFSHA256 = hex.EncodeToString(sum[:])
	return store.Referral{Delivery: p.Delivery, CaseID: caseID, Body: hook.Body, URL: hook.URL, Payload: encode(p),
		State: store.RefPending, CreatedAt: now}
}

// RFC3339 is t in UTC as the payloads write times ("" for zero).
func RFC3339(t time.Time) string { return rfc3339(t) }
