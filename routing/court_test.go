package routing

import (
	"strings"
	"testing"
)

// Every region of the built-in table has its basic court, and a case of
// no known region goes to the intermediate court, which serves the city.
func TestBuiltinCourts(t *testing.T) {
	tb := Builtin()
	want := map[string]string{"东昌区": "dc-court", "二道江区": "edj-court", "通化县": "thx-court", "辉南县": "hn-court",
		"柳河县": "lh-court", "梅河口市": "mhk-court", "集安市": "ja-court", "": "tonghua-court"}
	for region, id := range want {
		c, ok := tb.Court(region)
		if !ok || c.ID != id || !c.Court || !strings.Contains(c.Name, "人民法院") {
			t.Errorf("court of %q: %v %+v", region, ok, c)
		}
	}
	if b, _ := tb.Body("lh-labor"); b.Court {
		t.Error("an arbitration body marked as a court")
	}
}

func TestCourtValidation(t *testing.T) {
	const regions = "city: 白山市\nregions:\n  - name: 抚松县\n  - name: 长白县\n"
	// A table without courts is valid (judicial confirmation then has nowhere to go).
	tb := mustLoad(t, regions+"fallback: a\nbodies:\n  - {id: a, name: A}\n")
	if _, ok := tb.Court("抚松县"); ok {
		t.Error("a court in a table without one")
	}
	// The duty desk is never a court.
	_, err := LoadTable([]byte(regions + "fallback: a\nduty_desk: d\nbodies:\n  - {id: a, name: A}\n" +
		"  - {id: d, name: D, court: true}\n  - {id: fs, name: 抚松县人民法院, regions: [抚松县], court: true}\n"))
	if err == nil || !strings.Contains(err.Error(), "duty desk cannot be a court") {
		t.Errorf("duty desk as a court: %v", err)
	}
	// A county court alone is valid: the other county has none yet.
	tb = mustLoad(t, regions+"fallback: a\nbodies:\n  - {id: a, name: A}\n  - {id: fs, name: 抚松县人民法院, regions: [抚松县], court: true}\n")
	if _, ok := tb.Court("长白县"); ok {
		t.Error("长白县 has a court it was not given")
	}
	tb = mustLoad(t, regions+"fallback: a\nbodies:\n  - {id: a, name: A}\n  - {id: fs, name: 抚松县人民法院, regions: [抚松县], court: true}\n"+
		"  - {id: bs, name: 白山市中级人民法院, court: true}\n")
	if c, _ := tb.Court("抚松县"); c.ID != "fs" {
		t.Errorf("抚松县's court: %s", c.ID)
	}
	if c, _ := tb.Court("长白县"); c.ID != "bs" {
		t.Errorf("长白县's court: %s", c.ID)
	}
}
