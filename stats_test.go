package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/wxsim"
)

// genCase is a generated case and what its thread says, as the generator
// knows it: the truth the statistics are checked against.
type genCase struct {
	k                dispute.Case
	accept, end      time.Duration
	accepted, ended  bool
	rating           int
	inPeriod, urgent bool
}

// TestStats generates cases with a fixed seed, stores them directly and
// checks the statistics page and the CSV export against counts made here.
func TestStats(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.addUser("admin", store.RoleAdmin, "")
		e.addUser("dclead", store.RoleSupervisor, "dc-mediation")
		e.addUser("dcmed", store.RoleMediator, "dc-mediation")

		china := time.FixedZone("CST", 8*3600)
		y, m, d := time.Now().In(china).Date()
		start := time.Date(y, m, d, 0, 0, 0, 0, china).AddDate(0, 0, -70)
		from, to := start.AddDate(0, 0, 10), start.AddDate(0, 0, 39) // both days included
		end := to.AddDate(0, 0, 1)
		gen, events := generateCases(start, from, end)
		change := store.Change{Events: events}
		for _, g := range gen {
			change.NewCases = append(change.NewCases, g.k)
		}
		if err := e.app.store.Commit(context.Background(), change); err != nil {
			t.Fatal(err)
		}
		period := "?from=" + from.Format("2006-01-02") + "&to=" + to.Format("2006-01-02")

		// Mediators get no statistics.
		med := e.browser()
		med.login("dcmed", "password-dcmed")
		for _, p := range []string{"/console/stats", "/console/stats.csv" + period} {
			if code, _ := med.get(p); code != http.StatusForbidden {
				t.Fatalf("a mediator got %d for %s", code, p)
			}
		}

		admin := e.browser()
		admin.login("admin", "password-admin")
		checkStats(t, admin, period, gen, func(genCase) bool { return true })

		lead := e.browser()
		lead.login("dclead", "password-dclead")
		checkStats(t, lead, period, gen, func(g genCase) bool { return g.k.Body == "dc-mediation" })

		// The default period is the 30 days up to today; bad dates are refused.
		code, page := admin.get("/console/stats")
		if code != http.StatusOK || !strings.Contains(page, `value="`+time.Now().In(china).AddDate(0, 0, -29).Format("2006-01-02")+`"`) {
			t.Fatalf("default period: %d", code)
		}
		for _, q := range []string{"?from=2026-13-01", "?from=2026-02-02&to=2026-02-01"} {
			if code, _ := admin.get("/console/stats" + q); code != http.StatusBadRequest {
				t.Fatalf("%s: %d", q, code)
			}
		}
	})
}

