package routing

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"jiefen/dispute"
)

// The type model: multinomial logistic regression over the features of
// features.go, trained from corpus/train.tsv by `go run ./routing/train`
// (train.go) and shipped in the binary. model.bin is generated: edit the
// corpus or the training code, then run the command again;
// TestShippedModelUpToDate fails while the two disagree.
//
//go:generate go run ./train
//go:embed model.bin
var shippedModel []byte

// modelMagic starts every model file; the last byte is the format version.
const modelMagic = "JFTM\x02"

// typeModel scores a message for each class. Read-only once loaded.
type typeModel struct {
	classes []dispute.Type
	index   map[uint64]int32 // n-gram hash → row of weights
	ngrams  int
	weights []int16   // ngrams × len(classes), row-major, times scale
	scale   float32   // of weights
	dense   []float32 // denseCount × len(classes)
	bias    []float32 // len(classes)
	lex     *compiled // the phrase lists the dense features come from

	// The urgency head: a logistic regression on the n-grams that backs up
	// the rules of urgency.go (urgentProbability).
	urgent      []int16 // ngrams, times urgentScale
	urgentScale float32
	urgentBias  float32
}

// defaultModel is decoded once, on first use, and shared by every Local.
var defaultModel = sync.OnceValue(func() *typeModel {
	m, err := decodeModel(shippedModel, defaultLexicon())
	if err != nil {
		// model.bin is generated and a test decodes it.
		panic(err)
	}
	return m
})

// modelFile is what encodeModel writes: the trained parameters in float64,
// quantised on the way out.
type modelFile struct {
	classes []dispute.Type
	ngrams  []string // sorted
	weights []float64
	dense   []float64
	bias    []float64

	urgent     []float64 // one per n-gram
	urgentBias float64
}

// encodeModel writes m in the model format (little-endian):
//
//	magic, uvarint C, C × (uvarint len, class code),
//	uvarint D (dense features), float32 scale, C × float32 bias,
//	D×C × float32 dense weights,
//	uvarint F, F × (uvarint len, n-gram UTF-8), F×C × int16 weights,
//	float32 urgency scale, float32 urgency bias, F × int16 urgency weights.
//
// The same model always gives the same bytes.
func encodeModel(m *modelFile) []byte {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	uv := func(v int) { b.Write(binary.AppendUvarint(nil, uint64(v))) }
	str := func(s string) { uv(len(s)); b.WriteString(s) }
	f32 := func(v float64) { b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v)))) }
	uv(len(m.classes))
	for _, c := range m.classes {
		str(string(c))
	}
	uv(len(m.dense) / len(m.classes))
	scale := quantScale(m.weights)
	f32(scale)
	for _, v := range m.bias {
		f32(v)
	}
	for _, v := range m.dense {
		f32(v)
	}
	uv(len(m.ngrams))
	for _, g := range m.ngrams {
		str(g)
	}
	i16 := func(ws []float64, scale float64) {
		for _, w := range ws {
			q := math.Round(w / scale)
			b.Write(binary.LittleEndian.AppendUint16(nil, uint16(int16(max(-32767, min(32767, q))))))
		}
	}
	i16(m.weights, scale)
	uscale := quantScale(m.urgent)
	f32(uscale)
	f32(m.urgentBias)
	i16(m.urgent, uscale)
	return b.Bytes()
}

// quantScale is the step of the int16 grid that holds ws: the largest
// weight maps to 32000.
func quantScale(ws []float64) float64 {
	maxAbs := 0.0
	for _, w := range ws {
		maxAbs = math.Max(maxAbs, math.Abs(w))
	}
	if maxAbs == 0 {
		return 1
	}
	return float64(float32(maxAbs / 32000))
}

var errModel = errors.New("routing: malformed model")

