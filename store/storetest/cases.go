package storetest

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func testNextCaseSeq(t *testing.T, e *env) {
	next := func(day string, want int64) {
		t.Helper()
		if got, err := e.s.NextCaseSeq(e.ctx, day); err != nil || got != want {
			t.Errorf("NextCaseSeq(%s) = %d, %v; want %d", day, got, err, want)
		}
	}
	next("20261127", 1)
	next("20261127", 2)
	next("20261127", 3)
	next("20261128", 1)
	next("20261127", 4)
	next("20261128", 2)
}

func testNextCaseSeqConcurrent(t *testing.T, e *env) {
	const n = 50
	got := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = e.s.NextCaseSeq(e.ctx, "20261127") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("NextCaseSeq %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("%d concurrent NextCaseSeq gave %v, want 1…%d each once", n, got, n)
		}
	}
}

func testCase(t *testing.T, e *env) {
	if _, err := e.s.Case(e.ctx, "JF20261127-0001"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Case(unknown) = %v, want ErrNotFound", err)
	}
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "东昌区劳动人事争议仲裁院", at(0))
	plain := mkCase("JF20261127-0002", "o2", dispute.Received, dispute.Family, "集安市", "集安市人民调解委员会", at(time.Second))
	plain.Phone, plain.Urgent = "", false
	e.commit(store.Change{NewCases: []dispute.Case{c, plain}})
	for _, want := range []dispute.Case{c, plain} {
		got, err := e.s.Case(e.ctx, want.ID)
		if err != nil {
			t.Fatalf("Case(%s): %v", want.ID, err)
		}
		checkCase(t, want.ID, got, want)
	}

	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: c.ID, To: dispute.Referred, At: at(time.Hour)}}})
	got, err := e.s.Case(e.ctx, c.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	want := c
	want.Status, want.UpdatedAt = dispute.Referred, at(time.Hour)
	checkCase(t, "after a status change", got, want)
}

func testCases(t *testing.T, e *env) {
	h := time.Hour
	c1 := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(1*h))
	c2 := mkCase("JF20261127-0002", "o1", dispute.Referred, dispute.Labor, "通化县", "bodyB", at(2*h))
	c3 := mkCase("JF20261127-0003", "o2", dispute.Received, dispute.Family, "东昌区", "bodyA", at(3*h))
	c4 := mkCase("JF20261127-0004", "o2", dispute.Resolved, dispute.Labor, "东昌区", "bodyA", at(4*h))
	c5 := mkCase("JF20261127-0005", "o3", dispute.Received, dispute.Labor, "东昌区", "bodyB", at(5*h))
	// Stored out of order: the listing order must come from CreatedAt.
	e.commit(store.Change{NewCases: []dispute.Case{c3, c1}})
	e.commit(store.Change{NewCases: []dispute.Case{c5}})
	e.commit(store.Change{NewCases: []dispute.Case{c2, c4}})

	check := func(f store.CaseFilter, want ...dispute.Case) {
		t.Helper()
		got, err := e.s.Cases(e.ctx, f)
		if err != nil {
			t.Fatalf("Cases(%+v): %v", f, err)
		}
		if !slices.Equal(caseIDs(got), caseIDs(want)) {
			t.Errorf("Cases(%+v) = %v, want %v (newest first)", f, caseIDs(got), caseIDs(want))
		}
	}
	check(store.CaseFilter{}, c5, c4, c3, c2, c1)
	check(store.CaseFilter{OpenID: "o1"}, c2, c1)
	check(store.CaseFilter{Status: dispute.Received}, c5, c3, c1)
	check(store.CaseFilter{Type: dispute.Labor}, c5, c4, c2, c1)
	check(store.CaseFilter{Region: "通化县"}, c2)
	check(store.CaseFilter{Body: "bodyA"}, c4, c3, c1)
	check(store.CaseFilter{Status: dispute.Received, Type: dispute.Labor, Body: "bodyA"}, c1)
	check(store.CaseFilter{OpenID: "o2", Region: "东昌区", Status: dispute.Resolved}, c4)
	check(store.CaseFilter{Limit: 2}, c5, c4)
	check(store.CaseFilter{Type: dispute.Labor, Limit: 3}, c5, c4, c2)
	check(store.CaseFilter{OpenID: "nobody"})

	got, err := e.s.Cases(e.ctx, store.CaseFilter{OpenID: "o2", Status: dispute.Resolved})
	if err != nil || len(got) != 1 {
		t.Fatalf("Cases = %v, %v", got, err)
	}
	checkCase(t, "listed case", got[0], c4)

	// Filters see status changes.
	e.commit(store.Change{Statuses: []store.StatusChange{{CaseID: c1.ID, To: dispute.Referred, At: at(6 * h)}}})
	check(store.CaseFilter{Status: dispute.Received}, c5, c3)
	check(store.CaseFilter{Status: dispute.Referred}, c2, c1)

	// Changed since: by UpdatedAt (c1 just moved at 6h; the others were
	// last changed a minute after they were made), the bound included.
	check(store.CaseFilter{UpdatedSince: at(4*h + time.Minute)}, c5, c4, c1)
	check(store.CaseFilter{UpdatedSince: at(6 * h), Status: dispute.Referred}, c1)
	check(store.CaseFilter{UpdatedSince: at(7 * h)})
}

