package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// testSearch holds both stores to store.CaseFilter.Query's semantics
// (store/search.go): numbers at their end, phone numbers within one body
// only, words of stories and of later thread messages, anonymised cases
// not found by what they said.
func testSearch(t *testing.T, e *env) {
	h := time.Hour
	a := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(1*h))
	a.Story, a.Summary, a.Phone = "老板拖欠工资三个月，共计12000元。", "张三 欠薪", "13812345678"
	b := mkCase("JF20261127-0002", "o2", dispute.Resolved, dispute.Family, "集安市", "bodyB", at(2*h))
	b.Story, b.Summary, b.Phone = "邻居装修噪音扰民，Wang Fang 多次协商未果。", "噪音纠纷", "13912345678"
	c := mkCase("JF20261128-0011", "o3", dispute.Received, dispute.Labor, "东昌区", "bodyA", at(3*h))
	c.Story, c.Summary, c.Phone = "房东不退押金", "", ""
	e.commit(store.Change{NewCases: []dispute.Case{a, b, c}})
	// Text written later on the thread is found too; the bot's is not.
	e.commit(store.Change{Events: []dispute.Event{
		{CaseID: c.ID, At: at(4 * h), Kind: dispute.MessageIn, Actor: "o3", Text: "房东说下周退还押金，李四作证"},
		{CaseID: c.ID, At: at(4 * h), Kind: dispute.MessageOut, Actor: "liuhe", Text: "请提供租房合同"},
		{CaseID: c.ID, At: at(4 * h), Kind: dispute.MessageOut, Actor: "bot", Text: "您的案件已受理"},
		{CaseID: a.ID, At: at(4 * h), Kind: dispute.Note, Actor: "liuhe", Text: "已电话联系用人单位"},
	}})
	// A phone number given after filing.
	e.commit(store.Change{Updates: []store.CaseUpdate{{CaseID: c.ID, Phone: "13700001111", At: at(5 * h)}}})

	find := func(f store.CaseFilter, want ...string) {
		t.Helper()
		got, err := e.s.Cases(e.ctx, f)
		if err != nil {
			t.Fatalf("Cases(%+v): %v", f, err)
		}
		var ids []string
		for _, k := range got {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("Cases(query %q, phones %q, body %q) = %v, want %v", f.Query, f.QueryPhones, f.Body, ids, want)
		}
	}
	q := func(s string) store.CaseFilter { return store.CaseFilter{Query: s, QueryPhones: "bodyA"} }

	// Case numbers, whole or their end; letters without case.
	find(q("JF20261127-0001"), a.ID)
	find(q("jf20261127-0002"), b.ID)
	find(q("0001"), a.ID)
	find(q("1"), c.ID, a.ID)
	find(q("27-0002"), b.ID)
	find(q("0003"))
	// Phone numbers, whole or their end, in QueryPhones's cases only.
	find(q("13812345678"), a.ID)
	find(q("5678"), a.ID)
	find(store.CaseFilter{Query: "5678", QueryPhones: "bodyB"}, b.ID)
	find(store.CaseFilter{Query: "13912345678"})
	find(q("13700001111"), c.ID) // set by an update
	find(q("1381234"))           // not its end
	// Words of the story and summary, in Chinese, two characters or more.
	find(q("工资"), a.ID)
	find(q("拖欠工资"), a.ID)
	find(q("工资拖欠")) // both words are there, not in this order
	find(q("张三"), a.ID)
	find(q("噪音"), b.ID)
	find(q("wang fang"), b.ID)
	find(q("WANG"), b.ID)
	find(q("欠薪 张三"), a.ID)
	find(q("欠薪 噪音")) // every word must be in the case
	find(q("12000元"), a.ID)
	find(q("房东"), c.ID)
	find(q("押金"), c.ID)
	find(q("资，三")) // one-character words search nothing
	find(q("三个月的"))
	// … and of the thread: the citizen's, the mediator's, a note.
	find(q("李四"), c.ID)
	find(q("租房合同"), c.ID)
	find(q("用人单位"), a.ID)
	find(q("受理")) // the bot's words are in every case: not searched
	// With the other filters.
	find(store.CaseFilter{Query: "房东", Body: "bodyB"})
	find(store.CaseFilter{Query: "0002", Body: "bodyA"})
	find(store.CaseFilter{Query: "1", Status: dispute.Received, Limit: 1}, c.ID)

	// Anonymised: its words and its phone number find it no more.
	if _, err := e.s.Anonymize(e.ctx, b.ID, store.AuditEntry{At: at(6 * h), User: store.AuditSystem, Action: store.AuditRedact}); err != nil {
		t.Fatalf("Anonymize: %v", err)
	}
	find(q("噪音"))
	find(q("wang"))
	find(store.CaseFilter{Query: "13912345678", QueryPhones: "bodyB"})
	find(q("工资"), a.ID)

	// Persisted.
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}
	e.s = e.open()
	find(q("租房合同"), c.ID)
	find(q("5678"), a.ID)
}

