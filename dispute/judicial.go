package dispute

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Judicial confirmation (司法确认) statuses, as GET /api/v1/cases/{id}
// shows them in "judicial_confirmation".
const (
	JudicialAvailable    = "available"     // signed and confirmable: the parties may apply until Due
	JudicialNotAvailable = "not_available" // courts do not confirm this agreement (Why says why)
	JudicialRequested    = "requested"     // every party applied: the referral is on its way to the court, or with it
	JudicialAccepted     = "accepted"      // the court accepted the application (Number: its 调确字 number)
	JudicialConfirmed    = "confirmed"     // the court ruled the agreement valid: it can be enforced
	JudicialRejected     = "rejected"      // the court rejected it (Reason)
	JudicialExpired      = "expired"       // Due passed before every party applied
)

// JudicialWindow is how long after the agreement took effect the parties
// may apply together (人民调解法 art. 33).
const JudicialWindow = 30 * 24 * time.Hour

// Judicial is the judicial confirmation of a case's signed agreement, as
// its thread tells it.
type Judicial struct {
	Status      string
	Why         string // for JudicialNotAvailable: why, in words a citizen understands
	Version     int
	SHA256      string
	SignedAt    time.Time         // when the agreement took effect
	Due         time.Time         // SignedAt + JudicialWindow: the last moment to apply
	Applied     []string          // the parties (keys) who applied, in order
	Addresses   map[string]string // 送达地址 a party gave, by key (the latest)
	Court       string            // the court's body id, once requested
	RequestedAt time.Time
	Number      string // the court's case number (accepted, confirmed)
	Reason      string // the court's reason (rejected)
	AnsweredAt  time.Time
	// Fired lists the clock's firings on this signing ("remind-10d",
	// "remind-3d", "expired"), so each happens once.
	Fired []string
}

// JudicialOf folds a case's thread into the judicial confirmation of its
// current signed agreement; false when no agreement has taken effect.
func JudicialOf(k Case, events []Event, now time.Time) (Judicial, bool) {
	a := AgreementOf(k.ID, events)
	if !a.Signed() {
		return Judicial{}, false
	}
	cur := a.Current()
	j := Judicial{Version: cur.Version, SHA256: cur.SHA256, SignedAt: a.SignedAt, Due: a.SignedAt.Add(JudicialWindow),
		Addresses: map[string]string{}}
	for _, e := range events {
		switch e.Kind {
		case ServiceAddress:
			if party, addr, ok := strings.Cut(e.Text, " "); ok {
				j.Addresses[party] = addr
			}
		}
		if e.At.Before(a.SignedAt) {
			continue
		}
		switch e.Kind {
		case CourtApplied:
			if e.Text != "" && !slices.Contains(j.Applied, e.Text) {
				j.Applied = append(j.Applied, e.Text)
			}
		case CourtRequested:
			j.Court, j.RequestedAt = e.Body, e.At
		case CourtAnswered:
			status, rest := ParseCourtAnswer(e.Text)
			j.Status, j.AnsweredAt = status, e.At
			switch status {
			case JudicialRejected:
				j.Reason = rest
			default:
				if rest != "" {
					j.Number = rest
				}
			}
		case CourtReminder:
			what, _, _ := strings.Cut(e.Text, " ")
			j.Fired = append(j.Fired, what)
		}
	}
	switch {
	case j.Status != "": // the court's answer
	case !j.RequestedAt.IsZero():
		j.Status = JudicialRequested
	default:
		if ok, why := Confirmable(k.Type, cur.Terms); !ok {
			j.Status, j.Why = JudicialNotAvailable, why
		} else if !now.Before(j.Due) {
			j.Status = JudicialExpired
		} else {
			j.Status = JudicialAvailable
		}
	}
	return j, true
}

// CourtAnswerText is a CourtAnswered event's Text: the status, then the
// court's number or reason.
func CourtAnswerText(status, rest string) string {
	return strings.TrimSpace(status + " " + rest)
}

// ParseCourtAnswer reads a CourtAnswered event's Text back.
func ParseCourtAnswer(text string) (status, rest string) {
	status, rest, _ = strings.Cut(text, " ")
	return status, rest
}

// What courts do not confirm (最高人民法院《关于人民调解协议司法确认程序的
// 若干规定》 and 民事诉讼法 art. 205): identity relations (marriage,
// parent and child, adoption), and who owns property or an IP right
// (确权). The words are looked for in the terms; the type rules out what
// is no civil dispute at all.
var (
	identityWords  = regexp.MustCompile(`离婚|解除婚姻|婚姻关系|收养|亲子关系|断绝.{0,2}关系|认领子女|确认.{0,6}(父|母)子`)
	ownershipWords = regexp.MustCompile(`确权|权属|所有权归|归[^，。；、\s还]{1,8}所有(?:[，。；、\s]|$)|产权归|物权|(专利|商标|著作|知识产权|版权|使用|专用)权(归|属于)|确认.{0,20}(所有权|使用权|专用权|专利权|商标权|著作权)`)
)

// Confirmable says whether a court may confirm an agreement of a case of
// type typ with these terms and, when not, why, in words a citizen
// understands.
func Confirmable(typ Type, terms string) (bool, string) {
	switch {
	case typ == Administrative || typ == Expropriation:
		return false, "这是和政府部门之间的行政争议，法院的司法确认只适用于民事纠纷的调解协议。协议照样有效，如对方不履行，可申请行政复议或提起行政诉讼。"
	case identityWords.MatchString(terms):
		return false, "协议涉及离婚、收养、亲子等身份关系，法律规定这类事项不能通过司法确认处理；解除婚姻等身份关系需要到婚姻登记机关办理或向法院起诉。协议中的其他约定（如抚养费）可以单独再签一份协议后申请。"
	case ownershipWords.MatchString(terms):
		return false, "协议要确认房屋、土地等财产或专利、商标等知识产权归谁所有（确权），法律规定这类事项不能通过司法确认处理，需要到登记机关办理或向法院起诉。"
	}
	return true, ""
}
