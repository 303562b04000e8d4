package routing

import (
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"jiefen/dispute"
)

// Levels a body can sit at: the four tiers of Chinese local government, so a
// table can say whether a case stays at the lowest level that can settle it.
const (
	LevelCity     = "city"
	LevelCounty   = "county"
	LevelTownship = "township"
	LevelVillage  = "village"
)

// Levels lists the valid Body.Level values, highest first.
var Levels = []string{LevelCity, LevelCounty, LevelTownship, LevelVillage}

// Body is an organisation that takes referrals.
//
// The JSON form leaves out Webhook: an agency's endpoint is for the webhook
// worker and administrators, not for everyone who may list bodies.
type Body struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`                          // shown to citizens and staff
	Kind              string         `json:"kind,omitempty"`                // a short label such as 人民调解 or 仲裁; free text
	Level             string         `json:"level"`                         // one of Levels
	Regions           []string       `json:"regions"`                       // names of the table's city's regions; empty: the whole city
	Types             []dispute.Type `json:"types"`                         // the types it takes by default (stage 2 of Route)
	Contact           string         `json:"contact,omitempty"`             // phone and address as shown to citizens
	AcceptWithinHours int            `json:"accept_within_hours,omitempty"` // working hours it has to accept or decline; 0: AcceptWithinDays, else the default
	AcceptWithinDays  int            `json:"accept_within_days,omitempty"`  // calendar days instead (信访-style matters: 15); 0: not counted in days
	MediateWithinDays int            `json:"mediate_within_days,omitempty"` // calendar days from acceptance to conclude; 0: the default (30)
	QuickReplies      []string       `json:"-"`                             // the console's ready-made replies for this body; DefaultQuickReplies when empty
	Webhook           *Webhook       `json:"-"`                             // nil: referrals are read in the console only
}

// Webhook is where referrals to a body are pushed. The secret stays in the
// environment variable SecretEnv so a table file can be shared freely. An
// administrator's setting in the console overrides it (referral.Hooks).
type Webhook struct {
	URL       string `json:"url"`
	SecretEnv string `json:"secret_env"`
}

// Rule sends cases of some types in some regions to one body, ahead of the
// default choice. Empty Types or Regions match everything.
type Rule struct {
	ID      string
	Types   []dispute.Type
	Regions []string
	Body    string
}

// Decision is where Route sent a case and why.
type Decision struct {
	Body Body
	Rule string // a rule id, "body:<id>" for the most specific body, or "fallback"
}

// RuleFallback is Decision.Rule when the table's fallback body took the case.
const RuleFallback = "fallback"

// ErrNoRoute is wrapped by Route when no body at all can take a case.
var ErrNoRoute = errors.New("routing: no body can take this case")

// Table is a validated routing table. It is immutable after loading, so one
// table may be shared by any number of goroutines.
type Table struct {
	city     City
	bodies   []Body
	byID     map[string]int
	rules    []Rule
	dutyDesk string
	fallback string
	calendar *Calendar
	// The risk early warning's windows in days (alerts.go): for every
	// type (0: the default) and per type.
	alertDays    int
	alertWindows map[dispute.Type]int
}

// City is the city the table serves and its regions: the table's own
// (city, regions) or, when it names none, the built-in 通化市.
func (t *Table) City() City { return t.city }

// HandlesType reports whether the body takes typ by default.
func (b Body) HandlesType(typ dispute.Type) bool { return slices.Contains(b.Types, typ) }

// Serves reports whether the body serves region: city-wide bodies serve every
// region, including the unknown one ("").
func (b Body) Serves(region string) bool {
	return len(b.Regions) == 0 || (region != "" && slices.Contains(b.Regions, region))
}

// clone copies the slices and webhook so callers cannot change the table.
func (b Body) clone() Body {
	b.Regions = slices.Clone(b.Regions)
	b.Types = slices.Clone(b.Types)
	if b.Webhook != nil {
		w := *b.Webhook
		b.Webhook = &w
	}
	return b
}

func (r Rule) matches(typ dispute.Type, region string) bool {
	if len(r.Types) > 0 && !slices.Contains(r.Types, typ) {
		return false
	}
	return len(r.Regions) == 0 || (region != "" && slices.Contains(r.Regions, region))
}

// Route chooses the body for a case of type typ in region ("" when unknown),
// skipping the bodies in exclude. The stages are described in the package
// documentation. It fails only when typ is not a dispute type or when no body
// at all is left to take the case.
func (t *Table) Route(typ dispute.Type, region string, exclude ...string) (Decision, error) {
	if !typ.Valid() {
		return Decision{}, fmt.Errorf("%w: %q is not a dispute type", ErrNoRoute, typ)
	}
	excluded := func(id string) bool { return slices.Contains(exclude, id) }
	for _, r := range t.rules {
		if r.matches(typ, region) && !excluded(r.Body) {
			if b, ok := t.Body(r.Body); ok {
				return Decision{Body: b, Rule: r.ID}, nil
			}
		}
	}
	if i := t.mostSpecific(typ, region, excluded); i >= 0 {
		return Decision{Body: t.bodies[i].clone(), Rule: "body:" + t.bodies[i].ID}, nil
	}
	if t.fallback != "" && !excluded(t.fallback) {
		if b, ok := t.Body(t.fallback); ok {
			return Decision{Body: b, Rule: RuleFallback}, nil
		}
	}
	return Decision{}, fmt.Errorf("%w: %s in %q", ErrNoRoute, typ, region)
}

// mostSpecific is stage 2 of Route: the index of the best body listing typ
// that serves region, or -1. Fewer regions is more specific; a city-wide body
// counts as naming all of them.
func (t *Table) mostSpecific(typ dispute.Type, region string, excluded func(string) bool) int {
	best, bestWidth := -1, 0
	for i, b := range t.bodies {
		if !b.HandlesType(typ) || !b.Serves(region) || excluded(b.ID) {
			continue
		}
		width := len(b.Regions)
		if width == 0 {
			width = len(t.city.regions) + 1
		}
		if best < 0 || width < bestWidth {
			best, bestWidth = i, width
		}
	}
	return best
}

// Body returns the body with the given id.
func (t *Table) Body(id string) (Body, bool) {
	i, ok := t.byID[id]
	if !ok {
		return Body{}, false
	}
	return t.bodies[i].clone(), true
}

// Bodies returns every body in file order.
func (t *Table) Bodies() []Body {
	out := make([]Body, len(t.bodies))
	for i, b := range t.bodies {
		out[i] = b.clone()
	}
	return out
}

// Rules returns the explicit rules in the order they are tried.
func (t *Table) Rules() []Rule {
	out := make([]Rule, len(t.rules))
	for i, r := range t.rules {
		r.Types = slices.Clone(r.Types)
		r.Regions = slices.Clone(r.Regions)
		out[i] = r
	}
	return out
}

// DutyDesk returns the body that also receives every urgent case
// (综治中心值班), when the table names one.
func (t *Table) DutyDesk() (Body, bool) {
	if t.dutyDesk == "" {
		return Body{}, false
	}
	return t.Body(t.dutyDesk)
}

// Defaults for bodies whose table entry gives none.
const (
	DefaultAcceptHours = 24 // working hours
	DefaultMediateDays = 30 // calendar days, people's mediation's usual limit
)

// AcceptDue is when body b should have accepted or declined a case referred
// to it at from, and when to remind it: the body's days, else its working
// hours on the table's calendar. The deadline watcher and the citizen's
// "受理" date both come from here, so they cannot disagree.
func (t *Table) AcceptDue(b Body, from time.Time) (due, remind time.Time) {
	if b.AcceptWithinDays > 0 {
		due = t.calendar.AddDays(from, b.AcceptWithinDays)
		return due, from.Add(due.Sub(from) * 3 / 4)
	}
	hours := time.Duration(cmp.Or(b.AcceptWithinHours, DefaultAcceptHours)) * time.Hour
	return t.calendar.AddWorking(from, hours), t.calendar.AddWorking(from, hours*3/4)
}

// Calendar is the working calendar the table's deadlines are counted in.
func (t *Table) Calendar() *Calendar { return t.calendar }

// Fallback returns the body that takes what nothing else can, when the table
// names one.
func (t *Table) Fallback() (Body, bool) {
	if t.fallback == "" {
		return Body{}, false
	}
	return t.Body(t.fallback)
}

//go:embed tonghua.yaml
var tonghuaYAML []byte

var builtin = sync.OnceValue(func() *Table {
	t, err := loadTable(tonghuaYAML, nil)
	if err != nil {
		// The embedded file ships with the binary and a test loads it, so
		// this only fires for a broken build; no deployment could recover.
		panic("routing: embedded tonghua.yaml is invalid: " + err.Error())
	}
	return t
})

// Builtin returns the embedded example table for 通化市, whose city is also
// that of every table naming none. It is shared; tables are immutable, so
// callers may keep it.
func Builtin() *Table { return builtin() }

// BuiltinYAML returns the embedded table's source, for operators who want to
// start their own table from it.
func BuiltinYAML() []byte { return slices.Clone(tonghuaYAML) }

// DefaultQuickReplies are offered to bodies whose table entry names none.
var DefaultQuickReplies = []string{
	"您好，我是负责您案件的调解员，已收到您反映的情况，会尽快与您联系。",
	"请您准备好相关材料（合同、欠条、聊天记录、照片等），调解时带上或拍照发在这里。",
	"您的案件已受理，我们将在近期安排调解，具体时间会提前通知您。",
	"请问您方便接电话的时间是？我们会按您方便的时间联系您。",
}

// Replies returns the body's quick replies.
func (b Body) Replies() []string {
	if len(b.QuickReplies) > 0 {
		return b.QuickReplies
	}
	return DefaultQuickReplies
}
