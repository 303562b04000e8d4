package workflow

import (
	"testing"

	"jiefen/dispute"
	"jiefen/internal/alertcorpus"
	"jiefen/store"
)

// The corpora (internal/alertcorpus) filed through the workflow on the
// embedded store, stream by stream: every planted group must come out as
// one alert holding exactly its cases, at its level, and nothing else may
// raise one. Precision and recall are printed per corpus.
func TestAlertsCorpus(t *testing.T) {
	sets, err := alertcorpus.Sets()
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range sets {
		t.Run(set.Name, func(t *testing.T) {
			var total alertcorpus.Score
			for _, s := range set.Streams {
				total.Add(fileStream(t, s, alertcorpus.Strict(set.Floor)))
			}
			t.Logf("%s: %d groups, %d alerts; precision %.3f, recall %.3f, level right %d/%d",
				set.Name, total.Groups, total.Alerts, total.Precision(), total.Recall(), total.LevelRight, total.Found)
			// The own corpus was written with the rules and must be
			// perfect; the held-out ones were written apart from them, so
			// their figures are the honest measure of how the rules
			// generalise, and their floors what the rules achieve.
			floor := set.Floor
			if total.Precision() < floor[0] || total.Recall() < floor[1] || total.LevelRight < total.Found {
				t.Errorf("floors: precision %.2f and recall %.2f with every level right", floor[0], floor[1])
			}
		})
	}
}

// fileStream files one stream on a fresh fixture and grades the alerts it
// leaves; each problem is reported, as an error when strict.
func fileStream(t *testing.T, s alertcorpus.Stream, strict bool) alertcorpus.Score {
	t.Helper()
	f := newFixture(t)
	groups := map[string][]string{}
	last := map[string]dispute.Case{}
	for i, l := range s.Lines {
		f.now = s.Start.Add(l.At)
		var ch store.Change
		if l.Type == "msg" {
			f.w.CitizenWrote(&ch, last[l.Citizen], Said{Text: l.Text}, f.now)
		} else {
			k, _, err := f.w.File(f.ctx, &ch, Filing{OpenID: "o-" + l.Citizen, Story: l.Text, Type: l.Type, Confidence: 0.9,
				Region: l.Region}, f.now)
			if err != nil {
				t.Fatalf("%s line %d: %v", s.Name, i, err)
			}
			last[l.Citizen] = k
			if l.Group != "-" {
				groups[l.Group] = append(groups[l.Group], k.ID)
			}
		}
		if err := f.s.Commit(f.ctx, ch); err != nil {
			t.Fatal(err)
		}
		if err := f.w.Watch(f.ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	alerts, err := f.s.Alerts(f.ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var graded []alertcorpus.Alert
	for _, a := range alerts {
		t.Logf("%s: %s %s %q %s %s: %d cases, %d citizens; %v", s.Name, a.Kind, a.Level, a.Subject, a.Region, a.Type,
			len(a.Cases), a.Citizens, a.Reasons)
		graded = append(graded, alertcorpus.Alert{Level: a.Level, Kind: a.Kind, Subject: a.Subject, Cases: a.Cases, Reasons: a.Reasons})
	}
	sc := alertcorpus.Grade(s, groups, graded)
	for _, p := range sc.Problems {
		if strict {
			t.Errorf("%s: %s", s.Name, p)
		} else {
			t.Logf("%s: %s", s.Name, p)
		}
	}
	return sc
}
