package bot

import (
	"regexp"
	"strings"
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
