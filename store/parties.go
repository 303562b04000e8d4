package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jiefen/dispute"
)

// Parties reads the parties a mediator invited to cases (dispute.Party).
// They are written by Commit: Change.Parties, PartyMoves and PartyQR.
type Parties interface {
	// Party returns one party by id, or ErrNotFound.
	Party(ctx context.Context, id string) (dispute.Party, error)
	// PartyByScene returns the party whose QR scene is scene, or ErrNotFound.
	PartyByScene(ctx context.Context, scene string) (dispute.Party, error)
	// CaseParties lists a case's parties in the order they were added
	// (CreatedAt, then id); none for an unknown case.
	CaseParties(ctx context.Context, caseID string) ([]dispute.Party, error)
	// PartiesOf lists the parties an openid has joined as, the latest
	// status change first (UpdatedAt, then id, descending): the same
	// person on several cases is several parties.
	PartiesOf(ctx context.Context, openID string) ([]dispute.Party, error)
}

// PartyMove changes a party's status (dispute.PartyStatus.CanMoveTo is
// the caller's check). With From set it applies only if the party still
// has that status, as the ops before it left it; otherwise Commit returns
// ErrConflict and changes nothing: two scans of one code, one binds. With
// OpenID set it also binds the party to that openid (the person who
// scanned the code), which PartiesOf then finds.
type PartyMove struct {
	PartyID string
	CaseID  string // the party's case, announced by a Notice
	To      dispute.PartyStatus
	From    dispute.PartyStatus // "": any
	OpenID  string              // "": kept
	At      time.Time
}

// PartyQR keeps the platform's answer to qrcode/create for a party's
// scene (dispute.Party.QRTicket, QRURL, QRExpires). It changes no status
// and announces nothing.
type PartyQR struct {
	PartyID string
	Ticket  string
	URL     string
	Expires time.Time
}

// PartyOp stores a new party (Change.Parties). It is refused with
// ErrNotFound when its case does not exist (as the ops before it left the
// store), with ErrConflict when its id or its scene is taken.
type PartyOp dispute.Party

func (PartyOp) OpKind() OpKind           { return OpParty }
func (o PartyOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }
func (o PartyOp) Validate() error {
	if err := needCase(OpParty, o.CaseID); err != nil {
		return err
	}
	switch {
	case o.ID == "" || o.Scene == "":
		return fmt.Errorf("store: party of case %s without an id or a scene", o.CaseID)
	case o.Role != dispute.Respondent:
		return fmt.Errorf("store: party %s: role %q", o.ID, o.Role)
	case !o.Status.Valid():
		return fmt.Errorf("store: party %s: status %q", o.ID, o.Status)
	}
	return nil
}

func (o PartyOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op       OpKind              `json:"op"`
		ID       string              `json:"id"`
		Case     string              `json:"case"`
		Role     dispute.Role        `json:"role"`
		Name     string              `json:"name"`
		Phone    string              `json:"phone"`
		Summary  string              `json:"summary"`
		Status   dispute.PartyStatus `json:"status"`
		Scene    string              `json:"scene"`
		OpenID   string              `json:"openid"`
		By       string              `json:"by"`
		Created  int64               `json:"created,string"`
		Updated  int64               `json:"updated,string"`
		Ticket   string              `json:"qr_ticket"`
		URL      string              `json:"qr_url"`
		QRExpire int64               `json:"qr_expires,string"`
	}{OpParty, o.ID, o.CaseID, o.Role, o.Name, o.Phone, o.Summary, o.Status, o.Scene, o.OpenID, o.By,
		UnixMS(o.CreatedAt), UnixMS(o.UpdatedAt), o.QRTicket, o.QRURL, UnixMS(o.QRExpires)})
}

// PartyMoveOp changes a party's status (PartyMove): ErrNotFound for an
// unknown party, ErrConflict when From no longer holds.
type PartyMoveOp PartyMove

func (PartyMoveOp) OpKind() OpKind           { return OpPartyMove }
func (o PartyMoveOp) Notice() (Notice, bool) { return Notice{CaseID: o.CaseID}, true }
func (o PartyMoveOp) Validate() error {
	if o.PartyID == "" {
		return fmt.Errorf("store: party move without a party: %w", ErrNotFound)
	}
	if !o.To.Valid() || (o.From != "" && !o.From.Valid()) {
		return fmt.Errorf("store: party %s: move %q → %q", o.PartyID, o.From, o.To)
	}
	return nil
}

func (o PartyMoveOp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op     OpKind              `json:"op"`
		Party  string              `json:"party"`
		Case   string              `json:"case"`
		To     dispute.PartyStatus `json:"to"`
		From   dispute.PartyStatus `json:"from"` // "": any
		OpenID string              `json:"openid"`
		At     int64               `json:"at,string"`
	}{OpPartyMove, o.PartyID, o.CaseID, o.To, o.From, o.OpenID, UnixMS(o.At)})
}

// PartyQROp keeps a party's QR ticket (PartyQR): ErrNotFound for an
// unknown party.
type PartyQROp PartyQR

func (PartyQROp) OpKind() OpKind         { return OpPartyQR }
func (PartyQROp) Notice() (Notice, bool) { return Notice{}, false }
func (o PartyQROp) Validate() error {
	if o.PartyID == "" {
		return fmt.Errorf("store: party QR without a party: %w", ErrNotFound)
	}
	return nil
}

func (o PartyQROp) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Op      OpKind `json:"op"`
		Party   string `json:"party"`
		Ticket  string `json:"ticket"`
		URL     string `json:"url"`
		Expires int64  `json:"expires,string"`
	}{OpPartyQR, o.PartyID, o.Ticket, o.URL, UnixMS(o.Expires)})
}
