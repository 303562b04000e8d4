package routing

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"jiefen/dispute"
	"jiefen/personal"
)

// baishan loads testdata/baishan.yaml: a table for 白山市, another city
// than the built-in one.
func baishan(t *testing.T) *Table {
	t.Helper()
	data, err := os.ReadFile("testdata/baishan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tb, err := LoadTable(data)
	if err != nil {
		t.Fatalf("LoadTable: %v", err)
	}
	return tb
}

var baishanRegions = []string{"浑江区", "江源区", "抚松县", "靖宇县", "长白朝鲜族自治县", "临江市"}

func TestAnotherCityRegions(t *testing.T) {
	city := baishan(t).City()
	if city.Name() != "白山市" || !slices.Equal(city.Names(), baishanRegions) {
		t.Fatalf("city %s %v, want 白山市 %v", city.Name(), city.Names(), baishanRegions)
	}
	for _, r := range baishanRegions {
		if !city.Valid(r) {
			t.Errorf("Valid(%q) = false", r)
		}
	}
	for _, r := range Builtin().City().Names() {
		if city.Valid(r) {
			t.Errorf("Valid(%q) = true: a region of 通化市", r)
		}
	}
	if rs := city.Regions(); rs[2].Name != "抚松县" || !slices.Equal(rs[2].Aliases, []string{"抚松"}) || !slices.Contains(rs[2].Places, "松江河镇") {
		t.Errorf("Regions()[2] = %+v", rs[2])
	}
}

func TestAnotherCityDetect(t *testing.T) {
	city := baishan(t).City()
	cases := []struct{ text, want string }{
		// Full names, names without 县/区/市 (not listed) and aliases.
		{"我是抚松县的", "抚松县"},
		{"抚松", "抚松县"},
		{"在临江打工", "临江市"},
		{"浑江", "浑江区"},
		{"江源那边", "江源区"},
		{"靖宇", "靖宇县"},
		{"长白县", "长白朝鲜族自治县"},
		{"长白朝鲜族自治县", "长白朝鲜族自治县"},
		{"长白朝鲜族", "长白朝鲜族自治县"},
		{"撫松縣", "抚松县"}, // Traditional characters

		// Townships and streets.
		{"我在松江河镇的工地干活", "抚松县"},
		{"住松江河", "抚松县"},
		{"泉阳镇", "抚松县"},
		{"湾沟镇", "江源区"},
		{"红旗街道", "浑江区"},
		{"六道沟镇", "临江市"},
		{"十四道沟镇", "长白朝鲜族自治县"},

		// The city itself, the built-in city's regions, nothing.
		{"白山市", ""},
		{"白山", ""},
		{"我在白山", ""},
		{"白山市江源区", "江源区"},
		{"柳河县", ""},
		{"梅河口", ""},
		{"你好", ""},

		// The first mention wins.
		{"家是靖宇的 在临江打工", "靖宇县"},
	}
	for _, c := range cases {
		if got := city.Detect(c.text); got != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// Cases of the other city reach its bodies: a region's own body, its rule,
// and the city-wide body elsewhere.
func TestAnotherCityRoutes(t *testing.T) {
	tb := baishan(t)
	for _, c := range []struct {
		typ    dispute.Type
		region string
		body   string
	}{
		{dispute.Labor, "抚松县", "fs-labor"},
		{dispute.Neighbor, "抚松县", "fs-mediation"},
		{dispute.Neighbor, "长白朝鲜族自治县", "cb-mediation"},
		{dispute.Labor, "浑江区", "bs-lawyers"},
		{dispute.Labor, "", "bs-lawyers"},
		{dispute.Labor, "柳河县", "bs-lawyers"}, // 通化's region is no region here
	} {
		d, err := tb.Route(c.typ, c.region)
		if err != nil || d.Body.ID != c.body {
			t.Errorf("Route(%s, %q) = %s, %v; want %s", c.typ, c.region, d.Body.ID, err, c.body)
		}
	}
	// From what the citizen writes to the body: the classifier finds the
	// township's region, and the table routes there.
	res, _ := NewLocal(tb.City()).Classify(context.Background(), "我在松江河镇的工地干活，包工头拖欠我们三个月工资一直不给")
	if res.Region != "抚松县" {
		t.Fatalf("Classify region = %q, want 抚松县", res.Region)
	}
	if d, _ := tb.Route(dispute.Labor, res.Region); d.Body.ID != "fs-labor" {
		t.Errorf("routed to %s, want fs-labor", d.Body.ID)
	}
}

// The LLM is told the table's city and may answer only its regions.
func TestAnotherCityLLM(t *testing.T) {
	city := baishan(t).City()
	prompt := llmSystemPrompt(city)
	for _, w := range append([]string{"白山市"}, baishanRegions...) {
		if !strings.Contains(prompt, w) {
			t.Errorf("prompt lacks %s", w)
		}
	}
	if strings.Contains(prompt, "通化") || strings.Contains(prompt, "柳河") {
		t.Errorf("prompt names the built-in city:\n%s", prompt)
	}
	answer := func(region string) string {
		return `{"type":"labor","urgent":false,"region":"` + region + `","summary":"欠薪","missing":[]}`
	}
	if a, err := parseLLMAnswer(answer("抚松县"), city, personal.Mask("").Unmask); err != nil || a.Region != "抚松县" {
		t.Errorf("抚松县: %+v, %v", a, err)
	}
	for _, whole := range []string{"白山市", "白山"} {
		if a, err := parseLLMAnswer(answer(whole), city, personal.Mask("").Unmask); err != nil || a.Region != "" {
			t.Errorf("%s: %+v, %v; want no region", whole, a, err)
		}
	}
	if _, err := parseLLMAnswer(answer("柳河县"), city, personal.Mask("").Unmask); err == nil {
		t.Error("a region of 通化市 accepted for 白山市")
	}
}

// The table's regions are what bodies and rules are checked against, and
// every name citizens may write must mean one region.
func TestAnotherCityValidation(t *testing.T) {
	const head = "city: 白山市\nregions:\n  - name: 浑江区\n  - name: 抚松县\n    aliases: [抚松]\n    places: [松江河镇]\n"
	const body = "fallback: a\nbodies:\n  - id: a\n    name: A\n"
	for _, c := range []struct{ name, src, want string }{
		{"valid", head + body, ""},
		{"a region of 通化", head + body + "  - id: b\n    name: B\n    regions: [柳河县]\n", `bodies[1] "b" (line 11): unknown region "柳河县" (the regions of 白山市: 浑江区, 抚松县)`},
		{"a short name", head + body + "  - id: b\n    name: B\n    regions: [抚松]\n", `unknown region "抚松" (did you mean 抚松县?)`},
		{"the city as a region", head + body + "  - id: b\n    name: B\n    regions: [白山市]\n", `region "白山市" is the whole city`},
		{"a rule's region", head + "rules:\n  - {id: r, regions: [集安市], body: a}\n" + body, `rules[0] "r" (line 8): unknown region "集安市"`},
		{"coverage over the city's regions", head + "bodies:\n  - id: a\n    name: A\n    regions: [抚松县]\n    types: [labor]\n", "no route for labor in 浑江区"},
		{"regions without city", "regions:\n  - name: 浑江区\n" + body, "city: missing"},
		{"city without regions", "city: 白山市\n" + body, "regions: 白山市 has no regions"},
		{"duplicate region", head + "  - name: 浑江区\n" + body, `regions[2] "浑江区" (line 7): duplicate region "浑江区"`},
		{"place in two regions", head + "  - name: 临江市\n    places: [松江河镇]\n" + body, `regions[2] "临江市" (line 7): "松江河镇" is also given for 抚松县`},
		{"alias is the city", "city: 白山市\nregions:\n  - name: 浑江区\n    aliases: [白山]\n" + body, `"白山" is the city itself`},
		{"region without name", head + "  - places: [泉阳镇]\n" + body, `regions[2] (line 7): missing name`},
		{"misspelt key", head + "  - name: 临江市\n    place: [花山镇]\n" + body, "field place not found in a region"},
	} {
		_, err := LoadTable([]byte(c.src))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// A table without city and regions keeps the built-in 通化市.
func TestTableWithoutCityIsTonghua(t *testing.T) {
	tb, err := LoadTable([]byte("fallback: a\nbodies:\n  - id: a\n    name: A\n  - {id: b, name: B, regions: [柳河县], types: [labor]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := tb.City(); c.Name() != "通化市" || !slices.Equal(c.Names(), Builtin().City().Names()) || c.Detect("红石镇") != "柳河县" {
		t.Errorf("City() = %s %v", c.Name(), c.Names())
	}
}

// A short name two regions would share, or that is the city's own, means
// neither region; the full names still work.
func TestDerivedShortNames(t *testing.T) {
	c := newCity("江源市", []Region{{Name: "江源区"}, {Name: "江源县"}, {Name: "临江区"}, {Name: "临江县"}, {Name: "松山区"}})
	for text, want := range map[string]string{"江源": "", "江源县": "江源县", "临江": "", "临江区": "临江区", "松山": "松山区"} {
		if got := c.Detect(text); got != want {
			t.Errorf("Detect(%q) = %q, want %q", text, got, want)
		}
	}
}
