package risk

import (
	"os"
	"strings"
	"testing"

	"jiefen/dispute"
	"jiefen/routing"
)

func TestZZDebug(t *testing.T) {
	city := routing.Builtin().City()
	var regions [][]string
	for _, r := range city.Regions() {
		regions = append(regions, append(append([]string{r.Name}, r.Aliases...), r.Places...))
	}
	pre := Prefixes(city.Name(), regions)
	b, _ := os.ReadFile("../internal/alertcorpus/" + os.Getenv("CORPUS"))
	for _, l := range strings.Split(string(b), "\n") {
		head, text, ok := strings.Cut(l, "|")
		h := strings.Fields(head)
		if !ok || len(h) != 5 || strings.HasPrefix(l, "#") {
			continue
		}
		ss := Subjects(text, pre)
		p, _ := Primary(ss, dispute.Type(h[2]))
		if tf := TypeFor(dispute.Type(h[2]), text); h[2] != "msg" && tf != dispute.Type(h[2]) {
			t.Logf("RETYPE %s %s -> %s", h[1], h[2], tf)
		}
		t.Logf("%-4s %-3s %-10s %-14s %v | %s", h[4], h[1], p.Key, h[2], ss, strings.TrimSpace(text))
	}
}
