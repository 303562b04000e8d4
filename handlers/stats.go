package handlers

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Stats is what the statistics page shows for a set of cases.
type Stats struct {
	Total    int
	ByType   []Count // keys: dispute.Type codes
	ByRegion []Count // keys: region names, "" when the citizen gave none
	ByBody   []Count // keys: body ids
	ByStatus []Count // keys: dispute.Status codes
	// Accept is CreatedAt to the first "accepted" status event; Resolve is
	// CreatedAt to the first "resolved" or "unresolved" one (a case reopened
	// later keeps the time of its first outcome).
	Accept, Resolve Durations
	// Resolved and Ended count cases by their current status: ended is
	// resolved or unresolved; withdrawn cases are not mediation outcomes.
	Resolved, Ended int
	ResolutionRate  float64 // Resolved / Ended; 0 when nothing ended
	// Rated cases have a valid rating (the latest counts); Satisfied rated 4 or 5.
	Rated, Satisfied int
	MeanRating       float64
	SatisfiedRate    float64 // Satisfied / Rated; 0 when nothing was rated
}

// Count is how many cases share one key.
type Count struct {
	Key string
	N   int
}

// Durations summarises the times some cases took, nearest-rank percentiles.
type Durations struct {
	N           int
	Median, P90 time.Duration
}

// caseFacts is what the statistics read from one case's thread.
type caseFacts struct {
	Accept, End     time.Duration
	Accepted, Ended bool
	Rating          int // 1..5; 0 when not rated
}

// factsOf reads a case's thread. It takes the earliest events by time, not
// by position, so it does not depend on the order the store returns them in.
func factsOf(k dispute.Case, events []dispute.Event) caseFacts {
	var f caseFacts
	var ratedAt time.Time
	for _, e := range events {
		d := e.At.Sub(k.CreatedAt)
		switch {
		case e.Kind == dispute.StatusSet && e.Status == dispute.Accepted:
			if !f.Accepted || d < f.Accept {
				f.Accept, f.Accepted = d, true
			}
		case e.Kind == dispute.StatusSet && (e.Status == dispute.Resolved || e.Status == dispute.Unresolved):
			if !f.Ended || d < f.End {
				f.End, f.Ended = d, true
			}
		case e.Kind == dispute.Rating:
			n, err := strconv.Atoi(strings.TrimSpace(e.Text))
			if err == nil && n >= 1 && n <= 5 && (f.Rating == 0 || !e.At.Before(ratedAt)) {
				f.Rating, ratedAt = n, e.At
			}
		}
	}
	return f
}

// computeStats is the whole computation, free of the store and the table,
// so a test can hold it against counts made independently.
func computeStats(cases []dispute.Case, events map[string][]dispute.Event) Stats {
	s := Stats{Total: len(cases)}
	byType, byRegion, byBody, byStatus := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var accept, resolve []time.Duration
	ratingSum := 0
	for _, k := range cases {
		byType[string(k.Type)]++
		byRegion[k.Region]++
		byBody[k.Body]++
		byStatus[string(k.Status)]++
		switch k.Status {
		case dispute.Resolved:
			s.Resolved++
			s.Ended++
		case dispute.Unresolved:
			s.Ended++
		}
		f := factsOf(k, events[k.ID])
		if f.Accepted {
			accept = append(accept, f.Accept)
		}
		if f.Ended {
			resolve = append(resolve, f.End)
		}
		if f.Rating > 0 {
			s.Rated++
			ratingSum += f.Rating
			if f.Rating >= 4 {
				s.Satisfied++
			}
		}
	}
	s.ByType, s.ByRegion, s.ByBody, s.ByStatus = counts(byType), counts(byRegion), counts(byBody), counts(byStatus)
	s.Accept, s.Resolve = durations(accept), durations(resolve)
	if s.Ended > 0 {
		s.ResolutionRate = float64(s.Resolved) / float64(s.Ended)
	}
	if s.Rated > 0 {
		s.MeanRating = float64(ratingSum) / float64(s.Rated)
		s.SatisfiedRate = float64(s.Satisfied) / float64(s.Rated)
	}
	return s
}

