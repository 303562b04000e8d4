package routing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
)

func mustLoad(t *testing.T, src string) *Table {
	t.Helper()
	tb, err := LoadTable([]byte(src))
	if err != nil {
		t.Fatalf("LoadTable: %v", err)
	}
	return tb
}

func TestBuiltinValidAndComplete(t *testing.T) {
	if _, err := LoadTable(BuiltinYAML()); err != nil {
		t.Fatalf("embedded tonghua.yaml: %v", err)
	}
	tb := Builtin()
	for _, typ := range dispute.Types {
		for _, region := range Builtin().City().Names() {
			d, err := tb.Route(typ, region)
			if err != nil {
				t.Errorf("Route(%s, %s): %v", typ, region, err)
				continue
			}
			if !d.Body.HandlesType(typ) || !d.Body.Serves(region) {
				t.Errorf("Route(%s, %s) = %s (%s), which does not handle it", typ, region, d.Body.ID, d.Rule)
			}
		}
	}
	duty, ok := tb.DutyDesk()
	if !ok || duty.Name != "通化市综治中心值班室" {
		t.Errorf("DutyDesk() = %+v, %v", duty, ok)
	}
	if fb, ok := tb.Fallback(); !ok || !fb.HandlesType(dispute.Other) {
		t.Errorf("Fallback() = %+v, %v", fb, ok)
	}
	ids := map[string]bool{}
	for _, b := range tb.Bodies() {
		ids[b.ID] = true
		if b.Name == "" || b.Contact == "" || !strings.Contains(b.Contact, "示例") {
			t.Errorf("body %s: name %q contact %q (contacts must be marked as examples)", b.ID, b.Name, b.Contact)
		}
	}
	// Each region has its own body for every county-level type.
	for _, region := range Builtin().City().Names() {
		for _, typ := range []dispute.Type{dispute.Labor, dispute.Family, dispute.Neighbor, dispute.ContractDebt, dispute.RuralLand} {
			if d, _ := tb.Route(typ, region); len(d.Body.Regions) != 1 || d.Body.Regions[0] != region {
				t.Errorf("Route(%s, %s) = %s, want a body of that region", typ, region, d.Body.ID)
			}
		}
	}
}

func TestBuiltinRoutes(t *testing.T) {
	tb := Builtin()
	cases := []struct {
		typ     dispute.Type
		region  string
		exclude []string
		body    string
		rule    string
	}{
		{dispute.Traffic, "集安市", nil, "tonghua-traffic", "body:tonghua-traffic"},
		{dispute.Labor, "柳河县", nil, "lh-labor", "body:lh-labor"},
		{dispute.Labor, "柳河县", []string{"lh-labor"}, "lh-union", "body:lh-union"},
		{dispute.Labor, "柳河县", []string{"lh-labor", "lh-union"}, "tonghua-labor", "body:tonghua-labor"},
		{dispute.Labor, "柳河县", []string{"lh-labor", "lh-union", "tonghua-labor"}, "tonghua-lawyers", RuleFallback},
		{dispute.Labor, "", nil, "tonghua-labor", "body:tonghua-labor"},
		{dispute.Neighbor, "", nil, "tonghua-lawyers", RuleFallback},
		{dispute.RuralLand, "辉南县", nil, "hn-land", "body:hn-land"},
		{dispute.RuralLand, "辉南县", []string{"hn-land"}, "hn-mediation", "body:hn-mediation"},
		{dispute.Commercial, "东昌区", []string{"tonghua-chamber"}, "tonghua-bankruptcy", "body:tonghua-bankruptcy"},
		{dispute.Environment, "通化县", []string{"tonghua-environment"}, "tonghua-procuratorate", "body:tonghua-procuratorate"},
		{dispute.Other, "梅河口市", nil, "tonghua-lawyers", "body:tonghua-lawyers"},
	}
	for _, c := range cases {
		d, err := tb.Route(c.typ, c.region, c.exclude...)
		if err != nil {
			t.Errorf("Route(%s, %q, %v): %v", c.typ, c.region, c.exclude, err)
			continue
		}
		if d.Body.ID != c.body || d.Rule != c.rule {
			t.Errorf("Route(%s, %q, %v) = %s via %s, want %s via %s", c.typ, c.region, c.exclude, d.Body.ID, d.Rule, c.body, c.rule)
		}
	}

	_, err := tb.Route(dispute.Labor, "柳河县", "lh-labor", "lh-union", "tonghua-labor", "tonghua-lawyers")
	if !errors.Is(err, ErrNoRoute) {
		t.Errorf("everything excluded: err = %v, want ErrNoRoute", err)
	}
	for _, typ := range []dispute.Type{dispute.None, "labour", ""} {
		if _, err := tb.Route(typ, "柳河县"); !errors.Is(err, ErrNoRoute) {
			t.Errorf("Route(%q): err = %v, want ErrNoRoute", typ, err)
		}
	}
}

