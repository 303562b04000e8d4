package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// baishanRoutes is a routing table for 白山市: another city than the
// built-in 通化市, with its own regions, aliases and townships.
const baishanRoutes = "routing/testdata/baishan.yaml"

// A deployment for another city: the citizen's township finds its region
// and the case its body; the region menu, the console's filter, the API
// and `jiefen classify` all speak of that city's regions.
func TestAnotherCityEndToEnd(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe, routes: baishanRoutes})

	// 松江河镇 is in 抚松县: the region is not asked, and the case reaches
	// 抚松县's labour arbitration.
	const worker = "oBaishanWorker01"
	mustContain(t, e.say(worker, "我在松江河镇的工地干了三个月活，包工头一直拖着工资不给"), "同意")
	reply := e.say(worker, "同意")
	mustContain(t, reply, "联系电话")
	mustNotContain(t, reply, "哪个县区")
	mustContain(t, e.say(worker, "跳过"), "劳动争议", "抚松县", "抚松县劳动人事争议仲裁院")
	mustContain(t, e.say(worker, "1"), "登记成功", "抚松县劳动人事争议仲裁院")
	if cs := e.cases(worker); len(cs) != 1 || cs[0].Region != "抚松县" || cs[0].Body != "fs-labor" || cs[0].Type != dispute.Labor {
		t.Fatalf("cases %+v", cs)
	}

	// No place in the story: the menu lists 白山市's regions, in the
	// table's order, and a number picks one of them.
	const neighbour = "oBaishanNeighbor"
	e.say(neighbour, "楼上邻居天天半夜在家剁东西、拖椅子，老人根本睡不着觉，说了好几次也不听")
	menu := e.say(neighbour, "同意")
	mustContain(t, menu, "哪个县区", "1. 浑江区\n2. 江源区\n3. 抚松县\n4. 靖宇县\n5. 长白朝鲜族自治县\n6. 临江市")
	mustNotContain(t, menu, "东昌区", "7.")
	mustContain(t, e.say(neighbour, "5"), "联系电话")
	mustContain(t, e.say(neighbour, "跳过"), "邻里纠纷", "长白朝鲜族自治县", "长白朝鲜族自治县人民调解委员会")
	e.say(neighbour, "1")
	if cs := e.cases(neighbour); len(cs) != 1 || cs[0].Region != "长白朝鲜族自治县" || cs[0].Body != "cb-mediation" {
		t.Fatalf("cases %+v", cs)
	}

	// Answering the menu in words: an alias of the region.
	const family = "oBaishanFamily01"
	e.say(family, "我和前夫离婚后他一直不给孩子抚养费，已经拖欠一年多了")
	mustContain(t, e.say(family, "同意"), "1. 浑江区")
	mustContain(t, e.say(family, "抚松"), "联系电话")
	mustContain(t, e.say(family, "跳过"), "抚松县", "抚松县人民调解委员会")

	// The console offers the city's regions in the queue's filter, and
	// the statistics count them.
	e.addUser("admin", store.RoleAdmin, "")
	admin := e.browser()
	admin.login("admin", "password-admin")
	_, queue := admin.get("/console/")
	mustContain(t, queue, ">浑江区</option>", ">临江市</option>")
	mustNotContain(t, queue, ">东昌区</option>")
	_, stats := admin.get("/console/stats")
	mustContain(t, stats, "抚松县", "长白朝鲜族自治县")
	if _, q := admin.get("/console/?region=" + "抚松县"); !strings.Contains(q, e.cases(worker)[0].ID) || strings.Contains(q, e.cases(neighbour)[0].ID) {
		t.Error("the queue's region filter does not select 抚松县's cases")
	}

	// The API names the city and its regions with the bodies.
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/bodies", nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken("admin"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bodies struct {
		City    string   `json:"city"`
		Regions []string `json:"regions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&bodies); err != nil || resp.StatusCode != 200 ||
		bodies.City != "白山市" || strings.Join(bodies.Regions, ",") != "浑江区,江源区,抚松县,靖宇县,长白朝鲜族自治县,临江市" {
		t.Fatalf("bodies: %d %+v %v", resp.StatusCode, bodies, err)
	}
}

// `jiefen classify` reads the regions of the table's city.
func TestClassifyAnotherCity(t *testing.T) {
	getenv := func(k string) string {
		if k == "JIEFEN_ROUTES" {
			return baishanRoutes
		}
		return ""
	}
	in := strings.NewReader("我在松江河镇打工，老板拖欠工资三个月\n我在柳河县打工，老板拖欠工资三个月\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"classify"}, getenv, in, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"region":"抚松县"`) || !strings.Contains(lines[1], `"region":""`) {
		t.Fatalf("classify printed:\n%s", out.String())
	}
}

func mustNotContain(t testing.TB, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Fatalf("%q contains %q", got, w)
		}
	}
}
