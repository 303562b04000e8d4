package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The audit log and personal-data retention (store.Audit).

// Registered here rather than in the list in storetest.go, so features
// added side by side do not all edit the same lines.
func init() {
	tests = append(tests, []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"AuditLog", testAuditLog},
		{"AuditPaging", testAuditPaging},
		{"AuditConcurrent", testAuditConcurrent},
		{"EndedBefore", testEndedBefore},
		{"Anonymize", testAnonymize},
		{"AnonymizeRefused", testAnonymizeRefused},
		{"AnonymizeConcurrent", testAnonymizeConcurrent},
	}...)
}

func (e *env) audit(entries ...store.AuditEntry) {
	e.t.Helper()
	for _, a := range entries {
		if err := e.s.AppendAudit(e.ctx, a); err != nil {
			e.t.Fatalf("AppendAudit: %v", err)
		}
	}
}

func (e *env) auditLog(f store.AuditFilter) []store.AuditEntry {
	e.t.Helper()
	got, err := e.s.AuditLog(e.ctx, f)
	if err != nil {
		e.t.Fatalf("AuditLog(%+v): %v", f, err)
	}
	return got
}

// auditKey shows what an entry says, without its id, to the millisecond.
func auditKey(a store.AuditEntry) string {
	return fmt.Sprintf("%d %s/%s %s %s %q %s", store.UnixMS(a.At), a.User, a.Role, a.Action, a.CaseID, a.Detail, a.Addr)
}

func auditKeys(as []store.AuditEntry) []string {
	var out []string
	for _, a := range as {
		out = append(out, auditKey(a))
	}
	return out
}

// auditSample appends entries out of time order, two of them at the same
// instant, and returns them as stored (ids read back) in the log's order:
// newest first, then by id.
func auditSample(t *testing.T, e *env) []store.AuditEntry {
	in := []store.AuditEntry{
		{At: at(time.Hour), User: "李", Role: store.RoleMediator, Action: store.AuditView, CaseID: "JF20261127-0001", Addr: "10.0.0.1"},
		{At: at(0), User: "王", Role: store.RoleSupervisor, Action: store.AuditChange, CaseID: "JF20261127-0001", Detail: "status accepted", Addr: "10.0.0.2"},
		{At: at(2 * time.Hour), User: "李", Role: store.RoleMediator, Action: store.AuditSend, CaseID: "JF20261127-0002", Detail: "reply", Addr: "10.0.0.1"},
		{At: at(2 * time.Hour), User: "admin", Role: store.RoleAdmin, Action: store.AuditExport, Detail: "stats.csv 2026-11-01..2026-11-30", Addr: "::1"},
		{At: at(3 * time.Hour), User: "李", Role: store.RoleMediator, Action: store.AuditLogout, Addr: "10.0.0.1"},
		{At: at(30 * time.Minute), User: store.AuditSystem, Action: store.AuditRedact, CaseID: "JF20261127-0002", Detail: "retention"},
	}
	e.audit(in...)
	all := e.auditLog(store.AuditFilter{})
	if len(all) != len(in) {
		t.Fatalf("AuditLog() = %d entries, want %d", len(all), len(in))
	}
	// Ids increase in the order entries were appended.
	byKey := map[string]int64{}
	for _, a := range all {
		byKey[auditKey(a)] = a.ID
	}
	var last int64
	for i, a := range in {
		id, ok := byKey[auditKey(a)]
		if !ok {
			t.Fatalf("entry %d %s was not kept as appended; the log holds %q", i, auditKey(a), auditKeys(all))
		}
		if id <= last {
			t.Errorf("entry %d has id %d after %d: ids must increase", i, id, last)
		}
		last = id
		in[i].ID = id
	}
	want := slices.Clone(in)
	slices.SortFunc(want, func(a, b store.AuditEntry) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID))
	})
	return want
}

