package main

// The other party in journeys: a second person (the respondent) who
// speaks after "@ respondent" (and the claimant again after "@ citizen"),
// scans the invitation's code, and is answered in their own chat.
//
//	= invite 刘某 13812345678      the mediator invites the respondent (the API)
//	>: [scan]                    the speaker scans the invitation's code: the
//	                             platform sends subscribe+qrscene_ before they
//	                             follow, SCAN after
//	>: [scan-key jfp_…]          a SCAN event with this EventKey
//	= reply to=respondent …      a reply to one side or both (to=all), also = api reply
//	= qr 200 | = qr 503          the invitation's QR code image is served, or not
//	= platform down | up         the platform is unreachable, or back
//	? party status=consented openid=set qr=none|set

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"jiefen/store"
)

// invited is the API's answer to the invitation.
type invited struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	InviteURL string `json:"invite_url"`
	Scene     string `json:"scene"`
	QRCodeURL string `json:"qrcode_url"`
}

// respondentOf is the journey's second person.
func respondentOf(who string) string { return strings.Replace(who, "oJourney_", "oJourneyR_", 1) }

// speak switches who the next lines speak as.
func (r *jrun) speak(l jline, arg string) {
	switch arg {
	case "respondent":
		r.me = respondentOf(r.who)
	case "citizen":
		r.me = r.who
	default:
		r.fail(l, "want @ respondent or @ citizen")
	}
}

// invite runs "= invite <name> [phone]" through the API.
func (r *jrun) invite(l jline, rest string) {
	r.t.Helper()
	k := r.caseRef(l, "$case")
	name, phone, _ := strings.Cut(rest, " ")
	r.session(l, "mediator", k.Body)
	body, _ := json.Marshal(map[string]string{"role": "respondent", "name": name, "phone": strings.TrimSpace(phone)})
	req, _ := http.NewRequest("POST", r.e.srv.URL+"/api/v1/cases/"+k.ID+"/parties", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+r.e.apiToken("mediator-"+k.Body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		r.fail(l, "invite: %d %s", resp.StatusCode, data)
	}
	var p invited
	if err := json.Unmarshal(data, &p); err != nil || p.ID == "" || p.Scene == "" || p.InviteURL == "" || p.QRCodeURL == "" ||
		p.Status != "invited" || p.Role != "respondent" || p.Name != name {
		r.fail(l, "invite answered %s (%v)", data, err)
	}
	r.party = p
}

// withdraw runs "= withdraw": the mediator takes the invitation back
// (DELETE …/parties/{party}).
func (r *jrun) withdraw(l jline) {
	r.t.Helper()
	k := r.caseRef(l, "$case")
	req, _ := http.NewRequest("DELETE", r.e.srv.URL+"/api/v1/cases/"+k.ID+"/parties/"+r.party.ID, nil)
	req.Header.Set("Authorization", "Bearer "+r.e.apiToken("mediator-"+k.Body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var p invited
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &p) != nil || p.ID != r.party.ID || p.Status != "withdrawn" {
		r.fail(l, "withdraw: %d %s", resp.StatusCode, data)
	}
}

// qr fetches the invitation's QR code image.
func (r *jrun) qr(l jline, want string) {
	r.t.Helper()
	k := r.caseRef(l, "$case")
	req, _ := http.NewRequest("GET", r.party.QRCodeURL, nil)
	req.Header.Set("Authorization", "Bearer "+r.e.apiToken("mediator-"+k.Body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Status[:3]; got != want {
		r.fail(l, "the QR code endpoint answered %s", resp.Status)
	}
	if want == "200" && resp.Header.Get("Content-Type") != "image/png" {
		r.fail(l, "the QR code endpoint answered %q", resp.Header.Get("Content-Type"))
	}
}

// scanEvent is what scanning the invitation's code sends, as the
// platform decides it.
func (r *jrun) scanEvent(l jline) (event, key string) {
	r.t.Helper()
	p, err := r.e.app.store.Party(context.Background(), r.party.ID)
	if err != nil || p.QRTicket == "" {
		r.fail(l, "the invitation has no QR code (%v)", err)
	}
	event, key, ok := r.e.platform.Scan(r.me, p.QRTicket)
	if !ok {
		r.fail(l, "the platform does not know the code")
	}
	return event, key
}

// partyFields checks "? party status=… openid=set|none qr=set|none".
func (r *jrun) partyFields(l jline, spec string) {
	r.t.Helper()
	p, err := r.e.app.store.Party(context.Background(), r.party.ID)
	if err != nil {
		r.fail(l, "party %s: %v", r.party.ID, err)
	}
	set := func(s string) string {
		if s == "" {
			return "none"
		}
		return "set"
	}
	for _, kv := range strings.Fields(spec) {
		key, want, _ := strings.Cut(kv, "=")
		var got string
		switch key {
		case "status":
			got = string(p.Status)
		case "openid":
			got = set(p.OpenID)
			if p.OpenID != "" && p.OpenID != respondentOf(r.who) {
				got = "other"
			}
		case "qr":
			got = set(p.QRTicket)
		default:
			r.fail(l, "unknown party field %q", key)
		}
		if got != want {
			r.fail(l, "party %s: %s is %q", p.ID, key, got)
		}
	}
}

// partyOutbounds are the respondent's queue items, for the invariant.
func (r *jrun) partyOutbounds() []store.Outbound {
	obs, err := r.e.app.store.Outbounds(context.Background(), respondentOf(r.who))
	if err != nil {
		r.t.Fatal(err)
	}
	return obs
}
