package routing

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"jiefen/dispute"
)

// CorpusExample is one labelled message of the corpus (corpus/*.tsv).
type CorpusExample struct {
	Type   dispute.Type // one of dispute.Types or dispute.None
	Urgent bool         // someone is in danger now
	Region string       // one of the built-in city's regions or ""
	Text   string
	Line   int // in its file, for messages about it
}

// ReadCorpus reads a corpus file: one message a line as four tab-separated
// columns (type code, urgent 0/1, region of the built-in 通化市 or empty,
// text); blank lines and
// lines starting with # are skipped. Every problem is reported at once.
func ReadCorpus(r io.Reader) ([]CorpusExample, error) {
	var out []CorpusExample
	var errs []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) != 4 {
			errs = append(errs, fmt.Sprintf("line %d: %d columns, want 4", line, len(f)))
			continue
		}
		ex := CorpusExample{Type: dispute.Type(f[0]), Region: f[2], Text: f[3], Line: line}
		switch {
		case !ex.Type.Valid() && ex.Type != dispute.None:
			errs = append(errs, fmt.Sprintf("line %d: unknown type %q", line, f[0]))
		case f[1] != "0" && f[1] != "1":
			errs = append(errs, fmt.Sprintf("line %d: urgent %q, want 0 or 1", line, f[1]))
		case ex.Region != "" && !Builtin().City().Valid(ex.Region):
			errs = append(errs, fmt.Sprintf("line %d: unknown region %q", line, f[2]))
		case strings.TrimSpace(ex.Text) == "":
			errs = append(errs, fmt.Sprintf("line %d: no text", line))
		default:
			ex.Urgent = f[1] == "1"
			out = append(out, ex)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("routing: corpus: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// Training settings. minDF drops n-grams seen in only one message: they
// cannot generalise and would only grow the model.
const (
	minDF       = 2
	l2          = 5e-4
	trainSteps  = 300
	learnRate   = 0.05
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
)

// TrainModel fits the type model to examples and returns it in the model
// format (model.go). It is deterministic: the same examples in the same
// order give the same bytes. Full-batch Adam on the L2-regularised
// cross-entropy of a multinomial logistic regression; every product that
// feeds a sum is rounded explicitly (float64(x*y)) so that no platform fuses
// it into an FMA and changes the result.
func TrainModel(examples []CorpusExample) ([]byte, error) {
	classes := modelClasses()
	nc := len(classes)
	classOf := map[dispute.Type]int{}
	for i, c := range classes {
		classOf[c] = i
	}
	lex := defaultLexicon()

	// The n-grams of each message, and in how many messages each occurs.
	grams := make([][]string, len(examples))
	df := map[string]int{}
	var buf []rune
	for i, ex := range examples {
		if _, ok := classOf[ex.Type]; !ok {
			return nil, fmt.Errorf("routing: example %d: unknown type %q", i, ex.Type)
		}
		buf = modelRunes(normalize(ex.Text), buf)
		seen := map[string]bool{}
		eachNgram(buf, func(g []rune) {
			s := string(g)
			if !seen[s] {
				seen[s] = true
				grams[i] = append(grams[i], s)
			}
		})
		for _, s := range grams[i] {
			df[s]++
		}
	}
	var vocab []string
	for s, n := range df {
		if n >= minDF {
			vocab = append(vocab, s)
		}
	}
	slices.Sort(vocab)
	row := make(map[string]int32, len(vocab))
	hashes := make(map[uint64]string, len(vocab))
	for i, s := range vocab {
		row[s] = int32(i)
		h := hashRunes([]rune(s))
		if prev, dup := hashes[h]; dup {
			return nil, fmt.Errorf("routing: n-grams %q and %q have the same hash", prev, s)
		}
		hashes[h] = s
	}

	// The design matrix: the sorted rows of each message's known n-grams
	// (each present one has the value 1), and its dense features.
	type doc struct {
		rows  []int32
		dense []float64
		class int
	}
	docs := make([]doc, len(examples))
	for i, ex := range examples {
		d := doc{class: classOf[ex.Type], dense: make([]float64, denseCount)}
		for _, s := range grams[i] {
			if r, ok := row[s]; ok {
				d.rows = append(d.rows, r)
			}
		}
		slices.Sort(d.rows)
		denseFeatures(lex, normalize(ex.Text), d.dense)
		docs[i] = d
	}

	// Parameters, in one vector so that Adam treats them alike:
	// n-gram weights, then dense weights, then biases.
	nw, nd := len(vocab)*nc, denseCount*nc
	theta := make([]float64, nw+nd+nc)
	grad := make([]float64, len(theta))
	opt := newAdam(len(theta))
	logits := make([]float64, nc)
	inv := 1 / float64(len(docs))
	for range trainSteps {
		clear(grad)
		for _, d := range docs {
			for c := range logits {
				z := theta[nw+nd+c]
				for _, r := range d.rows {
					z += theta[int(r)*nc+c]
				}
				for k, x := range d.dense {
					z += float64(theta[nw+k*nc+c] * x)
				}
				logits[c] = z
			}
			p := softmax(logits)
			p[d.class] -= 1
			for c, g := range p {
				g *= inv
				grad[nw+nd+c] += g
				for _, r := range d.rows {
					grad[int(r)*nc+c] += g
				}
				for k, x := range d.dense {
					grad[nw+k*nc+c] += float64(g * x)
				}
			}
		}
		opt.step(theta, grad, nw+nd)
	}

	// The urgency head: binary logistic regression on the n-grams alone,
	// so that it learns how people in danger talk rather than leaning on
	// the rules it backs up. Last parameter: the bias.
	nv := len(vocab)
	urgent := make([]float64, nv+1)
	ugrad := make([]float64, len(urgent))
	uopt := newAdam(len(urgent))
	for range trainSteps {
		clear(ugrad)
		for i, d := range docs {
			z := urgent[nv]
			for _, r := range d.rows {
				z += urgent[r]
			}
			g := 1 / (1 + math.Exp(-z))
			if examples[i].Urgent {
				g -= 1
			}
			g *= inv
			ugrad[nv] += g
			for _, r := range d.rows {
				ugrad[r] += g
			}
		}
		uopt.step(urgent, ugrad, nv)
	}

	return encodeModel(&modelFile{
		classes:    classes,
		ngrams:     vocab,
		weights:    theta[:nw],
		dense:      theta[nw : nw+nd],
		bias:       theta[nw+nd:],
		urgent:     urgent[:nv],
		urgentBias: urgent[nv],
	}), nil
}

// adam is the Adam optimiser's state for one parameter vector.
type adam struct {
	mom, vel []float64
	b1t, b2t float64
}

func newAdam(n int) *adam {
	return &adam{mom: make([]float64, n), vel: make([]float64, n), b1t: 1, b2t: 1}
}

// step moves theta against grad; the first regularised parameters also
// pay the L2 penalty.
func (a *adam) step(theta, grad []float64, regularised int) {
	a.b1t *= adamBeta1
	a.b2t *= adamBeta2
	for i := range theta {
		g := grad[i]
		if i < regularised {
			g += float64(l2 * theta[i])
		}
		a.mom[i] = float64(adamBeta1*a.mom[i]) + float64((1-adamBeta1)*g)
		a.vel[i] = float64(adamBeta2*a.vel[i]) + float64((1-adamBeta2)*float64(g*g))
		mHat := a.mom[i] / (1 - a.b1t)
		vHat := a.vel[i] / (1 - a.b2t)
		theta[i] -= learnRate * mHat / (math.Sqrt(vHat) + adamEpsilon)
	}
}

// NewLocalFromModel returns a local classifier that uses the given model
// (as TrainModel writes it) instead of the shipped one: for evaluating a
// model before shipping it. city is as for NewLocal.
func NewLocalFromModel(model []byte, city City) (*Local, error) {
	m, err := decodeModel(model, defaultLexicon())
	if err != nil {
		return nil, err
	}
	return &Local{model: m, city: city}, nil
}
