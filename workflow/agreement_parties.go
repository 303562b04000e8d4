package workflow

import (
	"context"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// Party is one side of a case as its agreement and judicial confirmation
// see it: who must confirm, apply and be told.
type Party struct {
	Key    string // dispute.PartyCitizen, or a respondent's "respondent:<party id>"
	ID     string // the respondent's dispute.Party.ID; "" for the claimant
	Role   string // dispute.PartyCitizen or dispute.PartyRespondent
	Name   string // "" when not known
	OpenID string // "" for a party not (yet) reached through WeChat
	Phone  string
}

// Parties lists the parties of case k whose word the agreement needs:
// the claimant (who filed) and every respondent who has not declined.
// This is the one place that says who "every party" is.
func (w *Cases) Parties(ctx context.Context, k dispute.Case) ([]Party, error) {
	out := []Party{{Key: dispute.PartyCitizen, Role: dispute.PartyCitizen, OpenID: k.OpenID, Phone: k.Phone}}
	ps, err := w.Store.CaseParties(ctx, k.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Role == dispute.Respondent && p.Status != dispute.PartyDeclined && p.Status != dispute.PartyWithdrawn {
			out = append(out, Party{Key: respondentKey(p.ID), Role: dispute.PartyRespondent, ID: p.ID, Name: p.Name, OpenID: p.OpenID, Phone: p.Phone})
		}
	}
	return out, nil
}

// respondentKey is a respondent's key in agreement events.
func respondentKey(id string) string { return dispute.PartyRespondent + ":" + id }

// partyCase is a case openID is a party of, with the party it is.
type partyCase struct {
	Case  dispute.Case
	Party Party
}

// partyCases lists the cases openID is a party of: those they filed,
// newest first, then those they were invited to, the latest first.
func (w *Cases) partyCases(ctx context.Context, openID string) ([]partyCase, error) {
	cases, err := w.Store.Cases(ctx, store.CaseFilter{OpenID: openID})
	if err != nil {
		return nil, err
	}
	joined, err := w.Store.PartiesOf(ctx, openID)
	if err != nil {
		return nil, err
	}
	for _, p := range joined {
		if p.Status == dispute.PartyDeclined || p.Status == dispute.PartyWithdrawn {
			continue
		}
		k, err := w.Store.Case(ctx, p.CaseID)
		if err != nil {
			return nil, err
		}
		cases = append(cases, k)
	}
	var out []partyCase
	seen := map[string]bool{}
	for _, k := range cases {
		if seen[k.ID] {
			continue
		}
		seen[k.ID] = true
		ps, err := w.Parties(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.OpenID == openID {
				out = append(out, partyCase{Case: k, Party: p})
			}
		}
	}
	return out, nil
}

// roleName is how a party's role reads on the agreement.
func roleName(role string) string {
	if role == dispute.PartyRespondent {
		return "被申请人"
	}
	return "申请人"
}

// tellParty has the bot tell a party text: on the thread, and into the
// outbound queue in pieces the platform takes (the thread holds it whole).
// A party not reached through WeChat gets nothing queued: the mediator
// sees the text on the thread and tells them otherwise.
func tellParty(ch *store.Change, k dispute.Case, p Party, text string, at time.Time) {
	ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: at, Kind: dispute.MessageOut, Actor: "bot", Text: text, Party: p.ID})
	if p.OpenID == "" {
		return
	}
	for _, piece := range SplitText(text, MaxReply) {
		ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: p.OpenID, CaseID: k.ID, Kind: store.OutText, Text: piece, NotBefore: at, CreatedAt: at})
	}
}

// tellParties tells every party but skip (a key; "" for none) text.
func tellParties(ch *store.Change, k dispute.Case, ps []Party, skip, text string, at time.Time) {
	for _, p := range ps {
		if p.Key != skip {
			tellParty(ch, k, p, text, at)
		}
	}
}

// SplitText cuts s into pieces of at most n characters, after a line end
// or a sentence's end where there is one in the second half, so each piece
// reads on its own: the platform takes a message of limited length.
func SplitText(s string, n int) []string {
	var out []string
	for r := []rune(s); len(r) > n; r = []rune(s) {
		cut := n
		for i := n; i > n/2; i-- {
			if c := r[i-1]; c == '\n' || c == '。' || c == '！' || c == '？' || c == '；' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimSpace(string(r[:cut])))
		s = string(r[cut:])
	}
	if s = strings.TrimSpace(s); s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// NonPerformance is what a party who says the other side does not
// perform (对方没履行) is told about enforcement: the route to 申请强制执行
// when the court confirmed the agreement, "" otherwise (the parties'
// conversation then gives its own answer).
func (w *Cases) NonPerformance(k dispute.Case, events []dispute.Event) string {
	j, ok := dispute.JudicialOf(k, events, w.Now())
	if !ok || j.Status != dispute.JudicialConfirmed {
		return ""
	}
	return catalog.Enforcement(k.ID, w.bodyName(j.Court), j.Number)
}
