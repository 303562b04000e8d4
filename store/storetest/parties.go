package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The parties' tests join the suite from here, so that other work on
// the list in storetest.go does not meet this one line by line.
func init() {
	tests = append(tests, []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"Parties", testParties},
		{"PartyRefused", testPartyRefused},
		{"PartyBindRace", testPartyBindRace},
		{"PartyAnonymized", testPartyAnonymized},
	}...)
}

func mkParty(k dispute.Case, n int, scene string) dispute.Party {
	return dispute.Party{ID: k.ID + "-R" + string(rune('0'+n)), CaseID: k.ID, Role: dispute.Respondent,
		Name: "刘某", Phone: "13912345678", Summary: "劳动争议：工资", Status: dispute.PartyInvited, Scene: scene, By: "user:med",
		CreatedAt: k.CreatedAt.Add(time.Duration(n) * time.Minute), UpdatedAt: k.CreatedAt.Add(time.Duration(n) * time.Minute)}
}

func checkParty(t *testing.T, what string, got, want dispute.Party) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt) ||
		!sameTime(got.QRExpires, want.QRExpires) || got.QRExpires.IsZero() != want.QRExpires.IsZero() {
		t.Errorf("%s: times %v %v %v, want %v %v %v", what, got.CreatedAt, got.UpdatedAt, got.QRExpires,
			want.CreatedAt, want.UpdatedAt, want.QRExpires)
	}
	got.CreatedAt, got.UpdatedAt, got.QRExpires = time.Time{}, time.Time{}, time.Time{}
	want.CreatedAt, want.UpdatedAt, want.QRExpires = time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func partyIDs(ps []dispute.Party) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// A party is stored with its case's Change or later, found by id, scene
