package dispute

import "time"

// Party is one more side of a case than the citizen who filed it (the
// claimant, 申请人, who is the case's OpenID and Phone): today a
// respondent (被申请人) a mediator invited. The same person on two cases
// is two parties.
type Party struct {
	ID     string `json:"id"` // the case number + "-" + Role's letter + a counter: "JF20261127-0042-R1"
	CaseID string `json:"case_id"`
	Role   Role   `json:"role"`
	Name   string `json:"name"`  // personal data
	Phone  string `json:"phone"` // personal data; "" when not given
	// Summary is what the party is told the dispute is about: neutral,
	// without the claimant's contact details; written when invited.
	Summary string      `json:"summary"`
	Status  PartyStatus `json:"status"`
	// Scene is the parametric QR code's scene string (QR_STR_SCENE):
	// scanning the code sends it back in the follow or scan event, which
	// binds the scanner's openid to the party. Unique in the store.
	Scene  string `json:"scene"`
	OpenID string `json:"openid"` // personal data; "" until the party joins in WeChat
	// By is who invited the party ("user:<name>").
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"` // the last status change
	// QRTicket and QRURL are the platform's answer to qrcode/create for
	// Scene (the ticket, and the address the code encodes), valid until
	// QRExpires; empty until it answered once (the party is kept even
	// when the platform is unreachable, and the code is asked for again).
	QRTicket  string    `json:"qr_ticket,omitempty"`
	QRURL     string    `json:"qr_url,omitempty"`
	QRExpires time.Time `json:"qr_expires,omitzero"`
}

// Role is a party's side of the case; its string is part of the API.
type Role string

// Roles. The claimant is the case's citizen and has no Party record.
const (
	Claimant   Role = "claimant"
	Respondent Role = "respondent"
)

// Name is the role as people see it.
func (r Role) Name() string {
	switch r {
	case Claimant:
		return "申请人"
	case Respondent:
		return "被申请人"
	}
	return string(r)
}

// PartyStatus is where an invited party stands; its string is part of the API.
type PartyStatus string

// Party statuses: invited → joined → consented | declined; withdrawn
// from any of them, for good.
const (
	PartyInvited   PartyStatus = "invited"   // added by a mediator; has not come yet
	PartyJoined    PartyStatus = "joined"    // scanned the code or opened the link; asked to consent
	PartyConsented PartyStatus = "consented" // agreed to mediation (同意调解)
	PartyDeclined  PartyStatus = "declined"  // refused mediation (不同意): 人民调解法 art. 17, 26
	// PartyWithdrawn: the mediator took the invitation back (the wrong
	// person, a code gone astray). Its code and link no longer work, and
	// the party is no longer a side of the case.
	PartyWithdrawn PartyStatus = "withdrawn"
)

var partyStatusNames = map[PartyStatus]string{
	PartyInvited:   "已邀请",
	PartyJoined:    "已加入",
	PartyConsented: "同意调解",
	PartyDeclined:  "不同意调解",
	PartyWithdrawn: "邀请已撤回",
}

// Name is the status as people see it.
func (s PartyStatus) Name() string {
	if n, ok := partyStatusNames[s]; ok {
		return n
	}
	return string(s)
}

// Valid reports whether s is a known party status.
func (s PartyStatus) Valid() bool { _, ok := partyStatusNames[s]; return ok }

// CanMoveTo reports whether a party may go from s to t: forward
// along invited → joined → consented | declined, and a decline may be
// taken back (a respondent who thought again says 同意调解), as may a
// consent: mediation is voluntary throughout (人民调解法 art. 23). Any
// invitation may be withdrawn, and a withdrawn one goes nowhere.
func (s PartyStatus) CanMoveTo(t PartyStatus) bool {
	if t == PartyWithdrawn {
		return s.Valid() && s != PartyWithdrawn
	}
	switch s {
	case PartyInvited:
		// The invitation page in a browser asks at once, without a join.
		return t == PartyJoined || t == PartyConsented || t == PartyDeclined
	case PartyJoined:
		return t == PartyConsented || t == PartyDeclined
	case PartyConsented:
		return t == PartyDeclined
	case PartyDeclined:
		return t == PartyConsented
	}
	return false
}
