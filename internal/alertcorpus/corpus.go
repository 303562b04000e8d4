// Package alertcorpus is the risk early warning's measured corpora
// (corpus.txt, format in its head, and heldout.txt and heldout2.txt, each
// written apart from it, from each other and from the extractor to measure
// how far the rules carry) and their
// scoring, shared by the workflow's test and the end-to-end tests through
// the real callback. Only tests import it.
package alertcorpus

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/risk"
)

//go:embed corpus.txt
var corpus string

//go:embed heldout.txt
var heldout string

//go:embed heldout2.txt
var heldout2 string

// Set is one corpus file's streams.
type Set struct {
	Name    string // the file: corpus.txt, heldout.txt, heldout2.txt
	Streams []Stream
	// Floor is the least precision and recall the set must score through
	// the workflow, CallbackFloor through the real callback and the local
	// classifier (whose types may part a group). Below {1, 1} a set is
	// measured, not passed: its problems are logged, its floor enforced,
	// every found group at its level either way.
	Floor, CallbackFloor [2]float64
}

// Strict reports whether every problem of the set fails a test.
func Strict(floor [2]float64) bool { return floor == [2]float64{1, 1} }

// Sets reads every corpus: the project's own first, then the held-out ones.
// Scores are reported per set: the held-out figures say how well the
// rules generalise, which the own corpus, written with them, cannot.
func Sets() ([]Set, error) {
	var out []Set
	perfect := [2]float64{1, 1}
	for _, f := range []struct {
		name, text      string
		floor, callback [2]float64
	}{
		{"corpus.txt", corpus, perfect, perfect}, {"heldout.txt", heldout, perfect, perfect},
		// What the rules achieve on the second held-out corpus (README,
		// "held-out"): a contractor named instead of its project and a lot
		// told without its road are a miss; through the callback, a
		// renovation firm's customer typed as property too.
		{"heldout2.txt", heldout2, [2]float64{1, 0.92}, [2]float64{0.92, 0.85}},
	} {
		ss, err := parse(f.name, f.text)
		if err != nil {
			return nil, err
		}
		out = append(out, Set{Name: f.name, Streams: ss, Floor: f.floor, CallbackFloor: f.callback})
	}
	return out, nil
}

// Alert is what Grade needs of an alert (store.Alert and the API's JSON both give it).
type Alert struct {
	Level, Kind, Subject string
	Cases                []string
	Reasons              []string
}

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

// Read parses the project's own corpus (corpus.txt).
func Read() ([]Stream, error) { return parse("corpus.txt", corpus) }

// ReadHeldout parses the held-out corpus (heldout.txt).
func ReadHeldout() ([]Stream, error) { return parse("heldout.txt", heldout) }

func parse(file, text string) ([]Stream, error) {
	var out []Stream
	sc := bufio.NewScanner(strings.NewReader(text))
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
			return nil, fmt.Errorf("%s:%d: want <hours> <citizen> <type> <region> <group> | <text>", file, n)
		}
		hours, err := strconv.ParseFloat(h[0], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: hours %q", file, n, h[0])
		}
		region := h[3]
		if region == "-" {
			region = ""
		}
		out[len(out)-1].Lines = append(out[len(out)-1].Lines, Line{At: time.Duration(hours * float64(time.Hour)), Citizen: h[1],
			Type: dispute.Type(h[2]), Region: region, Group: h[4], Text: strings.TrimSpace(text)})
	}
	return out, sc.Err()
}

// Score compares the alerts with the planted groups: an alert is right
// when its cases are exactly one group's, at the group's level and kind.
type Score struct {
	Alerts, Right, Groups, Found, LevelRight int
	Problems                                 []string
}

// Grade scores the alerts read after stream s was filed; groups holds the
// case numbers each planted group was given.
func Grade(s Stream, groups map[string][]string, alerts []Alert) Score {
	sc := Score{Alerts: len(alerts), Groups: len(s.Expect)}
	found := map[string]bool{}
	for _, a := range alerts {
		g := ""
		for name, cases := range groups {
			if len(a.Cases) > 0 && slices.Contains(cases, a.Cases[0]) {
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

// Add sums scores.
func (s *Score) Add(o Score) {
	s.Alerts += o.Alerts
	s.Right += o.Right
	s.Groups += o.Groups
	s.Found += o.Found
	s.LevelRight += o.LevelRight
}

// Precision is the share of alerts that are exactly a planted group.
func (s Score) Precision() float64 { return float64(s.Right) / float64(max(s.Alerts, 1)) }

// Recall is the share of planted groups found.
func (s Score) Recall() float64 { return float64(s.Found) / float64(max(s.Groups, 1)) }
