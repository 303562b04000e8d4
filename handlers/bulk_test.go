package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/storetest/backends"
	"jiefen/workflow"
)

// counting counts the reads of cases and threads a page makes.
type counting struct {
	store.Store
	cases, lists, events, threads atomic.Int64
}

func (c *counting) Case(ctx context.Context, id string) (dispute.Case, error) {
	c.cases.Add(1)
	return c.Store.Case(ctx, id)
}

func (c *counting) Cases(ctx context.Context, f store.CaseFilter) ([]dispute.Case, error) {
	c.lists.Add(1)
	return c.Store.Cases(ctx, f)
}

func (c *counting) Events(ctx context.Context, id string) ([]dispute.Event, error) {
	c.events.Add(1)
	return c.Store.Events(ctx, id)
}

func (c *counting) Threads(ctx context.Context, ids []string, kinds ...dispute.EventKind) (map[string][]dispute.Event, error) {
	c.threads.Add(1)
	return c.Store.Threads(ctx, ids, kinds...)
}

func (c *counting) reads() [4]int64 {
	return [4]int64{c.cases.Swap(0), c.lists.Swap(0), c.events.Swap(0), c.threads.Swap(0)}
}

// The overdue page, the queue and the statistics read the same number of
// times whatever the number of cases: none reads a thread of its own per
// case, and the overdue page lists the overdue cases from their records.
func TestListsReadInBulk(t *testing.T) {
	table, err := routing.LoadTable([]byte(`bodies:
  - id: quick
    name: 快速调解委员会
    types: [traffic, medical, labor, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]
    accept_within_hours: 4
    mediate_within_days: 10
`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, chinaTime)
	backends.Each(t, func(t *testing.T, open func() store.Store) {
		st := open()
		var reads [][3][4]int64
		made := 0
		for _, n := range []int{8, 40} {
			for ; made < n; made++ {
				commitCase(t, st, table, made, now)
			}
			c := &counting{Store: st}
			w := &Web{Store: c, Table: table, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
				Cases: &workflow.Cases{Store: c, Table: table, Now: func() time.Time { return now }}}
			w.init()
			root := viewer{User: store.User{Name: "root", Role: store.RoleAdmin}}
			req := func(path string) *http.Request {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				return r.WithContext(context.WithValue(r.Context(), userKey{}, root))
			}
			var got [3][4]int64
			rec := httptest.NewRecorder()
			if err := (&pages{w}).overduePage(rec, req("/console/overdue")); err != nil {
				t.Fatal(err)
			}
			got[0] = c.reads()
			// Every fourth case is still waiting for acceptance, made a
			// day or more ago: overdue.
			if rows := strings.Count(rec.Body.String(), `href="/console/cases/`); rows != (n+3)/4 {
				t.Errorf("%d cases: the overdue page lists %d, want %d", n, rows, (n+3)/4)
			}
			if err := (&pages{w}).queuePage(httptest.NewRecorder(), req("/console/")); err != nil {
				t.Fatal(err)
			}
			got[1] = c.reads()
			in, err := (&admin{w}).statsInputOf(req("/console/stats"))
			if err != nil {
				t.Fatal(err)
			}
			got[2] = c.reads()
			if s := computeStats(in.Cases, in.Events); s.Total != n || s.Rated == 0 || s.Accept.N == 0 {
				t.Errorf("%d cases: statistics %+v", n, s)
			}
			reads = append(reads, got)
		}
		for i, page := range []string{"overdue", "queue", "statistics"} {
			if reads[0][i] != reads[1][i] || reads[1][i][2] != 0 {
				t.Errorf("%s page reads (case, list, thread, threads): %v with 8 cases, %v with 40; want the same, no single thread",
					page, reads[0][i], reads[1][i])
			}
		}
	})
}

// commitCase stores case i as the product would: every fourth waits for
// acceptance (overdue), the others were accepted, and every other one
// of those resolved and rated.
func commitCase(t *testing.T, st store.Store, table *routing.Table, i int, now time.Time) {
	t.Helper()
	made := now.Add(-time.Duration(24+i) * time.Hour)
	k := dispute.Case{ID: fmt.Sprintf("JF20261120-%04d", i+1), Status: dispute.Referred, Type: dispute.Labor,
		Region: "东昌区", Body: "quick", OpenID: "o1", CreatedAt: made, UpdatedAt: made}
	ch := store.Change{NewCases: []dispute.Case{k},
		Events: []dispute.Event{{CaseID: k.ID, At: made, Kind: dispute.StatusSet, Status: dispute.Referred, Actor: "bot"}}}
	if i%4 != 0 {
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Accepted, At: made.Add(time.Hour)}}
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: made.Add(time.Hour), Kind: dispute.StatusSet, Status: dispute.Accepted, Actor: "user:张"})
		if i%2 == 1 {
			ch.Statuses = append(ch.Statuses, store.StatusChange{CaseID: k.ID, To: dispute.Resolved, At: made.Add(2 * time.Hour)})
			ch.Events = append(ch.Events,
				dispute.Event{CaseID: k.ID, At: made.Add(2 * time.Hour), Kind: dispute.StatusSet, Status: dispute.Resolved, Actor: "user:张"},
				dispute.Event{CaseID: k.ID, At: made.Add(3 * time.Hour), Kind: dispute.Rating, Text: "5", Actor: "citizen"})
		}
	}
	deadline.SetDue(&ch, k, nil, table)
	if err := st.Commit(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
}
