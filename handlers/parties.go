package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/workflow"
)

// The other party (被申请人): invited from the case page or the API,
// reached by the parametric QR code (the workflow asks the platform for
// it) or the signed invitation link (/c/<party>/<signature>, casepage.go).

// partyJSON is a party in the API: id, role, name, status (the contract),
// and its phone as the case's own phone is shown (masked to other bodies).
type partyJSON struct {
	ID     string              `json:"id"`
	Role   dispute.Role        `json:"role"`
	Name   string              `json:"name"`
	Status dispute.PartyStatus `json:"status"`
	Phone  string              `json:"phone,omitempty"`
}

// invitedJSON is the answer to an invitation.
type invitedJSON struct {
	partyJSON
	InviteURL string `json:"invite_url"`
	Scene     string `json:"scene"`
	QRCodeURL string `json:"qrcode_url"`
}

func (c *Web) partyOut(u store.User, k dispute.Case, p dispute.Party) partyJSON {
	k.Phone, k.OpenID = p.Phone, p.OpenID
	phone, _ := c.personal(u, k)
	if p.Phone == "" {
		phone = ""
	}
	return partyJSON{ID: p.ID, Role: p.Role, Name: p.Name, Status: p.Status, Phone: phone}
}

// publicBase is jiefen's public address for links given out: the
// configured one, else how this request reached us.
func (c *Web) publicBase(r *http.Request) string {
	if c.Cases.PublicURL != "" {
		return strings.TrimRight(c.Cases.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(forwarded(r, "X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// inviteURL is a party's signed invitation page.
func (c *Web) inviteURL(r *http.Request, p dispute.Party) string {
	return c.Links.URL(c.publicBase(r), p.ID)
}

func (c *apiSurface) apiInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role    dispute.Role `json:"role"`
		Name    string       `json:"name"`
		Phone   string       `json:"phone"`
		Summary string       `json:"summary"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	p, err := c.Cases.Invite(r.Context(), actor(r), id, workflow.Invitation{Role: in.Role, Name: in.Name, Phone: in.Phone, Summary: in.Summary})
	if err != nil {
		return err
	}
	k, err := c.Store.Case(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitedJSON{partyJSON: c.partyOut(current(r).User, k, p),
		InviteURL: c.inviteURL(r, p), Scene: p.Scene,
		QRCodeURL: c.publicBase(r) + "/api/v1/cases/" + k.ID + "/parties/" + p.ID + "/qrcode"})
	return nil
}

// apiWithdrawParty takes an invitation back and answers with the party.
func (c *apiSurface) apiWithdrawParty(w http.ResponseWriter, r *http.Request) error {
	p, err := c.Cases.WithdrawInvitation(r.Context(), actor(r), r.PathValue("id"), r.PathValue("party"))
	if err != nil {
		return err
	}
	k, err := c.Store.Case(r.Context(), p.CaseID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.partyOut(current(r).User, k, p))
	return nil
}

// partyQR answers with the code's image (PNG), fetched from the
// platform's showqrcode, the code made (again) when the party has none
// that holds. Served from here, the console's pages show it under their
// own content policy, and the printed page holds it. An unreachable
// platform is a 503: the invitation is kept.
func (c *Web) partyQR(w http.ResponseWriter, r *http.Request) error {
	img, err := c.Cases.PartyQR(r.Context(), actor(r), r.PathValue("id"), r.PathValue("party"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, err = w.Write(img)
	return err
}

func (c *apiSurface) apiPartyQR(w http.ResponseWriter, r *http.Request) error { return c.partyQR(w, r) }

// partiesOf lists a case's parties as the user may see them.
func (c *Web) partiesOf(r *http.Request, k dispute.Case) ([]partyJSON, error) {
	ps, err := c.Store.CaseParties(r.Context(), k.ID)
	if err != nil {
		return nil, err
	}
	out := make([]partyJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, c.partyOut(current(r).User, k, p))
	}
	return out, nil
}

// invite is the case page's form: the party is stored, then its page
// (code, link, print) is shown.
func (c *forms) invite(w http.ResponseWriter, r *http.Request) error {
	p, err := c.Cases.Invite(r.Context(), actor(r), r.PathValue("id"), workflow.Invitation{
		Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Summary: r.PostFormValue("summary")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/cases/"+p.CaseID+"/parties/"+p.ID, http.StatusSeeOther)
	return nil
}

// forward sends the claimant the invitation to pass on.
func (c *forms) forward(r *http.Request) error {
	p, err := c.Cases.VisibleParty(r.Context(), current(r).User, r.PathValue("id"), r.PathValue("party"))
	if err != nil {
		return err
	}
	return c.Cases.ForwardInvitation(r.Context(), actor(r), r.PathValue("id"), p.ID, c.inviteURL(r, p))
}

// withdrawParty is the case page's 撤回邀请 button.
func (c *forms) withdrawParty(r *http.Request) error {
	_, err := c.Cases.WithdrawInvitation(r.Context(), actor(r), r.PathValue("id"), r.PathValue("party"))
	return err
}

// partyPage is the printable invitation: the QR code, the link, the text
// to forward.
func (c *pages) partyPage(w http.ResponseWriter, r *http.Request) error {
	k, err := c.visibleCase(r.Context(), r)
	if err != nil {
		return err
	}
	p, err := c.Cases.VisibleParty(r.Context(), current(r).User, k.ID, r.PathValue("party"))
	if err != nil {
		return err
	}
	if err := c.recordAccess(r, store.AuditView, k.ID, "party "+p.ID); err != nil {
		return err
	}
	link := c.inviteURL(r, p)
	c.render(w, http.StatusOK, "party.html", map[string]any{
		"Case": k, "Party": c.partyOut(current(r).User, k, p), "Summary": p.Summary, "Link": link, "PartyStatus": p.Status.Name(),
		"CaseBody": c.bodyName(k.Body), "BodyName": c.bodyName(current(r).Body), "Scene": p.Scene,
		"QR":     "/console/cases/" + k.ID + "/parties/" + p.ID + "/qr",
		"CanAct": c.Cases.CanAct(current(r).User, k) && k.Status.Open(),
		"User":   current(r),
	})
	return nil
}

// partyView is a party on the case page: who, where they stand, and
// what the platform still lets the console send them.
type partyView struct {
	partyJSON
	StatusName string
	InWeChat   bool // joined by scanning: messages reach their WeChat
	Window     string
	WindowOpen bool
}

// partyViews lists a case's parties for its page, and each one reached
// in WeChat as a recipient of the case's messages (its queue and window).
func (c *pages) partyViews(r *http.Request, k dispute.Case, now time.Time) ([]partyView, []recipient, error) {
	ctx := r.Context()
	ps, err := c.Store.CaseParties(ctx, k.ID)
	if err != nil {
		return nil, nil, err
	}
	var views []partyView
	var rcpts []recipient
	for _, p := range ps {
		v := partyView{partyJSON: c.partyOut(current(r).User, k, p), StatusName: p.Status.Name(), InWeChat: p.OpenID != ""}
		if p.OpenID != "" {
			cit, err := c.Store.Citizen(ctx, p.OpenID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, nil, err
			}
			items, err := c.Store.Outbounds(ctx, p.OpenID)
			if err != nil {
				return nil, nil, err
			}
			v.Window, v.WindowOpen = c.windowText(cit, now, c.subscribed(ctx, p.OpenID))
			rcpts = append(rcpts, recipient{party: p.ID, label: p.Role.Name() + p.Name, cit: cit, items: items})
		}
		views = append(views, v)
	}
	return views, rcpts, nil
}