// and case; binding it to an openid (the scan) makes PartiesOf find it,
// the same person on two cases being two parties; an event keeps the
// party it concerns; the QR ticket is kept.
func testParties(t *testing.T, e *env) {
	k1 := mkCase("JF20261127-0701", "oClaim", dispute.Accepted, dispute.Labor, "柳河县", "b1", at(0))
	k2 := mkCase("JF20261127-0702", "oOther", dispute.Mediating, dispute.Neighbor, "东昌区", "b2", at(time.Hour))
	p1 := mkParty(k1, 1, "p-scene-one")
	notes, err := e.s.Subscribe(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.commit(store.Change{NewCases: []dispute.Case{k1}, Parties: []dispute.Party{p1}})
	p2 := mkParty(k1, 2, "p-scene-two")
	p2.Phone = ""
	p3 := mkParty(k2, 1, "p-scene-three")
	e.commit(store.Change{NewCases: []dispute.Case{k2}})
	e.commit(store.Change{Parties: []dispute.Party{p3, p2}})
	for _, want := range []dispute.Party{p1, p2, p3} {
		got, err := e.s.Party(e.ctx, want.ID)
		if err != nil {
			t.Fatalf("Party %s: %v", want.ID, err)
		}
		checkParty(t, "Party", got, want)
		got, err = e.s.PartyByScene(e.ctx, want.Scene)
		if err != nil {
			t.Fatalf("PartyByScene %s: %v", want.Scene, err)
		}
		checkParty(t, "PartyByScene", got, want)
	}
	if _, err := e.s.Party(e.ctx, "JF20261127-0701-R9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown party: %v", err)
	}
	if _, err := e.s.PartyByScene(e.ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown scene: %v", err)
	}
	ps, err := e.s.CaseParties(e.ctx, k1.ID)
	if err != nil || !slices.Equal(partyIDs(ps), []string{p1.ID, p2.ID}) {
		t.Fatalf("CaseParties: %v %v", partyIDs(ps), err)
	}
	if ps, err := e.s.CaseParties(e.ctx, "JF20261127-0999"); err != nil || len(ps) != 0 {
		t.Fatalf("CaseParties of an unknown case: %v %v", ps, err)
	}
	if ps, err := e.s.PartiesOf(e.ctx, "oResp"); err != nil || len(ps) != 0 {
		t.Fatalf("PartiesOf before any binding: %v %v", ps, err)
	}

	// The scan: invited → joined, bound to oResp; then the same person
	// joins the other case.
	e.commit(store.Change{PartyMoves: []store.PartyMove{{PartyID: p1.ID, CaseID: k1.ID, From: dispute.PartyInvited,
		To: dispute.PartyJoined, OpenID: "oResp", At: at(2 * time.Hour)}}})
	e.commit(store.Change{PartyMoves: []store.PartyMove{{PartyID: p3.ID, CaseID: k2.ID, From: dispute.PartyInvited,
		To: dispute.PartyJoined, OpenID: "oResp", At: at(3 * time.Hour)}}})
	ps, err = e.s.PartiesOf(e.ctx, "oResp")
	if err != nil || !slices.Equal(partyIDs(ps), []string{p3.ID, p1.ID}) {
		t.Fatalf("PartiesOf, latest first: %v %v", partyIDs(ps), err)
	}
	// A consent without From and without an openid keeps the binding and
	// brings the party to the front.
	e.commit(store.Change{PartyMoves: []store.PartyMove{{PartyID: p1.ID, CaseID: k1.ID, To: dispute.PartyConsented, At: at(4 * time.Hour)}}})
	got, _ := e.s.Party(e.ctx, p1.ID)
	want := p1
	want.Status, want.OpenID, want.UpdatedAt = dispute.PartyConsented, "oResp", at(4*time.Hour)
	checkParty(t, "after consent", got, want)
	if ps, _ := e.s.PartiesOf(e.ctx, "oResp"); !slices.Equal(partyIDs(ps), []string{p1.ID, p3.ID}) {
		t.Fatalf("PartiesOf after the consent: %v", partyIDs(ps))
	}

	// The QR ticket.
	e.commit(store.Change{PartyQR: []store.PartyQR{{PartyID: p2.ID, Ticket: "tk", URL: "http://weixin.qq.com/q/x", Expires: at(720 * time.Hour)}}})
	got, _ = e.s.Party(e.ctx, p2.ID)
	want = p2
	want.QRTicket, want.QRURL, want.QRExpires = "tk", "http://weixin.qq.com/q/x", at(720*time.Hour)
	checkParty(t, "after the QR", got, want)

	// Events keep their party.
	evs := []dispute.Event{
		{CaseID: k1.ID, At: at(5 * time.Hour), Kind: dispute.MessageIn, Actor: "respondent", Text: "我不欠他钱", Party: p1.ID},
		{CaseID: k1.ID, At: at(6 * time.Hour), Kind: dispute.MessageOut, Actor: "user:med", Text: "请双方周五来", Party: dispute.PartyAll},
	}
	e.commit(store.Change{Events: evs})
	th, err := e.s.Events(e.ctx, k1.ID)
	if err != nil || len(th) != 2 {
		t.Fatalf("Events: %v %v", th, err)
	}
	for i := range evs {
		checkEvent(t, "event", th[i], evs[i])
	}
	m, err := e.s.Threads(e.ctx, []string{k1.ID}, dispute.MessageIn)
	if err != nil || len(m[k1.ID]) != 1 || m[k1.ID][0].Party != p1.ID {
		t.Fatalf("Threads: %+v %v", m, err)
	}

	// Every party change was announced on its case.
	seen := map[string]bool{}
	for len(seen) < 2 {
		select {
		case n := <-notes:
			seen[n.CaseID] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("notices: saw only %v", seen)
		}
	}

	e.reopen()
	got, err = e.s.PartyByScene(e.ctx, p1.Scene)
	if err != nil || got.OpenID != "oResp" || got.Status != dispute.PartyConsented {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
}

// A party of an unknown case, a taken id or scene, a move of an unknown
// party or one whose From no longer holds: each refuses its whole Change.
func testPartyRefused(t *testing.T, e *env) {
	k := mkCase("JF20261127-0711", "oClaim", dispute.Accepted, dispute.Labor, "柳河县", "b1", at(0))
	p := mkParty(k, 1, "scene-a")
	e.commit(store.Change{NewCases: []dispute.Case{k}, Parties: []dispute.Party{p}})
	ev := dispute.Event{CaseID: k.ID, At: at(time.Hour), Kind: dispute.Note, Actor: "user:med", Text: "x"}
	before := e.snapshot([]string{"oClaim"}, []string{k.ID}, []string{"d1"})
	other := mkParty(mkCase("JF20261127-0799", "o", dispute.Accepted, dispute.Labor, "", "b1", at(0)), 1, "scene-b")
	sameID := mkParty(k, 1, "scene-c")
	sameScene := mkParty(k, 2, "scene-a")
	for _, c := range []struct {
		what string
		ch   store.Change
		want error
	}{
		{"unknown case", store.Change{Parties: []dispute.Party{other}}, store.ErrNotFound},
		{"taken id", store.Change{Parties: []dispute.Party{sameID}}, store.ErrConflict},
		{"taken scene", store.Change{Parties: []dispute.Party{sameScene}}, store.ErrConflict},
		{"two of one scene", store.Change{Parties: []dispute.Party{mkParty(k, 3, "scene-d"), mkParty(k, 4, "scene-d")}}, store.ErrConflict},
		{"unknown party", store.Change{PartyMoves: []store.PartyMove{{PartyID: k.ID + "-R9", CaseID: k.ID, To: dispute.PartyJoined, At: at(time.Hour)}}}, store.ErrNotFound},
		{"moved on", store.Change{PartyMoves: []store.PartyMove{{PartyID: p.ID, CaseID: k.ID, From: dispute.PartyJoined, To: dispute.PartyConsented, At: at(time.Hour)}}}, store.ErrConflict},
		{"QR of an unknown party", store.Change{PartyQR: []store.PartyQR{{PartyID: "nope", Ticket: "t"}}}, store.ErrNotFound},
	} {
		c.ch.At, c.ch.Dedup = at(time.Hour), "d1"
		c.ch.Events = []dispute.Event{ev}
		if err := e.s.Commit(e.ctx, c.ch); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
		e.unchanged(c.what, before, []string{"oClaim"}, []string{k.ID}, []string{"d1"})
		if ps, _ := e.s.CaseParties(e.ctx, k.ID); len(ps) != 1 {
			t.Errorf("%s: the case has %d parties", c.what, len(ps))
		}
		if got, _ := e.s.Party(e.ctx, p.ID); got.Status != dispute.PartyInvited {
			t.Errorf("%s: the party is %s", c.what, got.Status)
		}
	}
	// The Change's own moves see its own parties: a party added and
	// joined at once.
	q := mkParty(k, 5, "scene-e")
	e.commit(store.Change{Parties: []dispute.Party{q}, PartyMoves: []store.PartyMove{{PartyID: q.ID, CaseID: k.ID,
		From: dispute.PartyInvited, To: dispute.PartyJoined, OpenID: "oR", At: at(time.Hour)}}})
	if got, _ := e.s.Party(e.ctx, q.ID); got.Status != dispute.PartyJoined || got.OpenID != "oR" {
		t.Errorf("added and joined in one Change: %+v", got)
	}
}

// Two people scanning one code at once: one binds, the other's Change is
// refused.
func testPartyBindRace(t *testing.T, e *env) {
	k := mkCase("JF20261127-0721", "oClaim", dispute.Accepted, dispute.Labor, "柳河县", "b1", at(0))
	p := mkParty(k, 1, "scene-race")
	e.commit(store.Change{NewCases: []dispute.Case{k}, Parties: []dispute.Party{p}})
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			errs <- e.s.Commit(e.ctx, store.Change{PartyMoves: []store.PartyMove{{PartyID: p.ID, CaseID: k.ID,
				From: dispute.PartyInvited, To: dispute.PartyJoined, OpenID: "o" + string(rune('a'+i)), At: at(time.Hour)}}})
		}()
	}
	won := 0
	for range 8 {
		err := <-errs
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("a losing bind: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d binds won", won)
	}
	got, _ := e.s.Party(e.ctx, p.ID)
	if ps, _ := e.s.PartiesOf(e.ctx, got.OpenID); len(ps) != 1 {
		t.Fatalf("the winner %s has %d parties", got.OpenID, len(ps))
	}
}

