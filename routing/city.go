package routing

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// City is the city a routing table serves: its name and its county-level
// regions (县区), in the order they are offered to citizens. It comes from
// the table (Table.City), so that region detection, the bot's region menu,
// the table's own validation, the console and the LLM's prompt all know the
// same regions. A City is immutable; copies share read-only data. The zero
// City has no regions and recognises nothing.
type City struct {
	name    string
	regions []Region
	index   map[rune][]placeName // by first rune, longest first
}

// Region is one county-level region of a city.
type Region struct {
	Name    string   // the full name: 抚松县
	Aliases []string // other names citizens use: 抚松
	Places  []string // townships, streets and landmarks inside it
}

// placeName is a normalised name citizens may write and the region it
// means; region is "" for the city's own names, which name no region.
type placeName struct {
	name, region string
}

// Name is the city's name, such as 通化市.
func (c City) Name() string { return c.name }

// Regions returns the regions in the order they are offered to citizens,
// with the aliases and places the table gives for them.
func (c City) Regions() []Region {
	out := make([]Region, len(c.regions))
	for i, r := range c.regions {
		out[i] = Region{Name: r.Name, Aliases: slices.Clone(r.Aliases), Places: slices.Clone(r.Places)}
	}
	return out
}

// Names returns the regions' full names in the order they are offered to
// citizens: the values a case's, a body's or a rule's region may take.
func (c City) Names() []string {
	out := make([]string, len(c.regions))
	for i, r := range c.regions {
		out[i] = r.Name
	}
	return out
}

// Valid reports whether name is the full name of one of the city's regions.
func (c City) Valid(name string) bool {
	return name != "" && slices.ContainsFunc(c.regions, func(r Region) bool { return r.Name == name })
}

// Detect returns the region (its full name) that text names, or "" when it
// names none or only the city itself. A region is recognised by its full
// name, its name without 县/区/市, its aliases and its places; Traditional
// characters are read as Simplified. When several are named, the first
// mentioned wins: people usually start with where they live.
func (c City) Detect(text string) string {
	return c.detect(normalize(text))
}

// detect is Detect over normalised text. At each position the longest name
// wins, so 梅河口 beats 梅河 and 凉水河子 (柳河县) beats 凉水; the city's
// own names are matched too, only to be stepped over, so that 通化市 is not
// read as a region and 通化县 still is.
func (c City) detect(n string) string {
	for i := 0; i < len(n); {
		r, size := utf8.DecodeRuneInString(n[i:])
		step := size
		for _, p := range c.index[r] {
			if strings.HasPrefix(n[i:], p.name) {
				if p.region != "" {
					return p.region
				}
				step = len(p.name)
				break
			}
		}
		i += step
	}
	return ""
}

// isCity reports whether s names the whole city (通化市, 通化), which is no
// region.
func (c City) isCity(s string) bool {
	n := normalize(s)
	return n != "" && slices.ContainsFunc(cityNames(c.name), func(x string) bool { return normalize(x) == n })
}

// cityNames are the names of the city itself: the full name and, when it
// leaves two runes or more, the name without its suffix (白山市, 白山).
func cityNames(name string) []string {
	out := []string{name}
	if short := trimSuffixes(name, "自治州", "地区", "市", "州", "盟"); short != name {
		out = append(out, short)
	}
	return out
}

// shortName is a region's name without its suffix (抚松县 → 抚松), the way
// citizens usually say it, or "" when that would leave fewer than two runes.
func shortName(region string) string {
	if short := trimSuffixes(region, "自治县", "自治旗", "县", "区", "市", "旗"); short != region {
		return short
	}
	return ""
}

func trimSuffixes(name string, suffixes ...string) string {
	for _, s := range suffixes {
		if short, ok := strings.CutSuffix(name, s); ok && utf8.RuneCountInString(short) >= 2 {
			return short
		}
	}
	return name
}

// newCity indexes what citizens may write for each region: the full name,
// aliases and places as given, then the short names derived from the full
// names. A name that already means something else (another region, the city
// itself) keeps its first meaning; LoadTable reports such conflicts among
// the names a table gives, while a derived short name that clashes is
// simply not used (通化县 is not 通化, the city), and neither is one that
// two regions would share.
func newCity(name string, regions []Region) City {
	c := City{name: name, index: map[rune][]placeName{}}
	for _, r := range regions {
		c.regions = append(c.regions, Region{Name: r.Name, Aliases: slices.Clone(r.Aliases), Places: slices.Clone(r.Places)})
	}
	meaning := map[string]string{}
	claim := func(s, region string) {
		if n := normalize(s); n != "" && !hasName(meaning, n) {
			meaning[n] = region
		}
	}
	for _, s := range cityNames(name) {
		claim(s, "")
	}
	for _, r := range regions {
		for _, s := range append(append([]string{r.Name}, r.Aliases...), r.Places...) {
			claim(s, r.Name)
		}
	}
	derived := map[string][]string{}
	for _, r := range regions {
		if n := normalize(shortName(r.Name)); n != "" && !hasName(meaning, n) {
			derived[n] = append(derived[n], r.Name)
		}
	}
	for n, rs := range derived {
		if len(rs) == 1 {
			meaning[n] = rs[0]
		}
	}
	for n, region := range meaning {
		first, _ := utf8.DecodeRuneInString(n)
		c.index[first] = append(c.index[first], placeName{n, region})
	}
	for _, list := range c.index {
		slices.SortFunc(list, func(x, y placeName) int {
			return cmp.Or(cmp.Compare(len(y.name), len(x.name)), cmp.Compare(x.name, y.name))
		})
	}
	return c
}

func hasName(m map[string]string, k string) bool { _, ok := m[k]; return ok }
