package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"jiefen/dispute"
	"jiefen/risk"
	"jiefen/store"
)

// The risk early warning (风险预警): after every change that files a case,
// adds a citizen's words to one or reopens one, Watch updates the case's
// mark (its subject and signals, package risk) and re-evaluates the
// clusters it belongs to. An alert is written by a conditional save
// (store.Risk.SaveAlert): a new one only while its cluster has none open,
// a changed one only from the version read; a save that loses the race is
// read and evaluated again, so instances evaluating one cluster at once
// end with exactly one alert holding every case. Cluster times are the
// cases' own, never the wall clock.

// maxAlertTries bounds the re-reads after lost races. Each lost race is
// another evaluator's save, which is then done, so one of n evaluating a
// cluster at once loses at most n−1 times: the bound is the number of
// evaluators of one cluster at one moment it allows (a burst of filings
// on one subject across instances), not a count of retries for luck.
const maxAlertTries = 64

// Watch evaluates the risk of what ch, already committed, changed. Its
// failure leaves the change stored; the next change of a cluster's cases
// evaluates again.
func (w *Cases) Watch(ctx context.Context, ch store.Change) error {
	var errs []error
	made := map[string]bool{}
	for _, k := range ch.NewCases {
		made[k.ID] = true
		errs = append(errs, w.watchNew(ctx, k, said(ch.Events, k.ID)))
	}
	seen := map[string]bool{}
	regions := map[string]string{} // an urgent case's region, told after it was made
	for _, u := range ch.Updates {
		if u.Region != "" {
			regions[u.CaseID] = u.Region
		}
	}
	for _, e := range ch.Events {
		if e.Kind == dispute.MessageIn && !made[e.CaseID] && !seen[e.CaseID] {
			seen[e.CaseID] = true
			errs = append(errs, w.watchWords(ctx, e.CaseID, regions[e.CaseID], said(ch.Events, e.CaseID)))
		}
	}
	for _, s := range ch.Statuses {
		if s.To.Open() && !made[s.CaseID] {
			errs = append(errs, w.watchReopened(ctx, s.CaseID))
		}
	}
	return errors.Join(errs...)
}

// said is what the citizen wrote on a case in events.
func said(events []dispute.Event, caseID string) []string {
	var out []string
	for _, e := range events {
		if e.CaseID == caseID && e.Kind == dispute.MessageIn && e.Text != "" {
			out = append(out, e.Text)
		}
	}
	return out
}

// CitizenID is the opaque id a mark counts a citizen by: enough to tell
// citizens apart, useless to reach one.
func CitizenID(openID string) string {
	h := sha256.Sum256([]byte("jiefen-risk:" + openID))
	return hex.EncodeToString(h[:12])
}

func (w *Cases) riskPrefixes() []string {
	w.prefixOnce.Do(func() {
		city := w.Table.City()
		var regions [][]string
		for _, r := range city.Regions() {
			regions = append(regions, append(append([]string{r.Name}, r.Aliases...), r.Places...))
		}
		w.prefixes = risk.Prefixes(city.Name(), regions)
	})
	return w.prefixes
}

// markOf makes a case's mark from its story and the citizen's words.
func (w *Cases) markOf(k dispute.Case, texts []string) store.RiskMark {
	texts = append([]string{k.Story}, texts...)
	// The mark's type is what the clustering sees: the classifier's,
	// corrected when the story plainly says another matter (risk.TypeFor).
	m := store.RiskMark{CaseID: k.ID, Citizen: CitizenID(k.OpenID), Region: k.Region, Type: risk.TypeFor(k.Type, texts...), At: k.CreatedAt}
	w.readWords(&m, texts)
	return m
}

