package bot

import (
	"regexp"
	"strconv"
	"strings"

	"jiefen/catalog"
	"jiefen/routing"
)

// The agreement's words, which work at any step: 确认协议 (optionally
// naming a version: "确认协议 2", "确认协议第2版"), 申请司法确认 (optionally
// followed by a 送达地址) and 送达地址 <address>. What they change is the
// case workflow's (workflow/agreement.go, judicial.go); the turn commits
// it with the message's dedup key.

// confirmVersion reads what follows 确认协议: nothing, or a version.
var confirmVersion = regexp.MustCompile(`^(?:第)?\s*(\d{1,3})\s*(?:版)?$`)

// agreementCommand handles the agreement's words; false when s is none
// of them (or 送达地址 from someone without an agreement: a story).
func (t *turn) agreementCommand(s string) (bool, error) {
	word := answer(s)
	raw := routing.Simplified(strings.TrimSpace(s))
	var reply, caseID string
	var err error
	switch {
	case strings.HasPrefix(word, catalog.WordConfirm):
		rest := strings.TrimSpace(strings.TrimPrefix(word, catalog.WordConfirm))
		version := 0
		if rest != "" {
			m := confirmVersion.FindStringSubmatch(rest)
			if m == nil {
				return false, nil
			}
			version, _ = strconv.Atoi(m[1])
		}
		reply, caseID, err = t.b.Cases.ConfirmAgreement(t.ctx, &t.ch, t.cit.OpenID, version, t.now)
	case strings.HasPrefix(word, catalog.WordApply):
		_, address, _ := strings.Cut(raw, catalog.WordApply)
		reply, caseID, err = t.b.Cases.ApplyCourt(t.ctx, &t.ch, t.cit.OpenID, address, t.now)
	case strings.HasPrefix(word, catalog.WordAddress):
		_, address, _ := strings.Cut(raw, catalog.WordAddress)
		reply, caseID, err = t.b.Cases.GiveAddress(t.ctx, &t.ch, t.cit.OpenID, address, t.now)
		if reply == "" && err == nil {
			return false, nil
		}
	default:
		return false, nil
	}
	if err != nil {
		return true, err
	}
	t.say(reply)
	t.caseID = caseID
	t.wakeReferrals = t.wakeReferrals || len(t.ch.Referrals) > 0
	return true, nil
}
