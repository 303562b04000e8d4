package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"jiefen/dispute"
)

// Search (CaseFilter.Query) finds cases by what a mediator remembers of
// them. Both stores answer the same way:
//
//   - A query of letters, digits and dashes holding a digit ("0001",
//     "20261127-0001", "13812345678") is a number: it finds the cases
//     whose number ends with it (the whole number, or its last digits,
//     letters compared without case), and, when it is digits only, the
//     cases of CaseFilter.QueryPhones whose phone number ends with it.
//     Numbers search no text: digits are in nearly every story.
//   - Any other query is words: its runs of letters and digits (what
//     spaces and punctuation separate), ASCII letters compared without
//     case. A case matches when every word of two characters or more is
//     contained in its story, its summary or the text of one of its
//     searchable events (Searchable). A word of one character searches
//     nothing (in Chinese it is in nearly every case); a query with no
//     longer word finds no case.
//
// Anonymised cases lose their text, and with it what finds them by words
// or phone number. The indexes behind this are bigrams (two characters
// in a row) of the runs, which is what makes a two-character Chinese word
// as fast to find as a longer one; see each store.

// Searchable says whether an event's text is searched: what the citizen
// and the mediators wrote (messages, notes), not what the bot or the
// system said, which is the same in every case and would find them all.
func Searchable(e dispute.Event) bool {
	switch e.Kind {
	case dispute.MessageIn, dispute.Note:
		return true
	case dispute.MessageOut:
		return e.Actor != "bot" && e.Actor != "system"
	}
	return false
}

// SearchQuery is a query as the stores use it.
type SearchQuery struct {
	// Number is the query as a case number's end, upper case; "" when
	// the query is words.
	Number string
	// Digits is the query as a phone number's end (digits only); "" when
	// it is not all digits.
	Digits string
	// Words are the runs of two characters or more, lower case (ASCII).
	Words []string
}

// ParseQuery reads a query (CaseFilter.Query); ok is false when it is
// empty: no search.
func ParseQuery(q string) (s SearchQuery, ok bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return s, false
	}
	if number(q) {
		s.Number = strings.ToUpper(q)
		if !strings.Contains(q, "-") && !strings.ContainsFunc(q, unicode.IsLetter) {
			s.Digits = q
		}
		return s, true
	}
	for _, w := range SearchRuns(q) {
		if utf8.RuneCountInString(w) >= 2 {
			s.Words = append(s.Words, w)
		}
	}
	return s, true
}

// number reports whether q is ASCII letters, digits and dashes with a digit.
func number(q string) bool {
	digit := false
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-':
		default:
			return false
		}
	}
	return digit
}

// SearchRuns splits text into its runs of letters and digits, ASCII
// letters in lower case. Only ASCII is folded, so that the Redis store's
// scripts (whose string.lower knows nothing else) compare the same way.
func SearchRuns(text string) []string {
	var out []string
	start := -1
	for i, r := range text {
		in := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, lowerASCII(text[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, lowerASCII(text[start:]))
	}
	return out
}

func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// Bigrams lists a run's bigrams in order (none for a run of one character).
func Bigrams(run string) []string {
	var out []string
	prev := -1
	for i := range run {
		if prev >= 0 {
			_, n := utf8.DecodeRuneInString(run[i:])
			out = append(out, run[prev:i+n])
		}
		prev = i
	}
	return out
}

// SearchGrams is the set of bigrams of texts, each once (never nil): what
// the Redis store indexes a case under.
func SearchGrams(texts ...string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range texts {
		for _, run := range SearchRuns(t) {
			for _, g := range Bigrams(run) {
				if !seen[g] {
					seen[g] = true
					out = append(out, g)
				}
			}
		}
	}
	return out
}