// testSearchOrder: a word search lists like every other Cases call,
// newest first, then by number, and its Limit keeps the first ones in
// that order, whatever order the cases were stored in, however many
// share one creation time, and however old the case a new message about
// the word was written on.
func testSearchOrder(t *testing.T, e *env) {
	h := time.Hour
	var all []dispute.Case
	// Stored newest first, then oldest, then between: not in their order.
	for i, created := range []time.Duration{9 * h, 1 * h, 5 * h, 5 * h, 5 * h, 3 * h, 5 * h, 7 * h} {
		k := mkCase(fmt.Sprintf("JF20261127-%04d", 8-i), fmt.Sprint("o", i), dispute.Received, dispute.Labor, "东昌区", "bodyA", at(created))
		k.Story = "工地拖欠工资"
		if i%2 == 1 {
			k.Body = "bodyB"
		}
		e.commit(store.Change{NewCases: []dispute.Case{k}})
		all = append(all, k)
	}
	old := mkCase("JF20261126-0001", "o9", dispute.Received, dispute.Family, "东昌区", "bodyA", at(0))
	old.Story = "邻里纠纷"
	e.commit(store.Change{NewCases: []dispute.Case{old}})
	// The oldest case speaks of wages only now: it is still the oldest.
	e.commit(store.Change{Events: []dispute.Event{{CaseID: old.ID, At: at(10 * h), Kind: dispute.MessageIn, Actor: "o9", Text: "还有工资没给"}}})
	all = append(all, old)
	slices.SortFunc(all, func(a, b dispute.Case) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	ids := func(cs []dispute.Case) []string {
		var out []string
		for _, k := range cs {
			out = append(out, k.ID)
		}
		return out
	}
	for limit := range len(all) + 2 {
		for _, body := range []string{"", "bodyA"} {
			var want []string
			for _, k := range all {
				if body == "" || k.Body == body {
					want = append(want, k.ID)
				}
			}
			if limit > 0 && len(want) > limit {
				want = want[:limit]
			}
			got, err := e.s.Cases(e.ctx, store.CaseFilter{Query: "工资", Body: body, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), want) {
				t.Errorf("Cases(工资, body %q, limit %d) = %v, want %v", body, limit, ids(got), want)
			}
		}
	}
	// A case given to another body is found in that body's search, no more in the old one's.
	moved := all[0]
	e.commit(store.Change{Transfers: []store.Transfer{{CaseID: moved.ID, From: moved.Body, Body: "bodyC", Rule: "transfer:test", At: at(11 * h)}}})
	for body, want := range map[string]bool{"bodyC": true, moved.Body: false} {
		got, err := e.s.Cases(e.ctx, store.CaseFilter{Query: "拖欠工资", Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(ids(got), moved.ID) != want {
			t.Errorf("after the transfer, Cases(拖欠工资, body %q) = %v: has %s is not %v", body, ids(got), moved.ID, want)
		}
	}
}
