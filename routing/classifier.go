package routing

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"jiefen/dispute"
)

// Result is what a classifier understood of a complaint. The JSON names are
// those `jiefen classify` prints (shared/interfaces.md).
type Result struct {
	Type       dispute.Type `json:"type"`       // one of dispute.Types, or dispute.None for greetings/chatter/how-to questions
	Confidence float64      `json:"confidence"` // 0..1
	Urgent     bool         `json:"urgent"`     // someone is in danger now
	Region     string       `json:"region"`     // one of dispute.Regions or ""
}

// Classifier is filled by the local rules classifier now and an LLM
// classifier later.
type Classifier interface {
	Classify(ctx context.Context, text string) (Result, error)
}

// Local is the rules baseline: weighted phrases per type (keywords.go) over
// normalised text. It holds only read-only tables, so one Local serves any
// number of goroutines.
type Local struct {
	lex *compiled
}

var _ Classifier = (*Local)(nil)

// NewLocal returns the local rules classifier.
func NewLocal() *Local { return &Local{lex: defaultLexicon()} }

// Groups scored besides the dispute types, numbered after them.
var (
	groupGrievance = len(dispute.Types)
	groupChatter   = len(dispute.Types) + 1
	groupCount     = len(dispute.Types) + 2
)

type entry struct {
	phrase string
	group  int // index into dispute.Types, or groupGrievance / groupChatter
	weight float64
}

// compiled indexes every phrase by its first rune, so scoring walks the text
// once and tries only the phrases that can start at each position.
type compiled struct {
	entries []entry
	byFirst map[rune][]int
}

// defaultLexicon is compiled once, on first use, and shared by every Local.
var defaultLexicon = sync.OnceValue(func() *compiled {
	c, err := compileLexicon(lexicon, grievanceWords, chatterWords)
	if err != nil {
		// The phrase lists are source code and a test compiles them.
		panic(err)
	}
	return c
})

func compileLexicon(lex map[dispute.Type]string, grievance, chatter string) (*compiled, error) {
	c := &compiled{byFirst: map[rune][]int{}}
	add := func(group int, list string) error {
		for _, f := range strings.Fields(list) {
			i := strings.LastIndexByte(f, ':')
			if i <= 0 {
				return fmt.Errorf("routing: phrase %q has no weight", f)
			}
			w, err := strconv.ParseFloat(f[i+1:], 64)
			if err != nil {
				return fmt.Errorf("routing: phrase %q: %v", f, err)
			}
			p := normalize(f[:i])
			if p != f[:i] {
				return fmt.Errorf("routing: phrase %q is not in normalised form (%q)", f[:i], p)
			}
			first, _ := utf8.DecodeRuneInString(p)
			c.byFirst[first] = append(c.byFirst[first], len(c.entries))
			c.entries = append(c.entries, entry{phrase: p, group: group, weight: w})
		}
		return nil
	}
	for i, typ := range dispute.Types {
		if err := add(i, lex[typ]); err != nil {
			return nil, err
		}
	}
	for typ := range lex {
		if !typ.Valid() {
			return nil, fmt.Errorf("routing: lexicon has unknown type %q", typ)
		}
	}
	if err := add(groupGrievance, grievance); err != nil {
		return nil, err
	}
	if err := add(groupChatter, chatter); err != nil {
		return nil, err
	}
	return c, nil
}

// score sums the weights of the phrases found in n, each phrase once.
func (c *compiled) score(n string) []float64 {
	scores := make([]float64, groupCount)
	seen := make(map[int]bool, 16)
	for i, r := range n {
		for _, e := range c.byFirst[r] {
			if !seen[e] && strings.HasPrefix(n[i:], c.entries[e].phrase) {
				seen[e] = true
				scores[c.entries[e].group] += c.entries[e].weight
			}
		}
	}
	return scores
}

// Thresholds of the decision in Classify, in phrase-weight units.
const (
	strongScore = 3.0 // one strong phrase or a few weak ones agreeing
	weakScore   = 2.0 // enough when the text is clearly a grievance
	storyRunes  = 15  // a message this long with no signal is still a story
	hintRunes   = 10  // a weak hint counts in a message this long
)

// Classify never fails: whatever the text, it returns a Result.
func (l *Local) Classify(_ context.Context, text string) (Result, error) {
	n := normalize(text)
	res := Result{Type: dispute.None, Urgent: detectUrgent(n), Region: detectRegion(n)}
	if n == "" {
		res.Confidence = 1
		return res, nil
	}
	s := l.lex.score(n)
	top, second := -1, -1
	for i := range dispute.Types {
		s[i] = math.Max(s[i], 0) // negative weights only hold a type back
		switch {
		case top < 0 || s[i] > s[top]:
			top, second = i, top
		case second < 0 || s[i] > s[second]:
			second = i
		}
	}
	grievance, chatter := s[groupGrievance], s[groupChatter]
	length := utf8.RuneCountInString(strings.ReplaceAll(n, string(sep), ""))

	switch {
	case s[top] >= strongScore:
		res.Type, res.Confidence = dispute.Types[top], confidence(s[top], s[second])
	case s[top] >= weakScore && (grievance > 0 || length >= hintRunes):
		// A weak hint inside a clear grievance: take it, but say we are unsure.
		res.Type, res.Confidence = dispute.Types[top], 0.6*confidence(s[top], s[second])
	// Polite words turn up inside stories too ("说好的"), so in a longer
	// message any trace of a complaint outweighs them.
	case grievance > chatter || length >= storyRunes && (chatter == 0 || s[top] > 0 || grievance > 0):
		res.Type, res.Confidence = dispute.Other, math.Min(0.15+0.08*grievance, 0.5)
	default:
		res.Confidence = math.Min(0.6+0.1*chatter, 0.95)
	}
	if res.Urgent && res.Type == dispute.None {
		// Danger is a matter even when we cannot tell what kind: it must
		// become a case that reaches the duty desk.
		res.Type, res.Confidence = dispute.Other, 0.3
	}
	res.Confidence = math.Round(res.Confidence*100) / 100
	return res, nil
}

// confidence grows with the winning score and shrinks when the runner-up is
// close: 0.83 for one decisive phrase alone, about 0.5 for a 2:1 split.
func confidence(top, second float64) float64 {
	share := top / (top + second)
	strength := 1 - math.Exp(-top/4)
	return math.Min(share*strength, 0.97)
}
