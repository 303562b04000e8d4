package risk

import (
	"fmt"
	"slices"
	"time"

	"jiefen/dispute"
)

// Levels, lowest first.
const (
	Yellow = "yellow"
	Orange = "orange"
	Red    = "red"
)

// Rank orders levels: 0 for none, then Yellow, Orange, Red.
func Rank(level string) int { return slices.Index([]string{Yellow, Orange, Red}, level) + 1 }

// Kinds of alert.
const (
	KindCluster  = "cluster"  // several citizens, one subject (群体)
	KindRepeat   = "repeat"   // one citizen, many cases (重复)
	KindReopened = "reopened" // one case reopened again and again (反复)
)

// Thresholds of the rules (see Assess).
const (
	YellowCitizens = 3  // distinct citizens on one subject: yellow
	OrangeCitizens = 5  // …: orange
	CrowdOrange    = 10 // people a message says are affected: orange (群体性 for wages)
	RepeatCases    = 3  // cases of one citizen within RepeatWindow: a repeat alert
	ReopenTimes    = 2  // times one case was reopened: a reopened alert
)

// DefaultWindow is how far apart a cluster's cases may be, when the
// routing table says nothing for their type.
const DefaultWindow = 7 * 24 * time.Hour

// RepeatWindow is the period in which one citizen's cases are counted.
const RepeatWindow = 30 * 24 * time.Hour

// Member is one case as the clustering sees it.
type Member struct {
	Case    string
	Citizen string // an opaque id of whoever filed it (never shown)
	Type    dispute.Type
	Region  string
	Trade   string    // a shop's line of business (Subject.Trade), "" when not known
	At      time.Time // when it was filed
	Signals Signals   // of all the citizen's messages on it so far
}

// Family groups types whose complaints about one subject are one matter
// although the classifier may put them apart: expropriation is often told
// as a land or administrative matter, and a prepaid business as a
// contract.
func Family(t dispute.Type) string {
	switch t {
	case dispute.Expropriation, dispute.RuralLand:
		return string(dispute.Expropriation)
	case dispute.ContractDebt:
		// A business that took its customers' money first (装修定金, 托费,
		// 学费) is told as a contract by some and a purchase by others.
		return string(dispute.Consumer)
	}
	return string(t)
}

// Compatible reports whether two cases may be one matter: the same type
// family, and the same region, each unless one is not known (a region not
// given; the type other, which the classifier gives a story it could not
// place: 二道江区丰泰物流拖着运费不结 is about the same firm as its drivers'
// wage complaints, whatever type it got).
//
// Shops of one name and different trades are two businesses (力天健身,
// 力天汽修); a case that says no trade may be either (see SettleTrades).
func Compatible(a, b Member) bool {
	return (Family(a.Type) == Family(b.Type) || a.Type == dispute.Other || b.Type == dispute.Other) &&
		(a.Region == "" || b.Region == "" || a.Region == b.Region) &&
		(a.Trade == "" || b.Trade == "" || a.Trade == b.Trade)
}

// SettleTrades gives the cases of no trade (a bare name: 在力天办的卡) the
// trade most citizens of the others name, among those compatible with
// anchor (ties to the trade named first in time), so they join the business most
// complaints are about rather than every business of the name. It
// returns the anchor and the cases so settled, and that trade ("" when
// no case names one).
func SettleTrades(anchor Member, ms []Member) (Member, []Member, string) {
	citizens := map[string]map[string]bool{}
	var order []string
	all := append([]Member{anchor}, ms...)
	slices.SortStableFunc(all, func(a, b Member) int { return a.At.Compare(b.At) })
	for _, m := range all {
		base := m
		base.Trade = ""
		if m.Trade == "" || !Compatible(anchor, base) {
			continue
		}
		if citizens[m.Trade] == nil {
			citizens[m.Trade] = map[string]bool{}
			order = append(order, m.Trade)
		}
		citizens[m.Trade][m.Citizen] = true
	}
	most := ""
	for _, t := range order {
		if len(citizens[t]) > len(citizens[most]) {
			most = t
		}
	}
	out := slices.Clone(ms)
	for i := range out {
		if out[i].Trade == "" {
			out[i].Trade = most
		}
	}
	if anchor.Trade == "" {
		anchor.Trade = most
	}
	return anchor, out, most
}