// match is the filter as the contract says, to hold the stores to; times
// count to the millisecond, as the stores keep them.
func match(f store.AuditFilter, a store.AuditEntry) bool {
	ms := store.UnixMS(a.At)
	return (f.User == "" || a.User == f.User) && (f.CaseID == "" || a.CaseID == f.CaseID) &&
		(f.Action == "" || a.Action == f.Action) && (f.From.IsZero() || ms >= store.UnixMS(f.From)) &&
		(f.To.IsZero() || ms < store.UnixMS(f.To))
}

// Every filter, alone and together, returns exactly the matching entries,
// newest first; the log survives a restart.
func testAuditLog(t *testing.T, e *env) {
	all := auditSample(t, e)
	if ids := []int64{all[1].ID, all[2].ID}; all[1].At.Equal(all[2].At) && ids[0] < ids[1] {
		t.Fatalf("the sample's entries of one instant are not newest id first: %v", ids)
	}
	filters := []store.AuditFilter{
		{},
		{User: "李"},
		{CaseID: "JF20261127-0001"},
		{Action: store.AuditView},
		{User: "李", CaseID: "JF20261127-0002"},
		{User: "李", Action: store.AuditChange},
		{From: at(time.Hour)},
		{To: at(2 * time.Hour)},
		{From: at(30 * time.Minute), To: at(2*time.Hour + time.Millisecond), User: "李"},
		{User: "nobody"},
		{Limit: 2},
		{User: "李", Limit: 1},
	}
	check := func(what string) {
		for _, f := range filters {
			var want []store.AuditEntry
			for _, a := range all {
				if match(f, a) && (f.Limit == 0 || len(want) < f.Limit) {
					want = append(want, a)
				}
			}
			got := e.auditLog(f)
			if !slices.Equal(auditKeys(got), auditKeys(want)) {
				t.Errorf("%s: AuditLog(%+v) =\n%q\nwant\n%q", what, f, auditKeys(got), auditKeys(want))
			}
		}
	}
	check("before the restart")
	e.reopen()
	check("after the restart")
	// Ids go on increasing after a restart.
	e.audit(store.AuditEntry{At: at(4 * time.Hour), User: "李", Action: store.AuditLogin, Addr: "10.0.0.1"})
	maxID := slices.MaxFunc(all, func(a, b store.AuditEntry) int { return cmp.Compare(a.ID, b.ID) }).ID
	if got := e.auditLog(store.AuditFilter{Limit: 1}); len(got) != 1 || got[0].ID <= maxID || got[0].Action != store.AuditLogin {
		t.Errorf("the entry appended after a restart: %+v", got)
	}
}

// Paging with Before through a filtered log gives every entry once, in
// order; an unknown Before gives nothing.
func testAuditPaging(t *testing.T, e *env) {
	all := auditSample(t, e)
	// Many entries of one instant, so a page boundary falls among them.
	for i := range 7 {
		e.audit(store.AuditEntry{At: at(90 * time.Minute), User: "张", Role: store.RoleMediator, Action: store.AuditView,
			CaseID: fmt.Sprintf("JF20261127-%04d", 10+i)})
	}
	for _, f := range []store.AuditFilter{{}, {User: "张"}, {Action: store.AuditView}, {From: at(time.Hour), To: at(3 * time.Hour)}} {
		full := e.auditLog(f)
		for _, size := range []int{1, 2, 3} {
			var paged []store.AuditEntry
			page := f
			page.Limit = size
			for range 100 {
				got := e.auditLog(page)
				paged = append(paged, got...)
				if len(got) < size {
					break
				}
				page.Before = got[len(got)-1].ID
			}
			if !slices.EqualFunc(paged, full, func(a, b store.AuditEntry) bool { return a.ID == b.ID }) {
				t.Errorf("pages of %d of %+v:\n%q\nwant\n%q", size, f, auditKeys(paged), auditKeys(full))
			}
		}
	}
	if got := e.auditLog(store.AuditFilter{Before: all[0].ID + 1000}); len(got) != 0 {
		t.Errorf("AuditLog(Before an unknown id) = %q, want nothing", auditKeys(got))
	}
	if got := e.auditLog(store.AuditFilter{Before: all[len(all)-1].ID}); len(got) != 0 {
		t.Errorf("AuditLog(Before the oldest) = %q, want nothing", auditKeys(got))
	}
}

