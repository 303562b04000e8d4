package dispute

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The mediation agreement (调解协议书) and its judicial confirmation
// (司法确认) are not stored as records of their own: like deadlines, they
// follow from the case's thread, where every step is an event. A version
// is an AgreementDrafted event (its number is its place among them, so
// two mediators saving at once get versions 2 and 3, never two 2s); a
// party's confirmation names the version's sha256, so a confirmation of a
// version that a newer one replaced counts for nothing; signing, the
// applications, the court's referral and its answers are events too. The
// thread is written by one Commit with everything else a step changes,
// on both stores, with no new table or script.
const (
	AgreementDrafted   EventKind = "agreement"           // a mediator saved a version (Text: the terms; Actor: user:<name>)
	AgreementConfirmed EventKind = "agreement_confirmed" // a party confirmed a version (Text: ConfirmText)
	AgreementSigned    EventKind = "agreement_signed"    // every party confirmed the version (Text: "<version> <sha256>"): it took effect
	CourtApplied       EventKind = "court_applied"       // a party applied for 司法确认 (Text: the party's key)
	ServiceAddress     EventKind = "service_address"     // a party's 送达地址 (Text: "<party> <address>")
	CourtRequested     EventKind = "court_requested"     // the referral to the court was queued (Body: the court; Text: "<version> <sha256>")
	CourtAnswered      EventKind = "court_answer"        // the court answered (Text: CourtAnswerText)
	CourtReminder      EventKind = "court_reminder"      // the 30-day clock reminded the parties or ran out (Text: "<what> <message>")
)

// Party keys name the sides of a case in agreement events: the claimant
// (who filed) is "citizen"; a respondent is "respondent" or, when a case
// has several, "respondent:<party id>". The role is the part before ":".
const (
	PartyCitizen    = "citizen"
	PartyRespondent = "respondent"
)

// PartyRole is the role of a party key ("citizen" or "respondent").
func PartyRole(key string) string {
	role, _, _ := strings.Cut(key, ":")
	return role
}

// AgreementText is the canonical text a version's sha256 is taken of:
// a fixed first line, the case number and the version on lines of their
// own, a blank line, then the terms with line ends made "\n" and the
// surrounding space trimmed, in UTF-8. Anyone holding the PDF (which
// shows the case number, version and terms) can recompute it.
func AgreementText(caseID string, version int, terms string) string {
	return "jiefen-agreement/1\ncase:" + caseID + "\nversion:" + strconv.Itoa(version) + "\n\n" + NormalizeTerms(terms)
}

// NormalizeTerms makes line ends "\n" and trims the terms.
func NormalizeTerms(terms string) string {
	terms = strings.ReplaceAll(terms, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(terms, "\r", "\n"))
}

// AgreementSHA256 is the hex sha256 of AgreementText.
func AgreementSHA256(caseID string, version int, terms string) string {
	sum := sha256.Sum256([]byte(AgreementText(caseID, version, terms)))
	return hex.EncodeToString(sum[:])
}

// ConfirmText is an AgreementConfirmed event's Text.
func ConfirmText(version int, sha, party string) string {
	return strconv.Itoa(version) + " " + sha + " " + party
}

// AgreementVersion is one version of a case's agreement.
type AgreementVersion struct {
	Version int
	Terms   string
	SHA256  string
	By      string // the event's actor
	At      time.Time
}

// Confirmation is a party's confirmation of the current version.
type Confirmation struct {
	Party string // the party's key
	Role  string // PartyCitizen or PartyRespondent
	At    time.Time
}

// Agreement is a case's agreement as its thread tells it.
type Agreement struct {
	Versions      []AgreementVersion // oldest first; empty: none drafted
	Confirmations []Confirmation     // of the current version, in the order given
	SignedAt      time.Time          // when the current version took effect (every party confirmed); zero: not yet
}

// Current is the latest version (Version 0 when none).
func (a Agreement) Current() AgreementVersion {
	if len(a.Versions) == 0 {
		return AgreementVersion{}
	}
	return a.Versions[len(a.Versions)-1]
}

// Signed reports whether the current version took effect.
func (a Agreement) Signed() bool { return !a.SignedAt.IsZero() }

// Confirmed reports whether party confirmed the current version.
func (a Agreement) Confirmed(party string) bool {
	for _, c := range a.Confirmations {
		if c.Party == party {
			return true
		}
	}
	return false
}

// AgreementOf folds a case's thread into its agreement.
func AgreementOf(caseID string, events []Event) Agreement {
	var a Agreement
	for _, e := range events {
		switch e.Kind {
		case AgreementDrafted:
			v := len(a.Versions) + 1
			a.Versions = append(a.Versions, AgreementVersion{Version: v, Terms: e.Text,
				SHA256: AgreementSHA256(caseID, v, e.Text), By: e.Actor, At: e.At})
			a.Confirmations, a.SignedAt = nil, time.Time{} // a new version voids the confirmations of the old
		case AgreementConfirmed:
			f := strings.Fields(e.Text)
			cur := a.Current()
			if len(f) != 3 || cur.Version == 0 || f[1] != cur.SHA256 || a.Confirmed(f[2]) {
				continue // a stale version's, or a repeat
			}
			a.Confirmations = append(a.Confirmations, Confirmation{Party: f[2], Role: PartyRole(f[2]), At: e.At})
		case AgreementSigned:
			f := strings.Fields(e.Text)
			if len(f) == 2 && f[1] == a.Current().SHA256 {
				a.SignedAt = e.At
			}
		}
	}
	return a
}

// ClaimantInTerms is the claimant's name as the terms give it, after
// "申请人：" at the start of a line (申请人：王某，男，45岁 …; the art. 29
// template asks for it there), or "" when they give none or still hold
// the template's placeholder. Intake never asks the claimant's name, so
// the agreement's own words are where it is written.
func ClaimantInTerms(terms string) string {
	for _, line := range strings.Split(terms, "\n") {
		if m := claimantLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			return m[1]
		}
	}
	return ""
}

// claimantLine: the label, then a name up to the first separator; a
// placeholder's opening bracket matches no name.
var claimantLine = regexp.MustCompile(`^申请人\s*[：:]\s*([^，,、；;。\s（(）)：:]{1,20})`)