// A table of bodies alone routes by specificity and file order.
func TestBodiesOnlyTable(t *testing.T) {
	tb := mustLoad(t, `
bodies:
  - id: city-all
    name: 全市兜底
    types: [traffic, medical, labor, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]
  - id: lh-labor
    name: 柳河县劳动人事争议仲裁院
    types: [labor]
    regions: [柳河县]
  - id: south-labor
    name: 南部三县劳动争议调解中心
    types: [labor]
    regions: [柳河县, 辉南县, 梅河口市]
  - id: lh-labor-2
    name: 柳河县总工会
    types: [labor]
    regions: [柳河县]
`)
	cases := []struct {
		typ     dispute.Type
		region  string
		exclude []string
		want    string
	}{
		{dispute.Labor, "柳河县", nil, "lh-labor"},                    // names the region, fewest regions, first in file
		{dispute.Labor, "柳河县", []string{"lh-labor"}, "lh-labor-2"}, // next of the same width
		{dispute.Labor, "柳河县", []string{"lh-labor", "lh-labor-2"}, "south-labor"},
		{dispute.Labor, "辉南县", nil, "south-labor"}, // a regional body beats the city-wide one
		{dispute.Labor, "集安市", nil, "city-all"},    // only the city-wide body serves it
		{dispute.Labor, "", nil, "city-all"},       // unknown region: city-wide bodies only
		{dispute.Traffic, "柳河县", nil, "city-all"},
	}
	for _, c := range cases {
		d, err := tb.Route(c.typ, c.region, c.exclude...)
		if err != nil || d.Body.ID != c.want || d.Rule != "body:"+c.want {
			t.Errorf("Route(%s, %q, %v) = %s via %q, %v; want %s", c.typ, c.region, c.exclude, d.Body.ID, d.Rule, err, c.want)
		}
	}
	if _, ok := tb.DutyDesk(); ok {
		t.Error("DutyDesk() found one in a table without duty_desk")
	}
	b, ok := tb.Body("lh-labor")
	if !ok || b.Level != LevelCounty || b.Name != "柳河县劳动人事争议仲裁院" {
		t.Errorf("Body(lh-labor) = %+v, %v", b, ok)
	}
	if b, _ := tb.Body("city-all"); b.Level != LevelCity {
		t.Errorf("a body without regions defaults to level %q, got %q", LevelCity, b.Level)
	}
	// Returned bodies are copies: changing them leaves the table alone.
	b.Types[0] = "changed"
	if again, _ := tb.Body("lh-labor"); again.Types[0] != dispute.Labor {
		t.Error("Body returned the table's own slice")
	}
}

