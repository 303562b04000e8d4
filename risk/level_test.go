package risk

import (
	"testing"
	"time"

	"jiefen/dispute"
)

func TestAssessLevels(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, china)
	m := func(c string, typ dispute.Type, at time.Time, s Signals) Member {
		return Member{Case: "k" + c, Citizen: c, Type: typ, Region: "柳河县", At: at, Signals: s}
	}
	plain := func(n int, typ dispute.Type, at time.Time) []Member {
		var out []Member
		for i := range n {
			out = append(out, m(string(rune('a'+i)), typ, at, Signals{}))
		}
		return out
	}
	spring := time.Date(2027, 1, 20, 10, 0, 0, 0, china) // 2027's 春节 is 6 February
	for _, c := range []struct {
		name string
		ms   []Member
		want string
	}{
		{"two citizens", plain(2, dispute.Labor, t0), ""},
		{"one citizen three times", []Member{m("a", dispute.Labor, t0, Signals{}), m("a", dispute.Labor, t0, Signals{}), m("a", dispute.Labor, t0, Signals{})}, ""},
		{"three citizens", plain(3, dispute.Labor, t0), Yellow},
		{"five citizens", plain(5, dispute.Property, t0), Orange},
		{"many said", append(plain(2, dispute.Property, t0), m("x", dispute.Property, t0, Signals{Crowd: 20, CrowdWords: "几十户"})), Orange},
		{"escalation", append(plain(2, dispute.Property, t0), m("x", dispute.Property, t0, Signals{Escalate: []string{"堵路"}})), Red},
		{"escalation needs three", append(plain(1, dispute.Property, t0), m("x", dispute.Property, t0, Signals{Escalate: []string{"堵路"}})), ""},
		{"wages before 春节, orange", plain(5, dispute.Labor, spring), Red},
		{"wages before 春节, yellow", plain(3, dispute.Labor, spring), Yellow},
		{"property before 春节", plain(5, dispute.Property, spring), Orange},
	} {
		if got := Assess(c.ms).Level; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPreSpringFestival(t *testing.T) {
	for _, c := range []struct {
		at   string
		want bool
	}{{"2027-01-06", false}, {"2027-01-07", true}, {"2027-02-05", true}, {"2027-02-06", false}, {"2026-12-01", false}} {
		d, _ := time.ParseInLocation(time.DateOnly, c.at, china)
		if got := PreSpringFestival(d.Add(12 * time.Hour)); got != c.want {
			t.Errorf("%s: %v, want %v", c.at, got, c.want)
		}
	}
}

func TestCompatibleAndSettle(t *testing.T) {
	a := Member{Case: "1", Citizen: "a", Type: dispute.Labor, Region: "柳河县"}
	for _, c := range []struct {
		b    Member
		want bool
	}{
		{Member{Type: dispute.Labor, Region: "柳河县"}, true},
		{Member{Type: dispute.Labor, Region: "集安市"}, false},
		{Member{Type: dispute.Labor, Region: ""}, true},
		{Member{Type: dispute.Consumer, Region: "柳河县"}, false},
		{Member{Type: dispute.Other, Region: "柳河县"}, true},
	} {
		if got := Compatible(a, c.b); got != c.want {
			t.Errorf("Compatible(%v, %v) = %v", a, c.b, got)
		}
	}
	if Family(dispute.RuralLand) != Family(dispute.Expropriation) {
		t.Error("land and expropriation are one family")
	}
	if Family(dispute.ContractDebt) != Family(dispute.Consumer) || Family(dispute.Commercial) == Family(dispute.Consumer) {
		t.Error("a prepaid business told as a contract or a purchase is one family; firms' dealings are not")
	}
	o := Member{Case: "9", Citizen: "z", Type: dispute.Other, Region: "柳河县"}
	ms := []Member{a, {Case: "2", Citizen: "b", Type: dispute.Labor, Region: "柳河县"}, {Case: "3", Citizen: "c", Type: dispute.Consumer, Region: "柳河县"}}
	if got := Settle(o, ms).Type; got != dispute.Labor {
		t.Errorf("Settle gave %s, want labor", got)
	}
}

// Shops of one name and two trades are two businesses; a case naming no
// trade joins the trade most citizens name, the earliest on a tie.
func TestTradesApart(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, china)
	m := func(c, trade string, h int) Member {
		return Member{Case: "k" + c, Citizen: c, Type: dispute.Consumer, Region: "东昌区", Trade: trade, At: t0.Add(time.Duration(h) * time.Hour)}
	}
	if Compatible(m("a", "健身", 0), m("b", "汽修", 0)) || !Compatible(m("a", "健身", 0), m("b", "", 0)) {
		t.Error("trades: 健身 and 汽修 must stay apart, a case of no trade may join either")
	}
	gym := []Member{m("a", "健身", 0), m("b", "健身", 1), m("c", "健身", 2), m("x", "汽修", 3)}
	anchor, ms, most := SettleTrades(m("d", "", 4), gym)
	if most != "健身" || anchor.Trade != "健身" || ms[3].Trade != "汽修" {
		t.Errorf("settled %q: anchor %q, %+v", most, anchor.Trade, ms)
	}
	anchor, ms, most = SettleTrades(m("y", "汽修", 5), append(gym, m("d", "", 4)))
	if most != "健身" || anchor.Trade != "汽修" {
		t.Errorf("the lesser trade's anchor: %q, most %q", anchor.Trade, most)
	}
	if got := Window(anchor, ms, DefaultWindow); len(got) != 2 {
		t.Errorf("the lesser trade's cluster: %+v, want its own two cases", got)
	}
	if _, _, most := SettleTrades(m("d", "", 4), []Member{m("x", "汽修", 0), m("a", "健身", 1)}); most != "汽修" {
		t.Errorf("a tie goes to the trade named first: %q", most)
	}
	if ClusterKey("力天", "东昌区", dispute.Consumer, "") == ClusterKey("力天", "东昌区", dispute.Consumer, "汽修") {
		t.Error("a lesser trade's cluster needs its own key")
	}
}