// generateCases makes 60 cases created over 50 days from start, with their
// threads; from and end bound the period the test asks for.
func generateCases(start, from, end time.Time) ([]genCase, []dispute.Event) {
	rng := rand.New(rand.NewPCG(2026, 5))
	bodies := []string{"dc-mediation", "dc-labor", "lh-labor", "tonghua-medical"}
	regions := append(slices.Clone(routing.Builtin().City().Names()), "")
	outcomes := []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating,
		dispute.Resolved, dispute.Unresolved, dispute.Withdrawn, "reopened"}
	var out []genCase
	var events []dispute.Event
	for i := range 60 {
		created := start.Add(time.Duration(rng.IntN(50*24*60)) * time.Minute)
		switch i { // the period's edges: from is in, end is out
		case 0:
			created = from
		case 1:
			created = end.Add(-time.Minute)
		case 2:
			created = end
		case 3:
			created = from.Add(-time.Minute)
		}
		k := dispute.Case{ID: fmt.Sprintf("JF%s-%04d", created.Format("20060102"), i+1),
			Type: dispute.Types[rng.IntN(len(dispute.Types))], Region: regions[rng.IntN(len(regions))],
			Body: bodies[rng.IntN(len(bodies))], Urgent: rng.IntN(5) == 0, Summary: "摘要",
			Story: fmt.Sprintf("STORYSECRET%02d 老板拖欠工资", i), OpenID: fmt.Sprintf("oStatsSecret%02d", i),
			Phone: fmt.Sprintf("139000011%02d", i), CreatedAt: created.UTC(), UpdatedAt: created.UTC()}
		g := genCase{inPeriod: !created.Before(from) && created.Before(end), urgent: k.Urgent}
		ev := func(at time.Time, kind dispute.EventKind, s dispute.Status, text string) {
			events = append(events, dispute.Event{CaseID: k.ID, At: at.UTC(), Kind: kind,
				Actor: "user:x", Status: s, Text: text})
		}
		ev(created, dispute.MessageIn, "", k.Story)
		outcome := outcomes[rng.IntN(len(outcomes))]
		k.Status = outcome
		if outcome != dispute.Received {
			ev(created.Add(time.Minute), dispute.StatusSet, dispute.Referred, "")
		}
		acceptAt := created.Add(time.Duration(10+rng.IntN(120*60)) * time.Minute)
		if outcome != dispute.Received && outcome != dispute.Referred && (outcome != dispute.Withdrawn || rng.IntN(2) == 0) {
			g.accept, g.accepted = acceptAt.Sub(created), true
			ev(acceptAt, dispute.StatusSet, dispute.Accepted, "")
		}
		endAt := acceptAt.Add(time.Duration(60+rng.IntN(300*60)) * time.Minute)
		switch outcome {
		case dispute.Withdrawn:
			ev(endAt, dispute.StatusSet, dispute.Withdrawn, "")
		case dispute.Resolved, dispute.Unresolved, "reopened":
			s := outcome
			if outcome == "reopened" { // its first outcome still times it
				s, k.Status = dispute.Resolved, dispute.Mediating
			}
			g.end, g.ended = endAt.Sub(created), true
			ev(endAt, dispute.StatusSet, s, "")
			if outcome == "reopened" {
				ev(endAt.Add(48*time.Hour), dispute.StatusSet, dispute.Mediating, "")
			}
			if rng.IntN(10) < 7 {
				g.rating = 1 + rng.IntN(5)
				if rng.IntN(4) == 0 { // rated twice: the later rating counts
					ev(endAt.Add(time.Hour), dispute.Rating, "", strconv.Itoa(1+rng.IntN(5)))
				}
				ev(endAt.Add(2*time.Hour), dispute.Rating, "", strconv.Itoa(g.rating))
			}
		}
		g.k = k
		out = append(out, g)
	}
	return out, events
}

var (
	valueRe = regexp.MustCompile(`id="([a-z0-9-]+)">([^<]*)<`)
	barRe   = regexp.MustCompile(`data-key="([^"]*)" data-n="(\d+)"`)
)

