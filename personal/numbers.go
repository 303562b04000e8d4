// Package personal recognises personal information in what citizens
// write, locally and deterministically (no model, no network): the
// sensitive kinds the Personal Information Protection Law (个人信息保护法
// art. 28) asks a separate consent for (Sensitive), and the identifying
// details masked before any text leaves for an LLM (Mask). Both err on the
// side of finding too much: a false alarm costs the citizen one question,
// or the LLM one word; a miss passes on what the citizen was not asked
// about.
package personal

import (
	"regexp"
	"strings"
)

// numberRun is a run of digits, possibly broken by spaces or dashes as
// people type phone and card numbers ("139 1234 5678", "6222-0212-…"),
// ending with an X for ID numbers.
var numberRun = regexp.MustCompile(`\d(?:[\d\- ]*\d)?[Xx]?`)

// numberKind classes a run of digits (separators removed).
type numberKind int

const (
	notPersonal numberKind = iota
	phoneNumber
	idNumber
	bankNumber
)

// classify says what a run of digits is: an 18-digit resident ID number
// with a valid check digit and birth date, a mobile (11 digits, 1[3-9]…) or
// landline (0 + area code, 10–12 digits) number, or a 16–19 digit bank card
// number passing the Luhn check. Amounts, dates and order numbers are none.
func classify(digits string) numberKind {
	switch n := len(digits); {
	case n == 18 && validID(digits):
		return idNumber
	case n == 11 && digits[0] == '1' && digits[1] >= '3':
		return phoneNumber
	case n >= 10 && n <= 12 && digits[0] == '0' && digits[1] != '0':
		return phoneNumber
	case n >= 16 && n <= 19 && allDigits(digits) && luhn(digits):
		return bankNumber
	}
	return notPersonal
}

// digitsOf removes the separators of a number run and upper-cases X.
func digitsOf(run string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(run))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// validID checks a resident ID number (GB 11643): 17 digits, a plausible
// birth date (19xx or 20xx, month 01–12, day 01–31) and the ISO 7064
// MOD 11-2 check character.
func validID(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	if y := s[6:8]; y != "19" && y != "20" {
		return false
	}
	if m := s[10:12]; m < "01" || m > "12" {
		return false
	}
	if d := s[12:14]; d < "01" || d > "31" {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s[17] == "10X98765432"[sum%11]
}

// luhn is the check digit rule of bank card numbers.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// halfWidth turns full-width digits and letters (common from Chinese
// keyboards) into ASCII, rune for rune.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' {
			return r - '０' + '0'
		}
		return r
	}, s)
}