// Settle gives an anchor of type other the type most of the cases
// compatible with it have (by distinct citizens; ties to the type met
// first), so its cluster is of one family like any other; an anchor with
// a type keeps it.
func Settle(anchor Member, ms []Member) Member {
	if anchor.Type != dispute.Other {
		return anchor
	}
	citizens := map[dispute.Type]map[string]bool{}
	var order []dispute.Type
	for _, m := range ms {
		if m.Type == dispute.Other || !Compatible(anchor, m) {
			continue
		}
		if citizens[m.Type] == nil {
			citizens[m.Type] = map[string]bool{}
			order = append(order, m.Type)
		}
		citizens[m.Type][m.Citizen] = true
	}
	for _, t := range order {
		if len(citizens[t]) > len(citizens[anchor.Type]) {
			anchor.Type = t
		}
	}
	return anchor
}

// ClusterKey identifies a cluster: one subject, one region, one family,
// and for a shop whose name is shared by a business of another trade
// that most complaints are not about, its trade (trade is "" otherwise,
// so a cluster keeps its key when its first cases named no trade). At
// most one open alert exists per key.
func ClusterKey(subject, region string, t dispute.Type, trade string) string {
	k := subject + "|" + region + "|" + Family(t)
	if trade != "" {
		k += "|" + trade
	}
	return k
}

// Window keeps the members compatible with anchor and filed within w up
// to it ((anchor.At − w, anchor.At]), anchor included, oldest first.
func Window(anchor Member, ms []Member, w time.Duration) []Member {
	out := []Member{anchor}
	for _, m := range ms {
		if m.Case == anchor.Case || !Compatible(anchor, m) || m.At.After(anchor.At) || !m.At.After(anchor.At.Add(-w)) {
			continue
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b Member) int { return a.At.Compare(b.At) })
	return out
}

// Assessment is what Assess finds in a cluster.
type Assessment struct {
	Level    string   // "" when the cluster raises no alert
	Citizens int      // distinct citizens
	Reasons  []string // why the level, in words for the console (never personal data)
}

// Citizens counts the distinct citizens of ms.
func Citizens(ms []Member) int {
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.Citizen] = true
	}
	return len(seen)
}

// Assess grades a cluster of cases about one subject (KindCluster):
//
//   - none below YellowCitizens distinct citizens;
//   - yellow from YellowCitizens;
//   - orange from OrangeCitizens, or when a message says CrowdOrange or
//     more people are affected (我们十几个人, 几十户);
//   - red when any message carries an intent to escalate (拉横幅, 堵路,
//     集体上访 …), or when an orange wage cluster has a case in the
//     pre-春节 season (PreSpringFestival, the case's own time).
func Assess(ms []Member) Assessment {
	a := Assessment{Citizens: Citizens(ms)}
	if a.Citizens < YellowCitizens {
		return a
	}
	a.Level = Yellow
	a.Reasons = append(a.Reasons, fmt.Sprintf("%d位群众反映同一对象", a.Citizens))
	var s Signals
	for _, m := range ms {
		s = s.Merge(m.Signals)
	}
	if a.Citizens >= OrangeCitizens {
		a.Level = Orange
	}
	if s.Crowd >= CrowdOrange {
		a.Level = Orange
		a.Reasons = append(a.Reasons, "称涉及人数众多：“"+s.CrowdWords+"”")
	}
	if a.Level == Orange && slices.ContainsFunc(ms, func(m Member) bool {
		return Family(m.Type) == string(dispute.Labor) && PreSpringFestival(m.At)
	}) {
		a.Level = Red
		a.Reasons = append(a.Reasons, "春节前欠薪")
	}
	if len(s.Escalate) > 0 {
		a.Level = Red
		for _, w := range s.Escalate {
			a.Reasons = append(a.Reasons, "扬言“"+w+"”")
		}
	}
	return a
}

// springFestival lists the first day of the lunar year (正月初一), China
// time, from 2024 to 2045.
var springFestival = []string{
	"2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03",
	"2031-01-23", "2032-02-11", "2033-01-31", "2034-02-19", "2035-02-08", "2036-01-28", "2037-02-15",
	"2038-02-04", "2039-01-24", "2040-02-12", "2041-02-01", "2042-01-22", "2043-02-10", "2044-01-30",
	"2045-02-17",
}

// SeasonDays is how long before 春节 the season of wage demands runs: the
// twelfth lunar month (腊月), when workers go home and want their pay.
const SeasonDays = 30

var china = time.FixedZone("CST", 8*3600)

// PreSpringFestival reports whether t falls in the SeasonDays before a
// 春节 (China time).
func PreSpringFestival(t time.Time) bool {
	for _, d := range springFestival {
		day, _ := time.ParseInLocation(time.DateOnly, d, china)
		if !t.Before(day.AddDate(0, 0, -SeasonDays)) && t.Before(day) {
			return true
		}
	}
	return false
}
