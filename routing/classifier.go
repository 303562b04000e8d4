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
// those `jiefen classify` prints (a documented format).
type Result struct {
	Type       dispute.Type `json:"type"`       // one of dispute.Types, or dispute.None for greetings/chatter/how-to questions
	Confidence float64      `json:"confidence"` // 0..1
	Urgent     bool         `json:"urgent"`     // someone is in danger now
	Region     string       `json:"region"`     // one of the city's regions (City.Names) or ""
}

// Classifier is filled by the local classifier (Local) or an LLM
// classifier.
type Classifier interface {
	Classify(ctx context.Context, text string) (Result, error)
}

// Local is the local classifier: a trained model (model.go) for the type,
// rules for urgency (urgency.go) and the city's names for the region
// (City.Detect), all over text
// normalised from Traditional to Simplified characters and common typos.
// It holds only read-only tables, so one Local serves any number of
// goroutines.
type Local struct {
	model *typeModel
	city  City
}

var _ Classifier = (*Local)(nil)

// NewLocal returns the local classifier with the model shipped in the
// binary, finding the regions of city (the routing table's, Table.City).
func NewLocal(city City) *Local { return &Local{model: defaultModel(), city: city} }

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

// urgentThreshold is the urgency head's probability above which a message
// is urgent even though no rule fired: the head catches ways of telling
// danger that the rules do not list ("液化气罐着了 火挺大"). Below one half
// because a miss costs far more than a false alarm.
const urgentThreshold = 0.35

// Classify never fails: whatever the text, it returns a Result. The type
// is the model's most probable class and the confidence its probability;
// urgency is the rules of urgency.go or the model's urgency head; someone
// in danger always makes a case (never None).
func (l *Local) Classify(_ context.Context, text string) (Result, error) {
	n := normalize(text)
	res := Result{Type: dispute.None, Confidence: 1, Urgent: detectUrgent(n), Region: l.city.detect(n)}
	if n != "" {
		p, urgent := l.model.predict(n)
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		res.Type, res.Confidence = l.model.classes[best], p[best]
		res.Urgent = res.Urgent || urgent >= urgentThreshold
		res = l.bareGrievance(n, res)
	}
	if res.Urgent && res.Type == dispute.None {
		// Danger is a matter even when we cannot tell what kind: it must
		// become a case that reaches the duty desk.
		res.Type, res.Confidence = dispute.Other, 0.3
	}
	res.Confidence = math.Round(res.Confidence*100) / 100
	return res, nil
}

// bareConfidence caps the confidence of a complaint that names no kind of
// dispute at all ("我要投诉"): the model has to pick something, but the
// citizen has not said what it is about yet.
const bareConfidence = 0.5

// decisive is the phrase weight that alone settles a type (keywords.go);
// decisiveConfidence is the confidence such a correction gets: sure
// enough to go on with the intake, not so sure that a later, longer
// message could not change it.
const (
	decisive           = 5
	decisiveConfidence = 0.7
)

// bareGrievance corrects the model where the phrase lists are surer: a
// message with grievance words and no type words is a complaint of unknown
// kind (other, unsure), not chatter, and not confidently anything.
func (l *Local) bareGrievance(n string, res Result) Result {
	s := l.model.lex.score(n)
	if res.Type == dispute.None {
		// A phrase that alone settles a type (weight 5 and up: 欠薪,
		// 宅基地) makes a complaint of it, even when the rest of a short
		// message reads like chatter to the model (飞驰快递二道江网点，欠薪，
		// 我是分拣的): a citizen who names their matter is not asked to
		// tell it again.
		best, second := -1, 0.0
		for i := range dispute.Types {
			switch {
			case best < 0 || s[i] > s[best]:
				if best >= 0 {
					second = max(second, s[best])
				}
				best = i
			case s[i] > second:
				second = s[i]
			}
		}
		if best >= 0 && s[best] >= decisive && second < decisive && s[groupChatter] < s[best] {
			res.Type, res.Confidence = dispute.Types[best], decisiveConfidence
			return res
		}
	}
	for i := range dispute.Types {
		if s[i] > 0 {
			return res
		}
	}
	if res.Type == dispute.None && s[groupGrievance] > s[groupChatter] {
		res.Type = dispute.Other
	}
	if res.Type != dispute.None {
		res.Confidence = math.Min(res.Confidence, bareConfidence)
	}
	return res
}