// checkStats compares the page and the CSV one user gets with the counts
// of the generated cases that user should see.
func checkStats(t *testing.T, b *browser, period string, gen []genCase, sees func(genCase) bool) {
	t.Helper()
	var want []genCase
	byType, byRegion, byBody, byStatus := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var accept, resolve []time.Duration
	resolved, ended, rated, ratingSum, satisfied := 0, 0, 0, 0, 0
	for _, g := range gen {
		if !g.inPeriod || !sees(g) {
			continue
		}
		want = append(want, g)
		byType[string(g.k.Type)]++
		byRegion[g.k.Region]++
		byBody[g.k.Body]++
		byStatus[string(g.k.Status)]++
		if g.accepted {
			accept = append(accept, g.accept)
		}
		if g.ended {
			resolve = append(resolve, g.end)
		}
		switch g.k.Status {
		case dispute.Resolved:
			resolved++
			ended++
		case dispute.Unresolved:
			ended++
		}
		if g.rating > 0 {
			rated++
			ratingSum += g.rating
			if g.rating >= 4 {
				satisfied++
			}
		}
	}
	if len(want) < 5 || ended == 0 || rated == 0 {
		t.Fatalf("the generated set is too thin: %d cases, %d ended, %d rated", len(want), ended, rated)
	}

	code, page := b.get("/console/stats" + period)
	if code != http.StatusOK {
		t.Fatalf("stats page: %d", code)
	}
	got := map[string]string{}
	for _, m := range valueRe.FindAllStringSubmatch(page, -1) {
		got[m[1]] = m[2]
	}
	hours := func(ds []time.Duration, pct int) string {
		s := slices.Sorted(slices.Values(ds))
		rank := max((pct*len(s)+99)/100, 1) // nearest rank: ceil(pct% of n)
		return strconv.FormatFloat(s[rank-1].Hours(), 'f', 1, 64)
	}
	pct := func(a, n int) string { return strconv.FormatFloat(float64(a)*100/float64(n), 'f', 1, 64) + "%" }
	for id, w := range map[string]string{
		"total":         strconv.Itoa(len(want)),
		"accept-n":      strconv.Itoa(len(accept)),
		"resolve-n":     strconv.Itoa(len(resolve)),
		"accept-median": hours(accept, 50), "accept-p90": hours(accept, 90),
		"resolve-median": hours(resolve, 50), "resolve-p90": hours(resolve, 90),
		"resolved": strconv.Itoa(resolved), "ended": strconv.Itoa(ended), "resolution-rate": pct(resolved, ended),
		"rated": strconv.Itoa(rated), "satisfied-rate": pct(satisfied, rated),
		"rating-mean": strconv.FormatFloat(float64(ratingSum)/float64(rated), 'f', 2, 64),
	} {
		if got[id] != w {
			t.Errorf("%s: page shows %q, want %q", id, got[id], w)
		}
	}
	for chart, w := range map[string]map[string]int{"chart-type": byType, "chart-region": byRegion,
		"chart-body": byBody, "chart-status": byStatus} {
		_, svg, ok := strings.Cut(page, `<svg id="`+chart+`"`)
		svg, _, _ = strings.Cut(svg, "</svg>")
		bars := map[string]int{}
		for _, m := range barRe.FindAllStringSubmatch(svg, -1) {
			bars[m[1]], _ = strconv.Atoi(m[2])
		}
		if !ok || fmt.Sprint(bars) != fmt.Sprint(w) {
			t.Errorf("%s: bars %v, want %v", chart, bars, w)
		}
	}

	resp, err := b.c.Get(b.base + "/console/stats.csv" + period)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("csv: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimPrefix(string(raw), "\ufeff") // the BOM is for Excel
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := "id,created_at,type,region,body,status,urgent,accepted_hours,ended_hours,rating"
	if len(records) == 0 || strings.Join(records[0], ",") != header {
		t.Fatalf("csv header: %v", records)
	}
	rows := map[string][]string{}
	for _, r := range records[1:] {
		rows[r[0]] = r
	}
	if len(records)-1 != len(want) || len(rows) != len(want) {
		t.Fatalf("csv has %d rows, want %d", len(records)-1, len(want))
	}
	for _, g := range want {
		k := g.k
		w := []string{k.ID, k.CreatedAt.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339), string(k.Type),
			k.Region, k.Body, string(k.Status), "0", "", "", ""}
		if g.urgent {
			w[6] = "1"
		}
		if g.accepted {
			w[7] = strconv.FormatFloat(g.accept.Hours(), 'f', 2, 64)
		}
		if g.ended {
			w[8] = strconv.FormatFloat(g.end.Hours(), 'f', 2, 64)
		}
		if g.rating > 0 {
			w[9] = strconv.Itoa(g.rating)
		}
		if !slices.Equal(rows[k.ID], w) {
			t.Errorf("csv row %v, want %v", rows[k.ID], w)
		}
	}

	// Nothing personal, of any generated case, on the page or in the file.
	for _, g := range gen {
		for _, secret := range []string{g.k.Story, g.k.OpenID, g.k.Phone, "STORYSECRET"} {
			if strings.Contains(page, secret) || strings.Contains(text, secret) {
				t.Fatalf("%q appears in the statistics", secret)
			}
		}
	}
}