func testEvents(t *testing.T, e *env) {
	a := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	b := mkCase("JF20261127-0002", "o2", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	a1 := dispute.Event{CaseID: a.ID, At: at(1 * time.Second), Kind: dispute.MessageIn, Actor: "citizen", Text: "一", MediaID: "img1"}
	b1 := dispute.Event{CaseID: b.ID, At: at(2 * time.Second), Kind: dispute.Note, Actor: "user:李", Text: "内部备注"}
	a2 := dispute.Event{CaseID: a.ID, At: at(3 * time.Second), Kind: dispute.StatusSet, Actor: "system", Status: dispute.Referred}
	a3 := dispute.Event{CaseID: a.ID, At: at(4 * time.Second), Kind: dispute.MessageOut, Actor: "bot", Text: "三"}
	e.commit(store.Change{NewCases: []dispute.Case{a, b}, Events: []dispute.Event{a1, b1}})
	e.commit(store.Change{Events: []dispute.Event{a2, a3}})

	got, err := e.s.Events(e.ctx, a.ID)
	if err != nil || len(got) != 3 {
		t.Fatalf("Events(a) = %+v, %v; want 3", got, err)
	}
	for i, want := range []dispute.Event{a1, a2, a3} {
		checkEvent(t, "event a"+string(rune('1'+i)), got[i], want)
	}
	gb, err := e.s.Events(e.ctx, b.ID)
	if err != nil || len(gb) != 1 {
		t.Fatalf("Events(b) = %+v, %v; want 1", gb, err)
	}
	checkEvent(t, "event b1", gb[0], b1)
	if !(0 < got[0].ID && got[0].ID < gb[0].ID && gb[0].ID < got[1].ID && got[1].ID < got[2].ID) {
		t.Errorf("ids a1 %d b1 %d a2 %d a3 %d: want positive, increasing in commit order",
			got[0].ID, gb[0].ID, got[1].ID, got[2].ID)
	}
	if none, err := e.s.Events(e.ctx, "JF-unknown"); err != nil || len(none) != 0 {
		t.Errorf("Events(unknown) = %+v, %v; want none", none, err)
	}
}

// MarkUrgent flags a case; an unknown case refuses the whole Change.
func testMarkUrgent(t *testing.T, e *env) {
	now := time.Now()
	k := dispute.Case{ID: "JF20261127-0300", Status: dispute.Referred, Type: dispute.Neighbor, OpenID: "o1", CreatedAt: now, UpdatedAt: now}
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	e.commit(store.Change{MarkUrgent: []string{k.ID}})
	if got, err := e.s.Case(e.ctx, k.ID); err != nil || !got.Urgent {
		t.Fatalf("after MarkUrgent: %+v %v", got, err)
	}
	err := e.s.Commit(e.ctx, store.Change{At: t0, Dedup: "u1", MarkUrgent: []string{"JF20261127-9999"}})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	if _, err := e.s.DedupReply(e.ctx, "u1", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused Change took its dedup key: %v", err)
	}
}

// CreatedFrom and CreatedBefore keep the cases made in [from, before),
// in Cases' order, with the other filters and the limit applied.
func testCasesCreated(t *testing.T, e *env) {
	h := time.Hour
	var cs []dispute.Case
	for i := range 6 {
		body := "bodyA"
		if i%2 == 1 {
			body = "bodyB"
		}
		cs = append(cs, mkCase("JF20261127-000"+string(rune('1'+i)), "o1", dispute.Received, dispute.Labor, "东昌区", body, at(time.Duration(i)*h)))
	}
	e.commit(store.Change{NewCases: cs})
	check := func(f store.CaseFilter, want ...dispute.Case) {
		t.Helper()
		got, err := e.s.Cases(e.ctx, f)
		if err != nil {
			t.Fatalf("Cases(%+v): %v", f, err)
		}
		if !slices.Equal(caseIDs(got), caseIDs(want)) {
			t.Errorf("Cases(%+v) = %v, want %v", f, caseIDs(got), caseIDs(want))
		}
	}
	check(store.CaseFilter{CreatedFrom: at(h), CreatedBefore: at(4 * h)}, cs[3], cs[2], cs[1])
	check(store.CaseFilter{CreatedFrom: at(4 * h)}, cs[5], cs[4])
	check(store.CaseFilter{CreatedBefore: at(2 * h)}, cs[1], cs[0])
	check(store.CaseFilter{CreatedFrom: at(h), CreatedBefore: at(5 * h), Body: "bodyB"}, cs[3], cs[1])
	check(store.CaseFilter{CreatedFrom: at(h), CreatedBefore: at(5 * h), Limit: 2}, cs[4], cs[3])
	check(store.CaseFilter{CreatedFrom: at(h), CreatedBefore: at(h)})
}

// Threads reads many threads in one call, each oldest first, keeping the
// kinds asked for (all when none); a case without such events, or
// unknown, has no entry.
func testThreads(t *testing.T, e *env) {
	k1 := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	k2 := mkCase("JF20261127-0002", "o2", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	k3 := mkCase("JF20261127-0003", "o3", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	ev := func(k dispute.Case, m int, kind dispute.EventKind, text string) dispute.Event {
		e := dispute.Event{CaseID: k.ID, At: at(time.Duration(m) * time.Minute), Kind: kind, Actor: "citizen", Text: text}
		if kind == dispute.StatusSet {
			e.Status, e.Actor = dispute.Accepted, "user:张"
		}
		return e
	}
	all := []dispute.Event{
		ev(k1, 1, dispute.MessageIn, `我说 "kind":"rating" 了`), // a text that looks like the kind asked for
		ev(k2, 2, dispute.StatusSet, ""),
		ev(k1, 3, dispute.Rating, "5"),
		ev(k1, 4, dispute.StatusSet, ""),
		ev(k2, 5, dispute.MessageIn, "你好"),
	}
	e.commit(store.Change{NewCases: []dispute.Case{k1, k2, k3}, Events: all})
	ids := []string{k1.ID, k2.ID, k3.ID, "JF20261127-0404"}

	got, err := e.s.Threads(e.ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]dispute.Event{k1.ID: {all[0], all[2], all[3]}, k2.ID: {all[1], all[4]}}
	checkThreads := func(what string, got, want map[string][]dispute.Event) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d threads, want %d: %+v", what, len(got), len(want), got)
		}
		for id, w := range want {
			g := got[id]
			if len(g) != len(w) {
				t.Errorf("%s: %s has %d events, want %d: %+v", what, id, len(g), len(w), g)
				continue
			}
			for i := range w {
				checkEvent(t, what+" "+id, g[i], w[i])
				if i > 0 && g[i].ID <= g[i-1].ID {
					t.Errorf("%s: %s not oldest first: ids %d, %d", what, id, g[i-1].ID, g[i].ID)
				}
			}
		}
	}
	checkThreads("Threads(all kinds)", got, want)

	got, err = e.s.Threads(e.ctx, ids, dispute.Rating, dispute.StatusSet)
	if err != nil {
		t.Fatal(err)
	}
	checkThreads("Threads(rating, status)", got, map[string][]dispute.Event{k1.ID: {all[2], all[3]}, k2.ID: {all[1]}})

	if got, err := e.s.Threads(e.ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Threads(none) = %v, %v", got, err)
	}
	// As many as a statistics page asks for: more than any one batch.
	var many []string
	for i := range 1200 {
		many = append(many, "JF20261128-"+strconv.Itoa(i))
	}
	many = append(many, k2.ID)
	if got, err := e.s.Threads(e.ctx, many, dispute.MessageIn); err != nil || len(got) != 1 || len(got[k2.ID]) != 1 {
		t.Errorf("Threads(1201 cases) = %+v, %v; want k2's message", got, err)
	}
}