// readWords adds texts' signals to m, and its subject if it has none yet.
func (w *Cases) readWords(m *store.RiskMark, texts []string) {
	sig := risk.Signals{Crowd: m.Crowd, CrowdWords: m.CrowdWords, Escalate: m.Escalate}
	for _, t := range texts {
		sig = sig.Merge(risk.Scan(t))
		if m.Subject == "" || m.Link == "" {
			subjects := risk.Subjects(t, w.riskPrefixes())
			if m.Subject == "" {
				if s, ok := risk.Primary(subjects, m.Type); ok {
					m.Subject, m.Name, m.Kind, m.Trade = s.Key, s.Name, s.Kind, s.Trade
				}
			}
			// The firm behind the estate or site, named in the same words
			// as the subject: what ties citizens naming only one of them.
			if i := slices.IndexFunc(subjects, func(s risk.Subject) bool { return s.Key == m.Subject }); i >= 0 && m.Link == "" {
				if l, ok := risk.Link(subjects, subjects[i]); ok {
					m.Link = l.Key
				}
			}
		}
	}
	m.Crowd, m.CrowdWords, m.Escalate = sig.Crowd, sig.CrowdWords, sig.Escalate
	if m.Escalate == nil {
		m.Escalate = []string{}
	}
}

// guessSubject gives a mark without a subject one its texts mention
// bare (我在鑫达干了三个月) when other cases filed within its window have
// it: the longest such name, then the first. A name nobody else used
// lately is no cluster anyway.
func (w *Cases) guessSubject(ctx context.Context, m *store.RiskMark, texts []string) error {
	if m.Subject != "" {
		return nil
	}
	var cands []risk.Subject
	var keys []string
	for _, t := range texts {
		for _, c := range risk.Mentions(t, w.riskPrefixes()) {
			if !slices.Contains(keys, c.Key) {
				cands, keys = append(cands, c), append(keys, c.Key)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	win := w.Table.AlertWindow(m.Type)
	active, err := w.Store.ActiveSubjects(ctx, keys, m.At.Add(-win), m.At.Add(win))
	if err != nil || len(active) == 0 {
		return err
	}
	best := -1
	for i, c := range cands {
		if slices.Contains(active, c.Key) && (best < 0 || len([]rune(c.Name)) > len([]rune(cands[best].Name))) {
			best = i
		}
	}
	m.Subject, m.Name, m.Kind = cands[best].Key, cands[best].Name, cands[best].Kind
	return nil
}

func (w *Cases) watchNew(ctx context.Context, k dispute.Case, texts []string) error {
	if k.OpenID == "" {
		return nil
	}
	m := w.markOf(k, texts)
	if err := w.guessSubject(ctx, &m, append([]string{k.Story}, texts...)); err != nil {
		return err
	}
	if err := w.Store.PutRiskMark(ctx, m); err != nil {
		return err
	}
	return errors.Join(w.evalCluster(ctx, m), w.evalRepeat(ctx, m))
}

// watchWords reads a citizen's later words on a case: escalation often
// comes in the thread, days after the story; so may the subject, and an
// urgent case's region (region, "" when not told now).
func (w *Cases) watchWords(ctx context.Context, caseID, region string, texts []string) error {
	m, err := w.mark(ctx, caseID)
	if err != nil || m.CaseID == "" {
		return err
	}
	before := store.EncodeRiskMark(m)
	if m.Region == "" {
		m.Region = region
	}
	w.readWords(&m, texts)
	if err := w.guessSubject(ctx, &m, texts); err != nil {
		return err
	}
	if store.EncodeRiskMark(m) == before {
		return nil
	}
	if err := w.Store.PutRiskMark(ctx, m); err != nil {
		return err
	}
	return w.evalCluster(ctx, m)
}

// mark reads a case's mark, making it for a case filed before marks
// existed (its CaseID is empty when the case is gone or has no citizen).
func (w *Cases) mark(ctx context.Context, caseID string) (store.RiskMark, error) {
	ms, err := w.Store.RiskMarks(ctx, []string{caseID})
	if err != nil {
		return store.RiskMark{}, err
	}
	if m, ok := ms[caseID]; ok {
		return m, nil
	}
	k, err := w.Store.Case(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.OpenID == "") {
		return store.RiskMark{}, nil
	}
	if err != nil {
		return store.RiskMark{}, err
	}
	return w.markOf(k, nil), nil
}

func member(m store.RiskMark) risk.Member {
	return risk.Member{Case: m.CaseID, Citizen: m.Citizen, Type: m.Type, Region: m.Region, Trade: m.Trade, At: m.At,
		Signals: risk.Signals{Crowd: m.Crowd, CrowdWords: m.CrowdWords, Escalate: m.Escalate}}
}

// evalCluster re-evaluates the cluster of m's subject that m falls in.
func (w *Cases) evalCluster(ctx context.Context, m store.RiskMark) error {
	if m.Subject == "" {
		return nil
	}
	win := w.Table.AlertWindow(m.Type)
	from, to := m.At.Add(-win), m.At.Add(win)
	key, name, marks, err := w.linkedMarks(ctx, m, from, to)
	if err != nil {
		return err
	}
	var all []risk.Member
	for _, x := range marks {
		if x.CaseID != m.CaseID {
			all = append(all, member(x))
		}
	}
	anchor := risk.Settle(member(m), all)
	anchor, all, most := risk.SettleTrades(anchor, all)
	// The window ends at the latest compatible case near m: a message on
	// an older case counts in the cluster that case belongs to.
	end := anchor
	for _, x := range all {
		if risk.Compatible(anchor, x) && x.At.After(end.At) {
			end = x
		}
	}
	if end.Type == dispute.Other {
		end.Type = anchor.Type // a window of one family, like the anchor's
	}
	cluster := risk.Window(end, append(all, anchor), win)
	if !slices.ContainsFunc(cluster, func(x risk.Member) bool { return x.Case == anchor.Case }) {
		return nil
	}
	region := regionOf(cluster)
	trade := ""
	if anchor.Trade != most {
		trade = anchor.Trade // a lesser business of the same name: its own alert
	}
	ck := risk.ClusterKey(key, region, end.Type, trade)
	return w.saveCluster(ctx, store.Alert{Key: ck, Kind: risk.KindCluster, Subject: name, Region: region, Type: typeOf(cluster)}, cluster,
		risk.Assess)
}

// linkedMarks is the subject m's cluster goes by, its name, and the marks
// within [from, to] it is read from: m's subject's, and, when cases of m's
// matter named it together with exactly one other subject and that one with
// m's alone (锦绣华庭 with its developer 宏昌, risk.Link), that subject's
// too, under the estate of the two.
// A firm linked to two places (a developer of two estates) says nothing
// about which one a case naming it alone means: each stays apart. Every
// case of the pair reaches the same subject, so one alert holds them.
func (w *Cases) linkedMarks(ctx context.Context, m store.RiskMark, from, to time.Time) (string, string, []store.RiskMark, error) {
	own, err := w.Store.MarksOfSubject(ctx, m.Subject, from, to)
	if err != nil {
		return "", "", nil, err
	}
	other, ok, err := w.partner(ctx, m, m.Subject, own, from, to)
	if err != nil || !ok {
		return m.Subject, m.Name, own, err
	}
	theirs, err := w.Store.MarksOfSubject(ctx, other, from, to)
	if err != nil {
		return "", "", nil, err
	}
	back, ok, err := w.partner(ctx, m, other, theirs, from, to)
	if err != nil || !ok || back != m.Subject {
		return m.Subject, m.Name, own, err
	}
	all := append(own, theirs...)
	key := min(m.Subject, other)
	if place(own, m.Subject) {
		key = m.Subject
	} else if place(theirs, other) {
		key = other
	}
	if key == m.Subject {
		return key, m.Name, all, nil
	}
	return key, theirs[0].Name, all, nil
}

// partner is the one subject that marks compatible with m linked key to
// within [from, to] (marks are key's own), if there is exactly one.
func (w *Cases) partner(ctx context.Context, m store.RiskMark, key string, marks []store.RiskMark, from, to time.Time) (string, bool, error) {
	var with []string
	add := func(k string) {
		if k != "" && k != key && !slices.Contains(with, k) {
			with = append(with, k)
		}
	}
	for _, x := range marks {
		if risk.Compatible(member(m), member(x)) {
			add(x.Link)
		}
	}
	linked, err := w.Store.MarksLinkedTo(ctx, key, from, to)
	if err != nil {
		return "", false, err
	}
	for _, x := range linked {
		if risk.Compatible(member(m), member(x)) {
			add(x.Subject)
		}
	}
	if len(with) != 1 {
		return "", false, nil
	}
	return with[0], true, nil
}

// place reports whether the marks of key name it as an estate or site.
func place(marks []store.RiskMark, key string) bool {
	return slices.ContainsFunc(marks, func(x store.RiskMark) bool {
		return x.Subject == key && risk.Place(risk.Subject{Kind: x.Kind, Name: x.Name})
	})
}

// typeOf is the type most of a cluster's cases have (other aside; ties to
// the one met first).
func typeOf(ms []risk.Member) dispute.Type {
	n := map[dispute.Type]int{}
	best := ms[0].Type
	for _, x := range ms {
		if x.Type == dispute.Other {
			continue
		}
		n[x.Type]++
		if n[x.Type] > n[best] || best == dispute.Other {
			best = x.Type
		}
	}
	return best
}

// regionOf is the region of most of a cluster's cases that name one.
func regionOf(ms []risk.Member) string {
	n := map[string]int{}
	best := ""
	for _, x := range ms {
		if x.Region == "" {
			continue
		}
		n[x.Region]++
		if n[x.Region] > n[best] || (n[x.Region] == n[best] && x.Region < best) {
			best = x.Region
		}
	}
	return best
}

// evalRepeat raises a repeat alert when m's citizen filed RepeatCases or
// more cases within RepeatWindow up to m.
func (w *Cases) evalRepeat(ctx context.Context, m store.RiskMark) error {
	marks, err := w.Store.MarksOfCitizen(ctx, m.Citizen, m.At.Add(-risk.RepeatWindow), m.At)
	if err != nil || len(marks) < risk.RepeatCases {
		return err
	}
	var ms []risk.Member
	for _, x := range marks {
		ms = append(ms, member(x))
	}
	assess := func(ms []risk.Member) risk.Assessment {
		if len(ms) < risk.RepeatCases {
			return risk.Assessment{Citizens: 1}
		}
		return risk.Assessment{Level: risk.Yellow, Citizens: 1, Reasons: []string{fmt.Sprintf("同一群众30天内求助%d次", len(ms))}}
	}
	return w.saveCluster(ctx, store.Alert{Key: "repeat|" + m.Citizen, Kind: risk.KindRepeat, Subject: "同一群众多次求助",
		Region: m.Region, Type: m.Type}, ms, assess)
}

// watchReopened raises a reopened alert on a case sent back to work from
// an end ReopenTimes times or more.
func (w *Cases) watchReopened(ctx context.Context, caseID string) error {
	events, err := w.Store.Events(ctx, caseID)
	if err != nil {
		return err
	}
	n := Reopenings(events)
	if n < risk.ReopenTimes {
		return nil
	}
	m, err := w.mark(ctx, caseID)
	if err != nil || m.CaseID == "" {
		return err
	}
	if m.Reopened != n {
		m.Reopened = n
		if err := w.Store.PutRiskMark(ctx, m); err != nil {
			return err
		}
	}
	assess := func(ms []risk.Member) risk.Assessment {
		return risk.Assessment{Level: risk.Yellow, Citizens: 1, Reasons: []string{fmt.Sprintf("同一案件结案后%d次重启", n)}}
	}
	return w.saveCluster(ctx, store.Alert{Key: "reopened|" + caseID, Kind: risk.KindReopened, Subject: "同一案件反复重启",
		Region: m.Region, Type: m.Type}, []risk.Member{member(m)}, assess)
}

// Reopenings counts the times a thread's case went from an end (resolved,
// unresolved, withdrawn) back to work.
func Reopenings(events []dispute.Event) int {
	n, ended := 0, false
	for _, e := range events {
		if e.Kind != dispute.StatusSet || e.Status == "" {
			continue
		}
		open := e.Status.Open()
		if ended && open {
			n++
		}
		ended = !open
	}
	return n
}

// saveCluster opens or updates the alert of shape's key for the cluster
// ms, graded by assess, retrying from a fresh read when another writer
// got there first.
func (w *Cases) saveCluster(ctx context.Context, shape store.Alert, ms []risk.Member,
	assess func([]risk.Member) risk.Assessment) error {
	for range maxAlertTries {
		a, changed, err := w.nextAlert(ctx, shape, ms, assess)
		if err != nil || !changed {
			return err
		}
		saved, err := w.Store.SaveAlert(ctx, a, nil)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		return w.notifyAlert(ctx, saved)
	}
	return fmt.Errorf("workflow: alert %s kept changing", shape.Key)
}

// nextAlert is what the alert of shape.Key becomes with ms: the open one
// with ms added (its level never lowered), or a new one when the cluster
// reaches a level and is not a closed alert's matter already.
func (w *Cases) nextAlert(ctx context.Context, shape store.Alert, ms []risk.Member,
	assess func([]risk.Member) risk.Assessment) (store.Alert, bool, error) {
	open, err := w.Store.OpenAlert(ctx, shape.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if assess(ms).Level == "" {
			return store.Alert{}, false, nil
		}
		if closed, err := w.Store.Alerts(ctx, store.AlertFilter{Key: shape.Key, Status: store.AlertClosed, Limit: 1}); err != nil {
			return store.Alert{}, false, err
		} else if len(closed) > 0 && !slices.ContainsFunc(ms, func(x risk.Member) bool { return !slices.Contains(closed[0].Cases, x.Case) }) {
			return store.Alert{}, false, nil // closed with these very cases: nothing new
		}
		open = shape
		open.Status = store.AlertOpen
	case err != nil:
		return store.Alert{}, false, err
	default:
		// The open alert's cases stay in it, even those now out of the window.
		var missing []string
		for _, c := range open.Cases {
			if !slices.ContainsFunc(ms, func(x risk.Member) bool { return x.Case == c }) {
				missing = append(missing, c)
			}
		}
		marks, err := w.Store.RiskMarks(ctx, missing)
		if err != nil {
			return store.Alert{}, false, err
		}
		for _, c := range missing {
			if x, ok := marks[c]; ok {
				ms = append(ms, member(x))
			}
		}
		slices.SortStableFunc(ms, func(a, b risk.Member) int { return a.At.Compare(b.At) })
	}
	as := assess(ms)
	next := open
	next.Citizens = as.Citizens
	if risk.Rank(as.Level) > risk.Rank(next.Level) {
		next.Level = as.Level
	}
	// The cluster holds every case the alert ever had, and marks only
	// gain signals: the reasons now include every earlier one.
	next.Reasons = as.Reasons
	next.Cases = nil
	for _, x := range ms {
		next.Cases = append(next.Cases, x.Case)
	}
	last := ms[len(ms)-1].At
	next.Trend = trend(ms, last)
	if next.OpenedAt.IsZero() {
		next.OpenedAt = last
	}
	changed := next.Level != open.Level || next.Citizens != open.Citizens || !slices.Equal(next.Cases, open.Cases) ||
		!slices.Equal(next.Reasons, open.Reasons)
	if changed && last.After(next.UpdatedAt) {
		next.UpdatedAt = last
	}
	return next, changed, nil
}

// TrendDays is how many days an alert's trend shows.
const TrendDays = 7

// trend counts the cases filed on each of the TrendDays days up to last.
func trend(ms []risk.Member, last time.Time) []int {
	out := make([]int, TrendDays)
	for _, x := range ms {
		d := int(last.Sub(x.At) / (24 * time.Hour))
		if d >= 0 && d < TrendDays {
			out[TrendDays-1-d]++
		}
	}
	return out
}