// Entries appended at once all get kept, with ids of their own.
func testAuditConcurrent(t *testing.T, e *env) {
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := e.s.AppendAudit(e.ctx, store.AuditEntry{At: at(time.Duration(i%3) * time.Second), User: fmt.Sprintf("u%d", i), Action: store.AuditView}); err != nil {
				t.Errorf("AppendAudit: %v", err)
			}
		})
	}
	wg.Wait()
	got := e.auditLog(store.AuditFilter{})
	ids := map[int64]bool{}
	for _, a := range got {
		ids[a.ID] = true
	}
	if len(got) != n || len(ids) != n {
		t.Errorf("%d concurrent appends left %d entries with %d ids", n, len(got), len(ids))
	}
}

// retentionCase is a case with a thread, queue items, a referral and a
// file: everything Anonymize must clear or keep.
func (e *env) retentionCase(id, openID string, st dispute.Status, updated time.Time) dispute.Case {
	e.t.Helper()
	k := mkCase(id, openID, st, dispute.Labor, "柳河县", "lh-labor", at(0))
	k.UpdatedAt, k.VideoAt, k.VideoURL, k.Assignee = updated, at(time.Hour), "https://meet.example/"+id, "李"
	e.commit(store.Change{
		NewCases: []dispute.Case{k},
		Events: []dispute.Event{
			{CaseID: id, At: at(0), Kind: dispute.MessageIn, Actor: "citizen", Text: "老板欠我工资，电话13912345678"},
			{CaseID: id, At: at(time.Second), Kind: dispute.MessageIn, Actor: "citizen", MediaID: "img-" + id},
			{CaseID: id, At: at(time.Minute), Kind: dispute.StatusSet, Actor: "user:李", Status: dispute.Accepted, Text: "已联系张师傅"},
			{CaseID: id, At: at(2 * time.Minute), Kind: dispute.MessageOut, Actor: "user:李", Text: "张师傅您好"},
			{CaseID: id, At: at(3 * time.Minute), Kind: dispute.Note, Actor: "user:李", Text: "市民住在幸福小区"},
			{CaseID: id, At: at(4 * time.Minute), Kind: dispute.Retyped, Actor: "user:李", Text: "contract_debt labor"},
			{CaseID: id, At: at(5 * time.Minute), Kind: dispute.Declined, Actor: "user:王", Body: "dc-labor", Text: "不属本单位"},
			{CaseID: id, At: updated, Kind: dispute.StatusSet, Actor: "user:李", Status: st},
			{CaseID: id, At: updated.Add(time.Minute), Kind: dispute.Rating, Actor: "citizen", Text: "5"},
		},
		Outbound: []store.Outbound{
			{OpenID: openID, CaseID: id, Kind: store.OutFetchMedia, MediaID: "img-" + id, NotBefore: at(0), CreatedAt: at(0)},
			{OpenID: openID, CaseID: id, Kind: store.OutText, Text: "调解成功 " + id, NotBefore: at(0), CreatedAt: at(0)},
		},
		Referrals: []store.Referral{{Delivery: "d-" + id, CaseID: id, Body: "lh-labor", URL: "https://agency.example/in",
			Payload: []byte(`{"story":"老板欠我工资","phone":"13912345678"}`), NotBefore: at(0), CreatedAt: at(0)}},
	})
	for _, m := range []string{"img-" + id, "case-file-" + id} {
		if err := e.s.PutMedia(e.ctx, store.Media{MediaID: m, OpenID: openID, CaseID: id, ContentType: "image/jpeg", Data: []byte("jpeg"), At: at(0)}); err != nil {
			e.t.Fatalf("PutMedia: %v", err)
		}
	}
	return k
}

