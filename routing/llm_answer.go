package routing

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"jiefen/dispute"
)

// Checking and merging the LLM's answers.

// llmAnswer is a checked answer of the LLM, before merging with the local
// result; it is what the cache holds.
type llmAnswer struct {
	Type    dispute.Type
	Urgent  bool
	Region  string
	Summary string
	Missing []string
}

var (
	reThink = regexp.MustCompile(`(?is)^\s*<think>.*?</think>`)
	llmKeys = []string{"type", "urgent", "region", "summary", "missing"}
)

// parseLLMAnswer accepts one JSON object with exactly the five fields, each
// of its type: type a dispute code or none, urgent a boolean, region one of
// the city's or "", summary a string, missing an array of strings. Around the
// object it tolerates what models add (a <think> block, a code fence, a
// lead-in sentence) but nothing after it.
//
// unmask puts back what was masked before sending (personal.Masked.Unmask):
// the summary names the people and places the citizen named; it is applied
// before the summary is shortened, so no placeholder is cut in half.
func parseLLMAnswer(content string, city City, unmask func(string) string) (llmAnswer, error) {
	s := reThink.ReplaceAllString(content, "")
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "```") {
		s = strings.TrimPrefix(s, "```")
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:] // the fence's language tag
		}
		s = strings.TrimSuffix(strings.TrimSpace(s), "```")
	}
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return llmAnswer{}, invalidf("no object")
	}
	dec := json.NewDecoder(strings.NewReader(s[i:]))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return llmAnswer{}, invalidf("not JSON")
	}
	if rest, _ := io.ReadAll(dec.Buffered()); len(bytes.TrimSpace(rest)) > 0 || dec.More() {
		return llmAnswer{}, invalidf("text after the object")
	}
	if len(fields) != len(llmKeys) {
		return llmAnswer{}, invalidf("%d fields", len(fields))
	}
	for _, k := range llmKeys {
		v, ok := fields[k]
		if !ok || string(v) == "null" {
			return llmAnswer{}, invalidf("field %s missing", k)
		}
	}
	var (
		a       llmAnswer
		typ     string
		missing []string
	)
	for _, f := range []struct {
		key string
		to  any
	}{{"type", &typ}, {"urgent", &a.Urgent}, {"region", &a.Region}, {"summary", &a.Summary}, {"missing", &missing}} {
		if err := json.Unmarshal(fields[f.key], f.to); err != nil {
			return llmAnswer{}, invalidf("field %s has the wrong type", f.key)
		}
	}
	a.Type = dispute.Type(strings.TrimSpace(typ))
	if !a.Type.Valid() && a.Type != dispute.None {
		return llmAnswer{}, invalidf("unknown type")
	}
	switch a.Region = strings.TrimSpace(a.Region); {
	case city.isCity(a.Region):
		a.Region = "" // the whole city is no region
	case a.Region != "" && !city.Valid(a.Region):
		return llmAnswer{}, invalidf("unknown region")
	}
	a.Summary = truncateRunes(maskPersonal(oneLine(unmask(a.Summary))), summaryRunes)
	for _, m := range missing {
		if m = truncateRunes(oneLine(unmask(m)), llmMissingRunes); m != "" && len(a.Missing) < llmMaxMissing {
			a.Missing = append(a.Missing, m)
		}
	}
	return a, nil
}

// oneLine removes control characters and line breaks, and trims.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == '\u200B' || r == '\uFE0F':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// merge combines a checked LLM answer with the local result: the LLM's type
// and (when it names one) region; urgency from either; and a case wherever
// someone is in danger.
func (l *LLM) merge(a llmAnswer, local Result, text, source string) Analysis {
	res := Result{Type: a.Type, Region: a.Region, Confidence: 0.9,
		Urgent: a.Urgent || local.Urgent || DetectUrgent(text)}
	if res.Type == local.Type {
		res.Confidence = max(0.95, local.Confidence)
	}
	if res.Region == "" {
		res.Region = l.localRegion(local, text)
	}
	if res.Urgent && res.Type == dispute.None {
		res.Type, res.Confidence = dispute.Other, 0.5
	}
	out := Analysis{Result: res, Summary: a.Summary, SummaryAI: a.Summary != "", Missing: slices.Clone(a.Missing), Source: source}
	if out.Summary == "" {
		out.Summary = Summarize(text, l.city)
	}
	return out
}

// localAnalysis is the fallback's result with the extractive summary.
func (l *LLM) localAnalysis(local Result, text string) Analysis {
	local.Urgent = local.Urgent || DetectUrgent(text)
	local.Region = l.localRegion(local, text)
	if local.Urgent && local.Type == dispute.None {
		local.Type = dispute.Other
	}
	return Analysis{Result: local, Summary: Summarize(text, l.city), Source: SourceLocal}
}

// localRegion is the fallback's region when it is one of the city's, else
// what the text names.
func (l *LLM) localRegion(local Result, text string) string {
	if l.city.Valid(local.Region) {
		return local.Region
	}
	return l.city.Detect(text)
}
