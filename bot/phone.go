package bot

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chinese mobile numbers (11 digits starting 13–19, optionally +86) and
// landlines with an area code (0 + 2–3 digits, then 7–8 digits).
var (
	// Bounded by non-digits so an ID-card or bank number is not read as a phone.
	mobileRe   = regexp.MustCompile(`(?:^|\D)(?:\+?86)?(1[3-9]\d{9})(?:\D|$)`)
	landlineRe = regexp.MustCompile(`(?:^|\D)(0\d{2,3})-?(\d{7,8})(?:\D|$)`)
)

// findPhone returns the first phone number in s, normalised, or "".
func findPhone(s string) string {
	s = toHalfWidth(s)
	compact := strings.NewReplacer(" ", "", "　", "", "－", "-").Replace(s)
	if m := mobileRe.FindStringSubmatch(strings.ReplaceAll(compact, "-", "")); m != nil {
		return m[1]
	}
	if m := landlineRe.FindStringSubmatch(compact); m != nil {
		return m[1] + "-" + m[2]
	}
	return ""
}

// phoneProblem says what is wrong with an answer that looks like a mistyped
// phone number (mostly digits, perhaps with letters among them), or "" when
// it does not look like a number at all.
func phoneProblem(s string) string {
	var digits, letters, other int
	for _, r := range toHalfWidth(s) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '+' || r == '　':
		default:
			other++
		}
	}
	if digits < 5 || other > 4 {
		return ""
	}
	switch {
	case letters > 0:
		return txtPhoneLetters
	case strings.HasPrefix(strings.TrimLeft(toHalfWidth(s), " +86"), "1"):
		return fmt.Sprintf(txtPhoneDigits, digits)
	}
	return txtBadPhone
}