// counts orders a tally largest first, ties by key, so charts are stable.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func durations(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	return Durations{N: len(ds), Median: nearestRank(ds, 50), P90: nearestRank(ds, 90)}
}

// nearestRank is the pct-th percentile of sorted values: the smallest value
// with at least pct% of them at or below it. Integer arithmetic, so 90% of
// 30 values is rank 27, not 28 by a floating-point hair.
func nearestRank(sorted []time.Duration, pct int) time.Duration {
	rank := (pct*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// statsInput is one request's period and the cases the user may see in it.
type statsInput struct {
	From, End time.Time // China dates; End is the day after the last one
	Cases     []dispute.Case
	Events    map[string][]dispute.Event
}

// Dates the period is given in, and the name of the export's file.
const statsDay = "2006-01-02"

func (in statsInput) query() string {
	return url.Values{"from": {in.From.Format(statsDay)}, "to": {in.End.AddDate(0, 0, -1).Format(statsDay)}}.Encode()
}

// errBadPeriod refuses a period that is not two dates in order.
var errBadPeriod = httpError{http.StatusBadRequest, "日期应为 YYYY-MM-DD，且开始日期不晚于结束日期。"}

// dayRange reads a period's from and to (China dates, both days included)
// as from's midnight and the midnight after to; a date not given is zero.
func dayRange(q url.Values) (from, end time.Time, err error) {
	if v := q.Get("from"); v != "" {
		if from, err = time.ParseInLocation(statsDay, v, chinaTime); err != nil {
			return from, end, errBadPeriod
		}
	}
	if v := q.Get("to"); v != "" {
		to, err := time.ParseInLocation(statsDay, v, chinaTime)
		if err != nil {
			return from, end, errBadPeriod
		}
		end = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !end.IsZero() && !from.Before(end) {
		return from, end, errBadPeriod
	}
	return from, end, nil
}

// statsPeriod reads from and to (China dates, both included); a date not
// given is today for to, and 29 days before today for from.
func statsPeriod(r *http.Request, now time.Time) (from, end time.Time, err error) {
	if from, end, err = dayRange(r.URL.Query()); err != nil {
		return from, end, err
	}
	y, m, d := now.In(chinaTime).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, chinaTime)
	if end.IsZero() {
		end = today.AddDate(0, 0, 1)
	}
	if from.IsZero() {
		from = today.AddDate(0, 0, -29)
	}
	if !from.Before(end) {
		return from, end, errBadPeriod
	}
	return from, end, nil
}

// statsKinds are the only events factsOf looks at: the threads statistics
// read are cut to them.
var statsKinds = []dispute.EventKind{dispute.StatusSet, dispute.Rating}

// statsInputOf checks the role, then loads the period's visible cases and
// what of their threads the statistics use: two reads (the cases, made in
// the period, then their threads in one call), however many cases there
// are. Statistics are for those who run a body or the platform: mediators
// get 403.
func (c *admin) statsInputOf(r *http.Request) (statsInput, error) {
	u := current(r).User
	if u.Role != store.RoleAdmin && u.Role != store.RoleSupervisor {
		return statsInput{}, httpError{http.StatusForbidden, "统计仅供管理员和主管查看。"}
	}
	from, end, err := statsPeriod(r, c.Now())
	if err != nil {
		return statsInput{}, err
	}
	ctx := r.Context()
	// The same access rule as the queue: a supervisor counts what they may see.
	cases, err := c.Cases.VisibleCases(ctx, u, store.CaseFilter{CreatedFrom: from, CreatedBefore: end})
	if err != nil {
		return statsInput{}, err
	}
	ids := make([]string, len(cases))
	for i, k := range cases {
		ids[i] = k.ID
	}
	events, err := c.Store.Threads(ctx, ids, statsKinds...)
	if err != nil {
		return statsInput{}, err
	}
	return statsInput{From: from, End: end, Cases: cases, Events: events}, nil
}

// statsChart is one chart of the page.
type statsChart struct {
	Title string
	SVG   template.HTML
}

func (c *admin) statsPage(w http.ResponseWriter, r *http.Request) error {
	in, err := c.statsInputOf(r)
	if err != nil {
		return err
	}
	s := computeStats(in.Cases, in.Events)
	u := current(r)
	charts := []statsChart{
		{"按纠纷类型", barChart("chart-type", "按纠纷类型", bars(s.ByType, func(k string) string { return dispute.Type(k).Name() }))},
		{"按县区", barChart("chart-region", "按县区", bars(s.ByRegion, func(k string) string { return cmp.Or(k, "未知县区") }))},
		{"按调解组织", barChart("chart-body", "按调解组织", bars(s.ByBody, func(k string) string {
			if b, ok := c.Table.Body(k); ok {
				return b.Name
			}
			return k
		}))},
		{"按状态", barChart("chart-status", "按状态", bars(s.ByStatus, func(k string) string { return dispute.Status(k).Name() }))},
	}
	c.render(w, http.StatusOK, "stats.html", map[string]any{
		"User": u, "BodyName": c.bodyName(u.Body),
		"From": in.From.Format(statsDay), "To": in.End.AddDate(0, 0, -1).Format(statsDay),
		"CSV": "/console/stats.csv?" + in.query(), "S": s, "Charts": charts,
		"AcceptMedian": hours(s.Accept, s.Accept.Median), "AcceptP90": hours(s.Accept, s.Accept.P90),
		"ResolveMedian": hours(s.Resolve, s.Resolve.Median), "ResolveP90": hours(s.Resolve, s.Resolve.P90),
		"ResolutionRate": percent(s.Ended, s.ResolutionRate), "SatisfiedRate": percent(s.Rated, s.SatisfiedRate),
		"MeanRating": rating(s.Rated, s.MeanRating),
	})
	return nil
}

func bars(cs []Count, label func(string) string) []bar {
	out := make([]bar, len(cs))
	for i, x := range cs {
		out[i] = bar{Key: x.Key, Label: label(x.Key), N: x.N}
	}
	return out
}

// hours, percent and rating format the page's figures; "—" when there is
// nothing to measure, which is not the same as zero.
func hours(ds Durations, d time.Duration) string {
	if ds.N == 0 {
		return "—"
	}
	return strconv.FormatFloat(d.Hours(), 'f', 1, 64)
}

func percent(n int, rate float64) string {
	if n == 0 {
		return "—"
	}
	return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%"
}

func rating(n int, mean float64) string {
	if n == 0 {
		return "—"
	}
	return strconv.FormatFloat(mean, 'f', 2, 64)
}

// statsHeader is the export's columns: codes and numbers only. The story,
// openid, phone and summary are personal data and stay out of the file.
var statsHeader = []string{"id", "created_at", "type", "region", "body", "status", "urgent", "accepted_hours", "ended_hours", "rating"}

func (c *admin) statsCSV(w http.ResponseWriter, r *http.Request) error {
	in, err := c.statsInputOf(r)
	if err != nil {
		return err
	}
	// Built in memory first, so a failure can still answer with an error
	// instead of half a file. The BOM lets Excel read the Chinese names as
	// UTF-8.
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	_ = cw.Write(statsHeader)
	for _, k := range in.Cases {
		f := factsOf(k, in.Events[k.ID])
		row := []string{k.ID, k.CreatedAt.In(chinaTime).Format(time.RFC3339), string(k.Type), k.Region, k.Body,
			string(k.Status), "0", "", "", ""}
		if k.Urgent {
			row[6] = "1"
		}
		if f.Accepted {
			row[7] = strconv.FormatFloat(f.Accept.Hours(), 'f', 2, 64)
		}
		if f.Ended {
			row[8] = strconv.FormatFloat(f.End.Hours(), 'f', 2, 64)
		}
		if f.Rating > 0 {
			row[9] = strconv.Itoa(f.Rating)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	// Refused, like a view, when it cannot be recorded.
	period := in.From.Format(statsDay) + ".." + in.End.AddDate(0, 0, -1).Format(statsDay)
	if err := c.recordAccess(r, store.AuditExport, "", "stats.csv "+period); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="jiefen-stats-%s-%s.csv"`,
		in.From.Format(statsDay), in.End.AddDate(0, 0, -1).Format(statsDay)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes()) // a client gone mid-download is nothing to report
	return nil
}
