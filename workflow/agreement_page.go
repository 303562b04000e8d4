package workflow

import (
	"context"
	"errors"
	"slices"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// The agreement on a case page (the signed link): a party outside WeChat
// (a respondent who came by the invitation link) takes the same steps as
// in the chat — reads the terms, confirms them, applies for judicial
// confirmation — through the same code.

// PageAgreement is what a case page shows of the agreement to one party.
type PageAgreement struct {
	Version   int
	Terms     string
	Signed    bool
	Confirmed bool // this party confirmed the current version
	CanApply  bool // in effect, confirmable, not yet applied for by this party
	Judicial  string
}

// pageParty is the reader of a case page as a side of the case: the
// claimant (p zero) or a respondent.
func pageParty(k dispute.Case, p dispute.Party) partyCase {
	if p.ID == "" {
		return partyCase{Case: k, Party: Party{Key: dispute.PartyCitizen, Role: dispute.PartyCitizen, OpenID: k.OpenID, Phone: k.Phone}}
	}
	return partyCase{Case: k, Party: Party{Key: respondentKey(p.ID), ID: p.ID, Role: dispute.PartyRespondent, Name: p.Name,
		OpenID: p.OpenID, Phone: p.Phone}}
}

// AgreementForPage is the agreement of case k as party p's page shows it;
// ok is false when there is none to show (none drafted, or the party is
// not asked: declined or withdrawn).
func (w *Cases) AgreementForPage(k dispute.Case, p dispute.Party, events []dispute.Event) (PageAgreement, bool) {
	if p.ID != "" && (p.Status == dispute.PartyDeclined || p.Status == dispute.PartyWithdrawn) {
		return PageAgreement{}, false
	}
	a := dispute.AgreementOf(k.ID, events)
	cur := a.Current()
	if cur.Version == 0 {
		return PageAgreement{}, false
	}
	key := pageParty(k, p).Party.Key
	v := PageAgreement{Version: cur.Version, Terms: cur.Terms, Signed: a.Signed(), Confirmed: a.Confirmed(key)}
	if j, ok := dispute.JudicialOf(k, events, w.Now()); ok {
		v.CanApply = j.Status == dispute.JudicialAvailable && !slices.Contains(j.Applied, key)
		v.Judicial = catalog.JudicialStatusName(j.Status)
	}
	return v, true
}

// PageConfirms takes 确认协议 given on a case page for version, the one
// the page showed: a newer version is not confirmed unread.
func (w *Cases) PageConfirms(ctx context.Context, k dispute.Case, p dispute.Party, version int) error {
	return w.onPage(ctx, k, p, func(ch *store.Change, pc partyCase, events []dispute.Event, now time.Time) error {
		a := dispute.AgreementOf(k.ID, events)
		cur := a.Current()
		switch {
		case cur.Version == 0:
			return refuse(Conflict, catalog.NoAgreement)
		case version != cur.Version:
			return refuse(Conflict, catalog.AgreementStale(k.ID, version, cur.Version))
		case a.Confirmed(pc.Party.Key):
			return nil
		}
		_, _, err := w.confirm(ctx, ch, pc, events, a, now)
		return err
	})
}

// PageApplies takes 申请司法确认 given on a case page, with a 送达地址
// when one was written.
func (w *Cases) PageApplies(ctx context.Context, k dispute.Case, p dispute.Party, address string) error {
	return w.onPage(ctx, k, p, func(ch *store.Change, pc partyCase, _ []dispute.Event, now time.Time) error {
		if _, done, err := w.applyFor(ctx, ch, pc, cleanAddress(address), now); err != nil || !done {
			if err == nil {
				err = refuse(Conflict, catalog.CourtNotSigned)
			}
			return err
		}
		return nil
	})
}

// onPage runs a party's step from a case page and commits it; a step that
// lost a race with the other party's (store.ThreadMark) runs again on the
// thread as it is now.
func (w *Cases) onPage(ctx context.Context, k dispute.Case, p dispute.Party, step func(*store.Change, partyCase, []dispute.Event, time.Time) error) error {
	if err := notAnonymized(k); err != nil {
		return err
	}
	if p.ID != "" && (p.Status == dispute.PartyDeclined || p.Status == dispute.PartyWithdrawn) {
		return refuse(Conflict, "您目前不是本案的调解当事人。")
	}
	for attempt := 0; attempt < 3; attempt++ {
		events, err := w.Store.Events(ctx, k.ID)
		if err != nil {
			return err
		}
		var ch store.Change
		if err := step(&ch, pageParty(k, p), events, w.Now()); err != nil || len(ch.Events) == 0 {
			return err
		}
		err = w.Store.Commit(ctx, ch)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err == nil {
			if w.Kick != nil {
				w.Kick()
			}
			if len(ch.Referrals) > 0 && w.KickReferrals != nil {
				w.KickReferrals()
			}
		}
		return err
	}
	return errMoved
}
