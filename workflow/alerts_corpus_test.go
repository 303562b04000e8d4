package workflow

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/risk"
	"jiefen/store"
)

// The corpus (testdata/alerts_corpus.txt, format in its head) filed
// through the workflow on the embedded store, stream by stream: every
// planted group must come out as one alert holding exactly its cases, at
// its level, and nothing else may raise one. Precision and recall are
// printed; the floors are 1.0.

// Stream is one stream of the corpus.
type Stream struct {
	Name   string
	Start  time.Time
	Expect map[string][2]string // group → level, kind
	Lines  []Line
}

// Line is one complaint or later message of a stream.
type Line struct {
	At      time.Duration
	Citizen string
	Type    dispute.Type // "msg": a later message
	Region  string
	Group   string // "-": none
	Text    string
}

func readCorpus(t testing.TB, path string) []Stream {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Stream
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch fields[0] {
		case "stream":
			out = append(out, Stream{Name: fields[1], Start: testdate.At(strings.Join(fields[2:], " ")), Expect: map[string][2]string{}})
			continue
		case "expect":
			kind := risk.KindCluster
			if len(fields) > 3 {
				kind = fields[3]
			}
			out[len(out)-1].Expect[fields[1]] = [2]string{fields[2], kind}
			continue
		}
		head, text, ok := strings.Cut(line, "|")
		h := strings.Fields(head)
		if !ok || len(h) != 5 {
			t.Fatalf("%s:%d: want <hours> <citizen> <type> <region> <group> | <text>", path, n)
		}
		hours, err := strconv.ParseFloat(h[0], 64)
		if err != nil {
			t.Fatalf("%s:%d: hours %q", path, n, h[0])
		}
		region := h[3]
		if region == "-" {
			region = ""
		}
		out[len(out)-1].Lines = append(out[len(out)-1].Lines, Line{At: time.Duration(hours * float64(time.Hour)), Citizen: h[1],
			Type: dispute.Type(h[2]), Region: region, Group: h[4], Text: strings.TrimSpace(text)})
	}
	return out
}

// Score compares the alerts with the planted groups: an alert is right
// when its cases are exactly one group's, at the group's level and kind.
type Score struct {
	Alerts, Right, Groups, Found, LevelRight int
	Problems                                 []string
}

func score(s Stream, groups map[string][]string, alerts []store.Alert) Score {
	sc := Score{Alerts: len(alerts), Groups: len(s.Expect)}
	found := map[string]bool{}
	for _, a := range alerts {
		g := ""
		for name, cases := range groups {
			if slices.Contains(cases, a.Cases[0]) {
				g = name
			}
		}
		want, planted := s.Expect[g]
		cases := slices.Sorted(slices.Values(a.Cases))
		switch {
		case !planted:
			sc.Problems = append(sc.Problems, fmt.Sprintf("false alert %s %q %v", a.Level, a.Subject, a.Cases))
		case !slices.Equal(cases, slices.Sorted(slices.Values(groups[g]))):
			sc.Problems = append(sc.Problems, fmt.Sprintf("group %s: alert holds %v, want %v", g, cases, groups[g]))
		case found[g]:
			sc.Problems = append(sc.Problems, fmt.Sprintf("group %s: a second alert", g))
		default:
			sc.Right++
			found[g] = true
			sc.Found++
			if a.Level == want[0] && a.Kind == want[1] {
				sc.LevelRight++
			} else {
				sc.Problems = append(sc.Problems, fmt.Sprintf("group %s: %s %s, want %s %s (%v)", g, a.Kind, a.Level, want[1], want[0], a.Reasons))
			}
		}
	}
	for g := range s.Expect {
		if !found[g] {
			sc.Problems = append(sc.Problems, fmt.Sprintf("group %s (%v) not found", g, groups[g]))
		}
	}
	return sc
}

func TestAlertsCorpus(t *testing.T) {
	var total Score
	for _, s := range readCorpus(t, "testdata/alerts_corpus.txt") {
		f := newFixture(t)
		groups := map[string][]string{}
		last := map[string]dispute.Case{}
		for i, l := range s.Lines {
			f.now = s.Start.Add(l.At)
			var ch store.Change
			if l.Type == "msg" {
				k := last[l.Citizen]
				f.w.CitizenWrote(&ch, k, Said{Text: l.Text}, f.now)
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
		for _, a := range alerts {
			t.Logf("%s: %s %s %q %s %s: %d cases, %d citizens; %v", s.Name, a.Kind, a.Level, a.Subject, a.Region, a.Type,
				len(a.Cases), a.Citizens, a.Reasons)
		}
		sc := score(s, groups, alerts)
		for _, p := range sc.Problems {
			t.Errorf("%s: %s", s.Name, p)
		}
		total.Alerts += sc.Alerts
		total.Right += sc.Right
		total.Groups += sc.Groups
		total.Found += sc.Found
		total.LevelRight += sc.LevelRight
	}
	precision := float64(total.Right) / float64(max(total.Alerts, 1))
	recall := float64(total.Found) / float64(max(total.Groups, 1))
	t.Logf("alerts corpus: %d groups, %d alerts; precision %.3f, recall %.3f, level right %d/%d",
		total.Groups, total.Alerts, precision, recall, total.LevelRight, total.Found)
	if precision < 1 || recall < 1 || total.LevelRight < total.Found {
		t.Errorf("floors: precision 1.0 and recall 1.0 with every level right")
	}
}