// Anonymize takes the other parties' personal data with the claimant's;
// their roles and statuses stay.
func testPartyAnonymized(t *testing.T, e *env) {
	k := mkCase("JF20261127-0731", "oClaim", dispute.Resolved, dispute.Labor, "柳河县", "b1", at(0))
	p := mkParty(k, 1, "scene-anon")
	e.commit(store.Change{NewCases: []dispute.Case{k}, Parties: []dispute.Party{p},
		PartyMoves: []store.PartyMove{{PartyID: p.ID, CaseID: k.ID, To: dispute.PartyJoined, OpenID: "oResp", At: at(time.Hour)}},
		PartyQR:    []store.PartyQR{{PartyID: p.ID, Ticket: "tk", URL: "http://weixin.qq.com/q/x", Expires: at(time.Hour)}}})
	if _, err := e.s.Anonymize(e.ctx, k.ID, store.AuditEntry{At: at(2 * time.Hour), User: store.AuditSystem, Action: store.AuditRedact}); err != nil {
		t.Fatal(err)
	}
	got, err := e.s.Party(e.ctx, p.ID)
	if err != nil || got.Name != "" || got.Phone != "" || got.Summary != "" || got.OpenID != "" || got.QRTicket != "" || got.QRURL != "" ||
		got.Status != dispute.PartyJoined || got.Role != dispute.Respondent {
		t.Fatalf("after Anonymize: %+v %v", got, err)
	}
	if ps, _ := e.s.PartiesOf(e.ctx, "oResp"); len(ps) != 0 {
		t.Fatalf("the openid still finds %d parties", len(ps))
	}
}