func TestRulesFirstMatchWins(t *testing.T) {
	tb := mustLoad(t, `
fallback: lawyers
rules:
  - id: lh-everything-to-centre
    regions: [柳河县]
    types: [labor, family]
    body: lh-centre
  - id: labor-to-union
    types: [labor]
    body: union
  - id: never-reached
    types: [labor]
    regions: [柳河县]
    body: lawyers
bodies:
  - id: lawyers
    name: 律师调解专家库
    types: [other]
  - id: lh-centre
    name: 柳河县矛盾纠纷调处中心
    regions: [柳河县]
  - id: union
    name: 市总工会
  - id: lh-labor
    name: 柳河县劳动人事争议仲裁院
    types: [labor]
    regions: [柳河县]
`)
	cases := []struct {
		typ     dispute.Type
		region  string
		exclude []string
		body    string
		rule    string
	}{
		{dispute.Labor, "柳河县", nil, "lh-centre", "lh-everything-to-centre"}, // a rule beats the specific body
		{dispute.Family, "柳河县", nil, "lh-centre", "lh-everything-to-centre"},
		{dispute.Labor, "集安市", nil, "union", "labor-to-union"},
		{dispute.Labor, "", nil, "union", "labor-to-union"}, // rules without regions match an unknown region
		{dispute.Labor, "柳河县", []string{"lh-centre"}, "union", "labor-to-union"},
		{dispute.Labor, "柳河县", []string{"lh-centre", "union"}, "lawyers", "never-reached"},
		{dispute.Labor, "柳河县", []string{"lh-centre", "union", "lawyers"}, "lh-labor", "body:lh-labor"},
		{dispute.Family, "集安市", nil, "lawyers", RuleFallback},
		{dispute.Other, "集安市", nil, "lawyers", "body:lawyers"},
	}
	for _, c := range cases {
		d, err := tb.Route(c.typ, c.region, c.exclude...)
		if err != nil || d.Body.ID != c.body || d.Rule != c.rule {
			t.Errorf("Route(%s, %q, %v) = %s via %q, %v; want %s via %q", c.typ, c.region, c.exclude, d.Body.ID, d.Rule, err, c.body, c.rule)
		}
	}
	if got := len(tb.Rules()); got != 3 {
		t.Errorf("Rules() has %d rules, want 3", got)
	}
}

func TestLoadTableReportsEveryProblem(t *testing.T) {
	src := `
duty_desk: nobody
fallback: ghost
rules:
  - id: Bad_Rule
    types: [labour]
    regions: [柳河]
    body: missing-body
  - id: fallback
    body: ok-city
bodies:
  - id: ok-city
    name: 全市机构
    types: [traffic, medical, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]
  - id: ok-city
    name: 重复的机构
    types: [labor]
  - id: Bad ID
    name: 坏编号
    types: [labor]
  - id: hooked
    name: 推送有误
    types: [none, labor]
    regions: [长春市]
    level: province
    colour: red
    webhook:
      url: ftp://agency.example/referrals
  - id: hooked-2
    name: 推送密钥有误
    webhook:
      url: https://agency.example/referrals
      secret_env: "not a name"
`
	_, err := LoadTable([]byte(src))
	var te *TableError
	if !errors.As(err, &te) {
		t.Fatalf("LoadTable: %v, want a *TableError", err)
	}
	msg := err.Error()
	want := []string{
		`duty_desk (line 2): unknown body "nobody"`,
		`fallback (line 3): unknown body "ghost"`,
		`rules[0] "Bad_Rule" (line 5): id "Bad_Rule" must match [a-z0-9-]+`,
		`rules[0] "Bad_Rule" (line 5): unknown type "labour"`,
		`rules[0] "Bad_Rule" (line 5): unknown region "柳河" (did you mean 柳河县?)`,
		`rules[0] "Bad_Rule" (line 5): unknown body "missing-body"`,
		`rules[1] "fallback" (line 9): rule id "fallback" is reserved`,
		`bodies[1] "ok-city" (line 15): duplicate body id "ok-city" (first at bodies[0])`,
		`bodies[2] "Bad ID" (line 18): id "Bad ID" must match [a-z0-9-]+`,
		`bodies[3] "hooked" (line 21): unknown type "none"`,
		`bodies[3] "hooked" (line 21): unknown region "长春市"`,
		`bodies[3] "hooked" (line 21): unknown level "province"`,
		`field colour not found in a body`,
		`bodies[3] "hooked" (line 21): webhook url: must be https`,
		`bodies[3] "hooked" (line 21): webhook secret_env is missing`,
		`bodies[4] "hooked-2" (line 29): webhook secret_env "not a name" is not an environment variable name`,
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not report %q", w)
		}
	}
	// hooked takes labor in no valid region, and the duplicate and bad ids
	// are dropped, so labor has no route anywhere; everything else does.
	for _, region := range Builtin().City().Names() {
		if w := fmt.Sprintf("no route for labor in %s", region); !strings.Contains(msg, w) {
			t.Errorf("error does not report %q", w)
		}
	}
	if strings.Contains(msg, "no route for traffic") {
		t.Errorf("error reports a route that exists:\n%s", msg)
	}
	if n := len(te.Problems); n != len(want)+len(Builtin().City().Names()) {
		t.Errorf("%d problems, want %d:\n%s", n, len(want)+len(Builtin().City().Names()), msg)
	}
}

