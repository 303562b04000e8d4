package workflow

import (
	"fmt"
	"os"
	"testing"

	"jiefen/internal/alertcorpus"
	"jiefen/risk"
)

func TestZZDebugSubjects(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	f := newFixture(t)
	sets, _ := alertcorpus.Sets()
	for _, set := range sets {
		if set.Name != os.Getenv("ZZ") {
			continue
		}
		for _, s := range set.Streams {
			for _, l := range s.Lines {
				ss := risk.Subjects(l.Text, f.w.riskPrefixes())
				typ := l.Type
				p, _ := risk.Primary(ss, typ)
				var all []string
				for _, x := range ss {
					all = append(all, x.Kind+":"+x.Name+"="+x.Key+"/"+x.Trade)
				}
				fmt.Printf("%-4s %-6s %-14s %-8s P=%s=%s  %v | %.40s\n", l.Citizen, l.Group, typ, risk.TypeFor(typ, l.Text), p.Name, p.Key, all, l.Text)
			}
		}
	}
}
