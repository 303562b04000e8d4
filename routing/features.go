package routing

import (
	"math"
	"unicode/utf8"

	"jiefen/dispute"
)

// Features of the trained type model (model.go), shared by training
// (train.go) and classification so that both see a message the same way.
//
// Sparse: every distinct character 1-, 2- and 3-gram of the normalised text
// (Traditional → Simplified, typos corrected, punctuation folded into sep),
// with the message's start and end marked and ASCII digits folded to 0.
// Each n-gram the model knows has the value 1 when present (binary
// features: a phrase said twice says no more than once).
//
// Dense: the hand-weighted phrase lists of keywords.go, one feature per
// group (15 types, grievance, chatter) as log(1+score), and the message's
// length in six buckets. The phrase lists carry what the corpus cannot: a
// word a citizen uses that no training message happened to contain.

const (
	ngramMin, ngramMax = 1, 3
	textStart          = '\x02'
	textEnd            = '\x03'
)

// lengthBuckets are the upper bounds (in runes) of the length features.
var lengthBuckets = []int{2, 5, 10, 20, 40}

// denseCount is the number of dense features.
var denseCount = groupCount + len(lengthBuckets) + 1

// modelRunes is the rune sequence n-grams are taken from: n (normalised
// text) between start and end marks, digits folded.
func modelRunes(n string, buf []rune) []rune {
	buf = append(buf[:0], textStart)
	for _, r := range n {
		if r >= '0' && r <= '9' {
			r = '0'
		}
		buf = append(buf, r)
	}
	return append(buf, textEnd)
}

// hashRunes is FNV-1a over the runes, four bytes each: the key under which
// the model indexes an n-gram.
func hashRunes(rs []rune) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range rs {
		u := uint32(r)
		for range 4 {
			h ^= uint64(u & 0xff)
			h *= 1099511628211
			u >>= 8
		}
	}
	return h
}

// eachNgram calls fn for every n-gram of rs (with repeats), shortest first
// at each position.
func eachNgram(rs []rune, fn func(g []rune)) {
	for i := range rs {
		for n := ngramMin; n <= ngramMax && i+n <= len(rs); n++ {
			g := rs[i : i+n]
			if n == 1 && (g[0] == textStart || g[0] == textEnd) {
				continue // present in every message
			}
			fn(g)
		}
	}
}

// denseFeatures fills dst (len denseCount) from normalised text n.
func denseFeatures(lex *compiled, n string, dst []float64) {
	clear(dst)
	s := lex.score(n)
	for i, v := range s {
		dst[i] = math.Log1p(math.Max(v, 0))
	}
	length := utf8.RuneCountInString(n)
	b := len(lengthBuckets)
	for i, max := range lengthBuckets {
		if length <= max {
			b = i
			break
		}
	}
	dst[groupCount+b] = 1
}

// modelClasses are the classes of the type model: the fifteen types, then
// None.
func modelClasses() []dispute.Type {
	return append(append([]dispute.Type(nil), dispute.Types...), dispute.None)
}
