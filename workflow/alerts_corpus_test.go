package workflow

import (
	"testing"

	"jiefen/dispute"
	"jiefen/internal/alertcorpus"
	"jiefen/store"
)

// The corpus (internal/alertcorpus/corpus.txt) filed through the workflow
// on the embedded store, stream by stream: every planted group must come
// out as one alert holding exactly its cases, at its level, and nothing
// else may raise one. Precision and recall are printed; the floors are 1.0.
func TestAlertsCorpus(t *testing.T) {
	streams, err := alertcorpus.Read()
	if err != nil {
		t.Fatal(err)
	}
	var total alertcorpus.Score
	for _, s := range streams {
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
			t.Errorf("%s: %s", s.Name, p)
		}
		total.Add(sc)
	}
	t.Logf("alerts corpus: %d groups, %d alerts; precision %.3f, recall %.3f, level right %d/%d",
		total.Groups, total.Alerts, total.Precision(), total.Recall(), total.LevelRight, total.Found)
	if total.Precision() < 1 || total.Recall() < 1 || total.LevelRight < total.Found {
		t.Errorf("floors: precision 1.0 and recall 1.0 with every level right")
	}
}