// decodeModel reads a model written by encodeModel.
func decodeModel(data []byte, lex *compiled) (*typeModel, error) {
	if !bytes.HasPrefix(data, []byte(modelMagic)) {
		return nil, fmt.Errorf("%w: bad magic or version", errModel)
	}
	r := data[len(modelMagic):]
	bad := false
	uv := func() int {
		v, n := binary.Uvarint(r)
		if n <= 0 || v > 1<<28 {
			bad = true
			return 0
		}
		r = r[n:]
		return int(v)
	}
	take := func(n int) []byte {
		if bad || n > len(r) {
			bad = true
			return nil
		}
		s := r[:n]
		r = r[n:]
		return s
	}
	f32 := func() float32 {
		if s := take(4); s != nil {
			return math.Float32frombits(binary.LittleEndian.Uint32(s))
		}
		return 0
	}
	m := &typeModel{lex: lex}
	nc := uv()
	for range nc {
		m.classes = append(m.classes, dispute.Type(take(uv())))
	}
	if bad || !slices.Equal(m.classes, modelClasses()) {
		return nil, fmt.Errorf("%w: classes %v", errModel, m.classes)
	}
	if d := uv(); d != denseCount {
		return nil, fmt.Errorf("%w: %d dense features, want %d", errModel, d, denseCount)
	}
	m.scale = f32()
	m.bias = make([]float32, nc)
	for i := range m.bias {
		m.bias[i] = f32()
	}
	m.dense = make([]float32, denseCount*nc)
	for i := range m.dense {
		m.dense[i] = f32()
	}
	m.ngrams = uv()
	m.index = make(map[uint64]int32, m.ngrams)
	var rs []rune
	for i := range m.ngrams {
		rs = append(rs[:0], []rune(string(take(uv())))...)
		h := hashRunes(rs)
		if _, dup := m.index[h]; dup && !bad {
			return nil, fmt.Errorf("%w: n-gram %q collides", errModel, string(rs))
		}
		m.index[h] = int32(i)
	}
	i16 := func(n int) []int16 {
		raw := take(2 * n)
		if bad {
			return nil
		}
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		return out
	}
	m.weights = i16(m.ngrams * nc)
	m.urgentScale = f32()
	m.urgentBias = f32()
	m.urgent = i16(m.ngrams)
	if bad || len(r) != 0 {
		return nil, fmt.Errorf("%w: truncated or trailing bytes", errModel)
	}
	return m, nil
}

// scratch is the per-call working memory of predict, pooled so that
// classification allocates little.
type scratch struct {
	runes []rune
	rows  []int32
	dense []float64
	acc   []int64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// predict returns the probability of each class (in m.classes order) for
// normalised text n, and the urgency head's probability that someone is in
// danger.
func (m *typeModel) predict(n string) (probs []float64, urgent float64) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	nc := len(m.classes)

	s.runes = modelRunes(n, s.runes)
	s.rows = s.rows[:0]
	eachNgram(s.runes, func(g []rune) {
		if row, ok := m.index[hashRunes(g)]; ok {
			s.rows = append(s.rows, row)
		}
	})
	slices.Sort(s.rows)
	s.rows = slices.Compact(s.rows)

	s.acc = append(s.acc[:0], make([]int64, nc)...)
	var uacc int64
	for _, row := range s.rows {
		w := m.weights[int(row)*nc : int(row)*nc+nc]
		for c, v := range w {
			s.acc[c] += int64(v)
		}
		uacc += int64(m.urgent[row])
	}
	if cap(s.dense) < denseCount {
		s.dense = make([]float64, denseCount)
	}
	s.dense = s.dense[:denseCount]
	denseFeatures(m.lex, n, s.dense)

	logits := make([]float64, nc)
	for c := range logits {
		z := float64(m.bias[c]) + float64(s.acc[c])*float64(m.scale)
		for d, x := range s.dense {
			if x != 0 {
				z += x * float64(m.dense[d*nc+c])
			}
		}
		logits[c] = z
	}
	z := float64(m.urgentBias) + float64(uacc)*float64(m.urgentScale)
	return softmax(logits), 1 / (1 + math.Exp(-z))
}

// softmax turns logits into probabilities, in place.
func softmax(z []float64) []float64 {
	top := slices.Max(z)
	sum := 0.0
	for i, v := range z {
		z[i] = math.Exp(v - top)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
	return z
}