func TestLoadTableSmallCases(t *testing.T) {
	everyType := `[traffic, medical, labor, family, neighbor, property, contract_debt, consumer, ip, commercial, expropriation, administrative, environment, rural_land, other]`
	cases := []struct {
		name, src string
		wantErr   string // "" for a valid table
	}{
		{"minimal", "bodies:\n  - id: a\n    name: A\n    types: " + everyType + "\n", ""},
		{"webhook ok", "bodies:\n  - id: a\n    name: A\n    types: " + everyType + "\n    webhook: {url: https://x.example/hook, secret_env: A_SECRET}\n", ""},
		{"fallback covers all", "fallback: a\nbodies:\n  - id: a\n    name: A\n", ""},
		{"empty file", "", "the table has no bodies"},
		{"empty file gaps", "", "no route for other in 集安市"},
		{"syntax", "bodies: [\n", "routing table:"},
		{"missing id and name", "fallback: a\nbodies:\n  - id: a\n    name: A\n  - types: [labor]\n", `bodies[1] (line 5): missing id`},
		{"missing name", "fallback: a\nbodies:\n  - id: a\n", "missing name"},
		{"wrong shape", "fallback: a\nbodies:\n  - id: a\n    name: A\n    accept_within_hours: soon\n", "cannot unmarshal"},
		{"negative hours", "fallback: a\nbodies:\n  - id: a\n    name: A\n    accept_within_hours: -1\n", "must not be negative"},
		{"webhook host", "fallback: a\nbodies:\n  - id: a\n    name: A\n    webhook: {url: 'https://', secret_env: S}\n", "webhook url: not an absolute URL"},
		{"webhook over plain http", "fallback: a\nbodies:\n  - id: a\n    name: A\n    webhook: {url: 'http://agency.example/in?token=t0ps3cret', secret_env: S}\n", "webhook url: must be https"},
		{"rule without body", "fallback: a\nrules:\n  - id: r\nbodies:\n  - id: a\n    name: A\n", `rules[0] "r" (line 3): missing body`},
		{"duplicate rule", "fallback: a\nrules:\n  - {id: r, body: a}\n  - {id: r, body: a}\nbodies:\n  - id: a\n    name: A\n", `duplicate rule id "r"`},
		{"unknown top-level key", "fallbak: a\nbodies:\n  - id: a\n    name: A\n", "field fallbak not found at the top level"},
	}
	for _, c := range cases {
		_, err := LoadTable([]byte(c.src))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "t0ps3cret"):
			t.Errorf("%s: the error quotes a webhook address, token and all: %v", c.name, err)
		}
	}
}

// A rule whose only type or region is misspelt must not widen to match
// everything; it is reported and left out.
func TestBadRuleDoesNotWiden(t *testing.T) {
	_, err := LoadTable([]byte("fallback: a\nrules:\n  - {id: r, types: [labour], body: b}\nbodies:\n  - {id: a, name: A}\n  - {id: b, name: B}\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown type "labour"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestAlertWindows(t *testing.T) {
	tb := Builtin()
	if got := tb.AlertWindow(dispute.Expropriation); got != 30*24*time.Hour {
		t.Errorf("built-in expropriation window %v, want 30 days", got)
	}
	if got := tb.AlertWindow(dispute.Property); got != 7*24*time.Hour {
		t.Errorf("built-in property window %v, want 7 days", got)
	}
	base := "bodies:\n  - id: all\n    name: 全部\n    types: [" + allTypes() + "]\n"
	tb, err := LoadTable([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.AlertWindow(dispute.Labor); got != DefaultAlertWindowDays*24*time.Hour {
		t.Errorf("window of a table without alerts %v", got)
	}
	_, err = LoadTable([]byte(base + "alerts:\n  window_days: 0\n  windows:\n    labour: 3\n    consumer: 200\n"))
	var te *TableError
	if !errors.As(err, &te) || len(te.Problems) != 2 {
		t.Fatalf("bad alerts section: %v, want two problems", err)
	}
	for _, want := range []string{`"labour" is not a dispute type`, "alerts.windows.consumer: 200 days"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems %v lack %q", err, want)
		}
	}
}

func allTypes() string {
	var s []string
	for _, typ := range dispute.Types {
		s = append(s, string(typ))
	}
	return strings.Join(s, ", ")
}
