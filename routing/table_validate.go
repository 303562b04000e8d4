package routing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"jiefen/dispute"
)

// The YAML shapes. Fields are strings (not dispute.Type) so that unknown
// codes survive decoding and can be reported with everything else.
type fileTable struct {
	City     string        `yaml:"city"`
	Regions  []fileRegion  `yaml:"regions"`
	DutyDesk string        `yaml:"duty_desk"`
	Fallback string        `yaml:"fallback"`
	Calendar *fileCalendar `yaml:"calendar"`
	Alerts   *fileAlerts   `yaml:"alerts"`
	Bodies   []fileBody    `yaml:"bodies"`
	Rules    []fileRule    `yaml:"rules"`
}

type fileBody struct {
	ID                string       `yaml:"id"`
	Name              string       `yaml:"name"`
	Kind              string       `yaml:"kind"`
	Level             string       `yaml:"level"`
	Regions           []string     `yaml:"regions"`
	Types             []string     `yaml:"types"`
	Contact           string       `yaml:"contact"`
	AcceptWithinHours int          `yaml:"accept_within_hours"`
	AcceptWithinDays  int          `yaml:"accept_within_days"`
	MediateWithinDays int          `yaml:"mediate_within_days"`
	QuickReplies      []string     `yaml:"quick_replies"`
	Court             bool         `yaml:"court"`
	Webhook           *fileWebhook `yaml:"webhook"`
}

type fileRegion struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
	Places  []string `yaml:"places"`
}

type fileWebhook struct {
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env"`
}

