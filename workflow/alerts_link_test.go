package workflow

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/internal/testdate"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/store/storetest/backends"
)

// Citizens who name only an estate's developer and those who name only
// the estate are one group once a story names both, whichever came first;
// one alert holds them all, on both stores. A developer linked to two
// estates, or a linked firm's own workers, stay apart.
func TestAlertLinkedSubjects(t *testing.T) {
	type filing struct {
		typ   dispute.Type
		story string
	}
	prop := func(s string) filing { return filing{dispute.Property, s} }
	for _, tc := range []struct {
		name    string
		filings []filing
		want    map[string]int // alert subject → cases it holds
	}{
		{"the developer named first", []filing{
			prop("宏昌地产 交房延期半年了 违约金一分不给"),
			prop("找宏昌房地产也没人管 说好年底交房"),
			prop("宏昌房地产开发的锦绣华庭小区 三期到现在没交房"),
		}, map[string]int{"锦绣华庭": 3}},
		{"the developer named after", []filing{
			prop("锦绣华庭三期到现在没交房 合同写的今年六月"),
			prop("宏昌房地产开发的锦绣华庭小区 三期到现在没交房"),
			prop("宏昌地产 交房延期半年了 违约金一分不给"),
			prop("宏昌地产 交房延期 我们要求退房"),
		}, map[string]int{"锦绣华庭": 4}},
		{"a developer of two estates", []filing{
			prop("宏昌房地产开发的锦绣华庭小区 三期到现在没交房"),
			prop("宏昌房地产开发的阳光水岸 二期延期交房"),
			prop("宏昌地产 交房延期半年了 违约金一分不给"),
			prop("宏昌地产 交房延期 我们要求退房"),
		}, map[string]int{}},
		{"the developer's own workers", []filing{
			prop("宏昌房地产开发的锦绣华庭小区 三期到现在没交房"),
			{dispute.Labor, "宏昌房地产拖欠我们工资三个月"},
			{dispute.Labor, "在宏昌房地产干活 工钱一直没给"},
			{dispute.Labor, "宏昌地产欠薪 老板找不到人"},
		}, map[string]int{"宏昌地产": 3}}, // named as the latest case names it
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends.Each(t, func(t *testing.T, open func() store.Store) {
				s, ctx := open(), context.Background()
				table := routing.Builtin()
				now := testdate.At("w0 Tue 09:00")
				w := &Cases{Store: s, Table: table, Hooks: &referral.Hooks{Store: s, Table: table}, Now: func() time.Time { return now }}
				for i, f := range tc.filings {
					at := now.Add(time.Duration(i) * time.Hour)
					k := dispute.Case{ID: fmt.Sprintf("JF-link-%02d", i), Status: dispute.Referred, Type: f.typ, Region: "东昌区",
						Story: f.story, OpenID: fmt.Sprint("o-link-", i), CreatedAt: at, UpdatedAt: at}
					ch := store.Change{NewCases: []dispute.Case{k}}
					if err := s.Commit(ctx, ch); err != nil {
						t.Fatal(err)
					}
					if err := w.Watch(ctx, ch); err != nil {
						t.Fatal(err)
					}
				}
				as, err := s.Alerts(ctx, store.AlertFilter{})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				var held []string
				for _, a := range as {
					got[a.Subject] = len(a.Cases)
					for _, c := range a.Cases {
						if slices.Contains(held, c) {
							t.Errorf("case %s in two alerts: %+v", c, as)
						}
						held = append(held, c)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("alerts %v, want %v", got, tc.want)
				}
			})
		})
	}
}