// EndedBefore finds the ended cases last changed before the time and not
// anonymised, and nothing else.
func testEndedBefore(t *testing.T, e *env) {
	cut := at(1000 * time.Hour)
	var want []string
	for i, c := range []struct {
		st      dispute.Status
		updated time.Time
		found   bool
	}{
		{dispute.Resolved, cut.Add(-time.Hour), true},
		{dispute.Unresolved, cut.Add(-time.Millisecond), true},
		{dispute.Withdrawn, at(time.Hour), true},
		{dispute.Resolved, cut, false}, // not before
		{dispute.Withdrawn, cut.Add(time.Hour), false},
		{dispute.Mediating, at(time.Hour), false}, // open
		{dispute.Received, at(time.Hour), false},
		{dispute.Accepted, at(time.Hour), false},
	} {
		id := fmt.Sprintf("JF20261127-%04d", i+1)
		k := mkCase(id, "o1", c.st, dispute.Labor, "柳河县", "lh-labor", at(time.Duration(i)*time.Second))
		k.UpdatedAt = c.updated
		e.commit(store.Change{NewCases: []dispute.Case{k}})
		if c.found {
			want = append(want, id)
		}
	}
	ended := func(limit int) []string {
		t.Helper()
		got, err := e.s.EndedBefore(e.ctx, cut, limit)
		if err != nil {
			t.Fatalf("EndedBefore: %v", err)
		}
		return got
	}
	if got := ended(100); !slices.Equal(sorted(got), want) {
		t.Errorf("EndedBefore = %v, want %v", sorted(got), want)
	}
	if got := ended(2); len(got) != 2 || !slices.Contains(want, got[0]) || !slices.Contains(want, got[1]) || got[0] == got[1] {
		t.Errorf("EndedBefore(limit 2) = %v, want two of %v", got, want)
	}
	// A case that reopens is no longer a candidate; an anonymised one neither.
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: want[0], To: dispute.Mediating, At: at(2 * time.Hour)}}})
	if _, err := e.s.Anonymize(e.ctx, want[1], store.AuditEntry{At: cut, User: store.AuditSystem, Action: store.AuditRedact}); err != nil {
		t.Fatalf("Anonymize: %v", err)
	}
	if got := ended(100); !slices.Equal(got, want[2:]) {
		t.Errorf("EndedBefore after a reopening and an anonymisation = %v, want %v", got, want[2:])
	}
}