type fileRule struct {
	ID      string   `yaml:"id"`
	Types   []string `yaml:"types"`
	Regions []string `yaml:"regions"`
	Body    string   `yaml:"body"`
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9-]+$`)
	envPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// TableError lists every problem LoadTable found, each naming where it is
// (section, index, id and line), so a file can be fixed in one pass.
type TableError struct {
	Problems []string
}

func (e *TableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "routing table: %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return b.String()
}

// yaml.v3 names our private Go types in its messages; operators know the
// YAML sections instead.
var typeNames = strings.NewReplacer(
	"in type routing.fileTable", "at the top level",
	"in type routing.fileBody", "in a body",
	"in type routing.fileRule", "in a rule",
	"in type routing.fileWebhook", "in a webhook",
	"in type routing.fileRegion", "in a region",
	"in type routing.fileCalendar", "in the calendar",
	"in type routing.fileAlerts", "in alerts",
)

// LoadTable parses a YAML routing table and validates it. On any problem it
// returns a *TableError listing all of them; a YAML syntax error stops
// parsing and is returned alone because nothing after it can be trusted.
// A table without city and regions serves the built-in city, 通化市.
func LoadTable(data []byte) (*Table, error) {
	return loadTable(data, func() City { return Builtin().City() })
}

// loadTable is LoadTable with the city a table without one serves; nil
// when the table must name its own (the built-in one, which is where the
// default comes from).
func loadTable(data []byte, defaultCity func() City) (*Table, error) {
	var f fileTable
	var problems []string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt key would otherwise silently mean "not set"
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("routing table: %w", err)
		}
		// Type errors leave the rest decoded, so validation can go on.
		for _, m := range te.Errors {
			problems = append(problems, typeNames.Replace(m))
		}
	}
	v := validator{lines: lineIndex(data), problems: problems}
	t := v.build(f, defaultCity)
	if len(v.problems) > 0 {
		return nil, &TableError{Problems: v.problems}
	}
	return t, nil
}

type validator struct {
	lines    lines
	problems []string
}

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// build validates f and returns the table made of its valid parts, which the
// coverage check routes through.
func (v *validator) build(f fileTable, defaultCity func() City) *Table {
	t := &Table{byID: map[string]int{}, calendar: v.calendar(f.Calendar), city: v.city(f, defaultCity)}
	if len(f.Bodies) == 0 {
		v.addf("bodies: the table has no bodies")
	}
	firstAt := map[string]int{}
	for i, fb := range f.Bodies {
		at := v.lines.at("bodies", i, fb.ID)
		b, ok := v.body(at, fb, t.city)
		switch {
		case !ok:
		case hasKey(firstAt, fb.ID):
			v.addf("%s: duplicate body id %q (first at bodies[%d])", at, fb.ID, firstAt[fb.ID])
		default:
			firstAt[fb.ID] = i
			t.byID[b.ID] = len(t.bodies)
			t.bodies = append(t.bodies, b)
		}
	}

	ruleAt := map[string]int{}
	for i, fr := range f.Rules {
		at := v.lines.at("rules", i, fr.ID)
		r, ok := v.rule(at, fr, t)
		if fr.ID != "" && hasKey(ruleAt, fr.ID) {
			v.addf("%s: duplicate rule id %q (first at rules[%d])", at, fr.ID, ruleAt[fr.ID])
			ok = false
		} else if fr.ID != "" {
			ruleAt[fr.ID] = i
		}
		if ok {
			t.rules = append(t.rules, r)
		}
	}

	t.dutyDesk = v.bodyRef(t, "duty_desk", f.DutyDesk)
	t.fallback = v.bodyRef(t, "fallback", f.Fallback)
	v.alerts(f.Alerts, t)
	v.courts(t)

	// Coverage last, over the valid parts only, so a broken entry shows up
	// once as itself and again as the gaps it leaves.
	for _, typ := range dispute.Types {
		for _, region := range t.city.Names() {
			if _, err := t.Route(typ, region); err != nil {
				v.addf("no route for %s in %s", typ, region)
			}
		}
	}
	return t
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// body validates one body; ok is false when its id is unusable, in which case
// nothing can refer to it and it is left out of the table.
func (v *validator) body(at string, fb fileBody, city City) (Body, bool) {
	ok := v.id(at, fb.ID)
	if strings.TrimSpace(fb.Name) == "" {
		v.addf("%s: missing name", at)
	}
	b := Body{
		ID:                fb.ID,
		Name:              fb.Name,
		Kind:              fb.Kind,
		Level:             fb.Level,
		Regions:           v.regions(at, fb.Regions, city),
		Types:             v.types(at, fb.Types),
		Contact:           fb.Contact,
		AcceptWithinHours: fb.AcceptWithinHours,
		AcceptWithinDays:  fb.AcceptWithinDays,
		MediateWithinDays: fb.MediateWithinDays,
		QuickReplies:      fb.QuickReplies,
		Court:             fb.Court,
	}
	if len(fb.Regions) > 0 && len(b.Regions) == 0 {
		// Every region was wrong: serving the whole city instead would
		// silently widen the body, so it takes nothing by default.
		b.Types = nil
	}
	switch {
	case b.Level == "" && len(b.Regions) == 0:
		b.Level = LevelCity
	case b.Level == "":
		b.Level = LevelCounty
	case !slices.Contains(Levels, b.Level):
		v.addf("%s: unknown level %q (one of %s)", at, b.Level, strings.Join(Levels, ", "))
	}
	if b.AcceptWithinHours < 0 || b.AcceptWithinDays < 0 || b.MediateWithinDays < 0 {
		v.addf("%s: accept_within_hours, accept_within_days and mediate_within_days must not be negative", at)
	}
	if b.AcceptWithinHours > 0 && b.AcceptWithinDays > 0 {
		v.addf("%s: give accept_within_hours (working hours) or accept_within_days (calendar days), not both", at)
	}
	if fb.Webhook != nil {
		b.Webhook = &Webhook{URL: fb.Webhook.URL, SecretEnv: fb.Webhook.SecretEnv}
		if err := CheckWebhookURL(fb.Webhook.URL); err != nil {
			v.addf("%s: webhook url: %v", at, err)
		}
		switch {
		case fb.Webhook.SecretEnv == "":
			v.addf("%s: webhook secret_env is missing (the signing secret must come from the environment)", at)
		case !envPattern.MatchString(fb.Webhook.SecretEnv):
			v.addf("%s: webhook secret_env %q is not an environment variable name", at, fb.Webhook.SecretEnv)
		}
	}
	return b, ok
}

// courts checks the courts (bodies with court: true): the duty desk is
// none. A region without a court is not an error: a table may name the
// courts the city has agreed with so far; the parties of a case there are
// told that judicial confirmation cannot be applied for through jiefen yet
// (workflow).
func (v *validator) courts(t *Table) {
	for _, b := range t.bodies {
		if b.Court && b.ID == t.dutyDesk {
			v.addf("bodies: %s: the duty desk cannot be a court", b.ID)
		}
	}
}

func (v *validator) rule(at string, fr fileRule, t *Table) (Rule, bool) {
	ok := v.id(at, fr.ID)
	if fr.ID == RuleFallback {
		// Decision.Rule would be ambiguous between this rule and the fallback.
		v.addf("%s: rule id %q is reserved", at, fr.ID)
		ok = false
	}
	r := Rule{ID: fr.ID, Types: v.types(at, fr.Types), Regions: v.regions(at, fr.Regions, t.city), Body: fr.Body}
	// A rule whose codes were all wrong would otherwise widen to "everything".
	if len(fr.Types) > 0 && len(r.Types) == 0 || len(fr.Regions) > 0 && len(r.Regions) == 0 {
		ok = false
	}
	switch {
	case fr.Body == "":
		v.addf("%s: missing body", at)
		ok = false
	case !hasKey(t.byID, fr.Body):
		v.addf("%s: unknown body %q", at, fr.Body)
		ok = false
	}
	return r, ok
}

func (v *validator) id(at, id string) bool {
	switch {
	case id == "":
		v.addf("%s: missing id", at)
	case !idPattern.MatchString(id):
		v.addf("%s: id %q must match [a-z0-9-]+", at, id)
	default:
		return true
	}
	return false
}

// types returns the valid codes of list, reporting the others.
func (v *validator) types(at string, list []string) []dispute.Type {
	var out []dispute.Type
	for _, s := range list {
		typ := dispute.Type(s)
		if !typ.Valid() {
			v.addf("%s: unknown type %q", at, s)
			continue
		}
		out = append(out, typ)
	}
	return out
}

// regions returns the valid region names of list, reporting the others with
// the region they probably meant.
func (v *validator) regions(at string, list []string, city City) []string {
	var out []string
	for _, s := range list {
		if city.Valid(s) {
			out = append(out, s)
			continue
		}
		if guess := city.Detect(s); guess != "" {
			v.addf("%s: unknown region %q (did you mean %s?)", at, s, guess)
		} else if city.isCity(s) {
			v.addf("%s: region %q is the whole city (leave regions out to serve all of it)", at, s)
		} else {
			v.addf("%s: unknown region %q (the regions of %s: %s)", at, s, city.Name(), strings.Join(city.Names(), ", "))
		}
	}
	return out
}

// city validates the table's city and regions, or returns the default
// city when the table gives neither. Every name a citizen may write must
// mean one region: a township found in two regions (团结街道 in both
// 东昌区 and 集安市) tells neither apart, and a name of the city itself
// (通化, 通化市) is no region; both are reported, to be left out.
func (v *validator) city(f fileTable, defaultCity func() City) City {
	name := strings.TrimSpace(f.City)
	switch {
	case name == "" && len(f.Regions) == 0 && defaultCity != nil:
		return defaultCity()
	case name == "":
		v.addf("city%s: missing (the name of the city the table serves, such as 通化市)", v.lines.top("city"))
	case len(f.Regions) == 0:
		v.addf("regions%s: %s has no regions (list its county-level regions, in the order offered to citizens)",
			v.lines.top("regions"), name)
	}
	meaning := map[string]string{}
	for _, s := range cityNames(name) {
		meaning[normalize(s)] = ""
	}
	regions := make([]Region, 0, len(f.Regions))
	for i, fr := range f.Regions {
		at := v.lines.at("regions", i, fr.Name)
		r := Region{Name: strings.TrimSpace(fr.Name), Aliases: fr.Aliases, Places: fr.Places}
		switch {
		case r.Name == "":
			v.addf("%s: missing name", at)
			continue
		case slices.ContainsFunc(regions, func(x Region) bool { return x.Name == r.Name }):
			v.addf("%s: duplicate region %q", at, r.Name)
			continue
		}
		for _, s := range append(append([]string{r.Name}, r.Aliases...), r.Places...) {
			n := normalize(s)
			prev, taken := meaning[n]
			switch {
			case n == "":
				v.addf("%s: empty alias or place", at)
			case taken && prev == "":
				v.addf("%s: %q is the city itself, not a region", at, s)
			case taken && prev != r.Name:
				v.addf("%s: %q is also given for %s; a name of two regions tells neither apart, so leave it out", at, s, prev)
			case !taken:
				meaning[n] = r.Name
			}
		}
		regions = append(regions, r)
	}
	return newCity(name, regions)
}

// bodyRef checks a top-level reference to a body and returns it when usable.
func (v *validator) bodyRef(t *Table, key, id string) string {
	if id == "" {
		return ""
	}
	if !hasKey(t.byID, id) {
		v.addf("%s%s: unknown body %q", key, v.lines.top(key), id)
		return ""
	}
	return id
}

// lines remembers where the items of each section start, for messages.
type lines struct {
	items map[string][]int // section → line of each item
	keys  map[string]int   // top-level key → its line
}

func lineIndex(data []byte) lines {
	l := lines{items: map[string][]int{}, keys: map[string]int{}}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return l
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		l.keys[k.Value] = k.Line
		if val.Kind == yaml.SequenceNode {
			for _, item := range val.Content {
				l.items[k.Value] = append(l.items[k.Value], item.Line)
			}
		}
	}
	return l
}

// at names item i of a section, e.g. `bodies[3] "lh-labor" (line 40)`.
func (l lines) at(section string, i int, id string) string {
	s := fmt.Sprintf("%s[%d]", section, i)
	if id != "" {
		s += fmt.Sprintf(" %q", id)
	}
	if ls := l.items[section]; i < len(ls) {
		s += fmt.Sprintf(" (line %d)", ls[i])
	}
	return s
}

func (l lines) top(key string) string {
	if n, ok := l.keys[key]; ok {
		return fmt.Sprintf(" (line %d)", n)
	}
	return ""
}