// Anonymize clears every piece of personal data of the case and keeps
// what statistics read; other cases are untouched; a second call changes
// nothing.
func testAnonymize(t *testing.T, e *env) {
	const who = "oRetention1"
	k := e.retentionCase("JF20261127-0001", who, dispute.Resolved, at(10*time.Hour))
	other := e.retentionCase("JF20261127-0002", who, dispute.Resolved, at(10*time.Hour))
	// One queue item was sent, the other is held (outside the window).
	for _, o := range e.claim(at(time.Second), 1) {
		e.finish(o, store.OutboundResult{State: store.OutSent, Via: "custom"})
	}
	for _, o := range e.claim(at(2*time.Second), 1) {
		e.finish(o, store.OutboundResult{State: store.OutHeld})
	}
	otherEvents, _ := e.s.Events(e.ctx, other.ID)
	beforeEvents, _ := e.s.Events(e.ctx, k.ID)

	when := at(5000 * time.Hour)
	done, err := e.s.Anonymize(e.ctx, k.ID, store.AuditEntry{At: when, User: store.AuditSystem, Action: store.AuditRedact, Detail: "retention 1095d"})
	if err != nil || !done {
		t.Fatalf("Anonymize = %v, %v; want true", done, err)
	}
	check := func(what string) {
		t.Helper()
		want := k
		want.Story, want.Summary, want.OpenID, want.Phone, want.VideoURL = "", "", "", "", ""
		want.Anonymized = when
		got := e.listed(k.ID)
		if !sameTime(got.Anonymized, when) {
			t.Errorf("%s: Anonymized = %v, want %v", what, got.Anonymized, when)
		}
		got.Anonymized, want.Anonymized = time.Time{}, time.Time{}
		checkCase(t, what+": anonymised case", got, want)
		if gotOther := e.listed(other.ID); gotOther.Story != other.Story || gotOther.Phone != other.Phone || !gotOther.Anonymized.IsZero() {
			t.Errorf("%s: the other case changed: %+v", what, gotOther)
		}

		evs, err := e.s.Events(e.ctx, k.ID)
		if err != nil || len(evs) != len(beforeEvents) {
			t.Fatalf("%s: Events = %d, %v; want the %d events kept", what, len(evs), err, len(beforeEvents))
		}
		for i, ev := range evs {
			w := beforeEvents[i]
			if w.Kind != dispute.Rating && w.Kind != dispute.Retyped {
				w.Text, w.MediaID = "", ""
			}
			if ev.ID != w.ID {
				t.Errorf("%s: event %d id %d, want %d", what, i, ev.ID, w.ID)
			}
			checkEvent(t, fmt.Sprintf("%s: event %d", what, i), ev, w)
		}
		if evs, _ := e.s.Events(e.ctx, other.ID); !slices.Equal(evs, otherEvents) {
			t.Errorf("%s: the other case's thread changed", what)
		}

		for _, m := range []string{"img-" + k.ID, "case-file-" + k.ID} {
			if _, err := e.s.Media(e.ctx, m); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: Media(%s) = %v, want it deleted", what, m, err)
			}
		}
		if _, err := e.s.Media(e.ctx, "img-"+other.ID); err != nil {
			t.Errorf("%s: the other case's file: %v", what, err)
		}

		// The case's items leave the citizen's list, keep no text, and the
		// held one fails; the other case's stay as they were.
		mine, err := e.s.Outbounds(e.ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range mine {
			if o.CaseID == k.ID {
				t.Errorf("%s: Outbounds(citizen) still lists the case's item %+v", what, o)
			}
		}
		if len(mine) != 2 {
			t.Errorf("%s: Outbounds(citizen) = %d items, want the other case's 2", what, len(mine))
		}
		everyone, err := e.s.Outbounds(e.ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range everyone {
			if o.CaseID != k.ID {
				continue
			}
			n++
			if o.Text != "" || o.MediaID != "" || o.OpenID != "" {
				t.Errorf("%s: the case's item keeps personal data: %+v", what, o)
			}
			if o.State == store.OutPending || o.State == store.OutHeld {
				t.Errorf("%s: the case's item is still to be sent: %+v", what, o)
			}
			if o.State == store.OutFailed && o.LastError != store.OutRedacted {
				t.Errorf("%s: a failed item says %q, want %q", what, o.LastError, store.OutRedacted)
			}
		}
		if n != 2 {
			t.Errorf("%s: Outbounds() lists %d of the case's items, want 2", what, n)
		}
		if cs, _ := e.s.Cases(e.ctx, store.CaseFilter{OpenID: who}); !slices.Equal(caseIDs(cs), []string{other.ID}) {
			t.Errorf("%s: Cases(citizen) = %v, want only %s", what, caseIDs(cs), other.ID)
		}

		refs, err := e.s.ListReferrals(e.ctx, store.ReferralFilter{CaseID: k.ID})
		if err != nil || len(refs) != 1 || len(refs[0].Payload) != 0 || refs[0].Delivery != "d-"+k.ID {
			t.Errorf("%s: referrals = %+v, %v; want one, its payload gone", what, refs, err)
		} else if refs[0].State != store.RefFailed || refs[0].LastError != store.OutRedacted {
			// It was still pending: sent now, it would go out empty.
			t.Errorf("%s: the pending referral is %s (%q), want failed (%q)", what, refs[0].State, refs[0].LastError, store.OutRedacted)
		}
		if due, err := e.s.ClaimReferrals(e.ctx, time.Now().Add(time.Hour), time.Minute, 10); err != nil {
			t.Fatal(err)
		} else if slices.ContainsFunc(due, func(r store.Referral) bool { return r.CaseID == k.ID }) {
			t.Errorf("%s: the anonymised case's referral is still claimed for sending", what)
		}
		if refs, _ := e.s.ListReferrals(e.ctx, store.ReferralFilter{CaseID: other.ID}); len(refs) != 1 || len(refs[0].Payload) == 0 {
			t.Errorf("%s: the other case's referral lost its payload", what)
		}

		log := e.auditLog(store.AuditFilter{CaseID: k.ID})
		if len(log) != 1 || log[0].Action != store.AuditRedact || log[0].User != store.AuditSystem ||
			!sameTime(log[0].At, when) || log[0].Detail != "retention 1095d" {
			t.Errorf("%s: audit log of the case = %q, want one redact entry", what, auditKeys(log))
		}
	}
	check("after Anonymize")

	again, err := e.s.Anonymize(e.ctx, k.ID, store.AuditEntry{At: when.Add(time.Hour), User: store.AuditSystem, Action: store.AuditRedact, Detail: "retention 1095d"})
	if err != nil || again {
		t.Errorf("Anonymize again = %v, %v; want false, nil", again, err)
	}
	check("after a second Anonymize")
	e.reopen()
	check("after a restart")
}

// An open case and an unknown one are refused, and nothing changes.
func testAnonymizeRefused(t *testing.T, e *env) {
	k := e.retentionCase("JF20261127-0001", "oRetention2", dispute.Mediating, at(time.Hour))
	before := e.snapshot([]string{"oRetention2"}, []string{k.ID}, nil)
	entry := store.AuditEntry{At: at(5000 * time.Hour), User: store.AuditSystem, Action: store.AuditRedact}
	if done, err := e.s.Anonymize(e.ctx, k.ID, entry); !errors.Is(err, store.ErrConflict) || done {
		t.Errorf("Anonymize(open case) = %v, %v; want ErrConflict", done, err)
	}
	if done, err := e.s.Anonymize(e.ctx, "JF20261127-0099", entry); !errors.Is(err, store.ErrNotFound) || done {
		t.Errorf("Anonymize(unknown) = %v, %v; want ErrNotFound", done, err)
	}
	e.unchanged("a refused Anonymize", before, []string{"oRetention2"}, []string{k.ID}, nil)
	if _, err := e.s.Media(e.ctx, "img-"+k.ID); err != nil {
		t.Errorf("a refused Anonymize deleted a file: %v", err)
	}
	if log := e.auditLog(store.AuditFilter{}); len(log) != 0 {
		t.Errorf("a refused Anonymize wrote %q", auditKeys(log))
	}
}

// Instances racing to anonymise the same case: one does it, one entry.
func testAnonymizeConcurrent(t *testing.T, e *env) {
	k := e.retentionCase("JF20261127-0001", "oRetention3", dispute.Withdrawn, at(time.Hour))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			done, err := e.s.Anonymize(e.ctx, k.ID, store.AuditEntry{At: at(5000 * time.Hour), User: store.AuditSystem, Action: store.AuditRedact})
			if err != nil {
				t.Errorf("Anonymize: %v", err)
			}
			if done {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if log := e.auditLog(store.AuditFilter{CaseID: k.ID}); wins != 1 || len(log) != 1 {
		t.Errorf("8 racing Anonymize calls: %d did it, %d entries; want 1 and 1", wins, len(log))
	}
}
