package routing

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
)

// FuzzLoadTable: any file either loads as a whole, valid table or is
// refused with an error saying what is wrong; never a panic, never both,
// never a table that is only half valid. A loaded table routes every type
// in every region of its city (and the unknown region) to a body it has,
// its duty desk, fallback and rules name bodies it has, its deadlines are
// computed without hanging, and loading the same file again gives the
// same table.
func FuzzLoadTable(f *testing.F) {
	f.Add(BuiltinYAML())
	if b, err := os.ReadFile("testdata/baishan.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "bodies: []", "city: 白山市\nregions: [{name: 浑江区}]\nbodies: [{id: a, name: A, types: [other]}]\nfallback: a\n",
		"bodies:\n  - id: a\n    name: A\n    types: [labor, other]\n    accept_within_days: 15\n    accept_within_hours: 8\n",
		"bodies:\n  - {id: A!, name: ''}\n  - {id: a, name: x, webhook: {url: 'http://[::1', secret_env: 1X}}\nrules: [{id: r, body: nowhere}]",
		"calendar:\n  time_zone: Asia/Shanghai\n  working_days: []\n  working_hours: [\"08:30-12:00\"]\nbodies: [{id: a, name: A, types: [other]}]\n",
		"calendar:\n  time_zone: Mars/Olympus\n  working_days: [mon]\n  working_hours: [\"12:00-08:30\", \"25:00-26:00\"]\n  holidays: [2026-01-01..2025-01-01, x]\n",
		"bodies: {a: 1}", ": :", "\t", "&a [*a]", "bodies: [*x]", "unknown_key: 1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer does not report an input that never finishes (a
		// calendar walked for ever): this makes one a failing input.
		done := make(chan bool)
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("LoadTable or a route or deadline of its table never finished on %q", data))
			}
		}()
		tb, err := LoadTable(data)
		if (tb == nil) == (err == nil) {
			t.Fatalf("LoadTable = %v, %v: want a table or an error", tb, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "routing table") {
				t.Fatalf("error does not say it is about the routing table: %v", err)
			}
			var te *TableError
			if errors.As(err, &te) && len(te.Problems) == 0 {
				t.Fatal("a TableError without problems")
			}
			return
		}
		has := func(id string) bool { _, ok := tb.Body(id); return ok }
		for _, region := range append(tb.City().Names(), "") {
			for _, typ := range dispute.Types {
				d, err := tb.Route(typ, region)
				if err != nil {
					t.Fatalf("a loaded table has no route for %s in %q: %v", typ, region, err)
				}
				if !has(d.Body.ID) {
					t.Fatalf("Route(%s, %q) = %q, a body the table does not have", typ, region, d.Body.ID)
				}
			}
		}
		for _, r := range tb.Rules() {
			if !has(r.Body) {
				t.Fatalf("rule %q names body %q, which the table does not have", r.ID, r.Body)
			}
		}
		for _, get := range []func() (Body, bool){tb.DutyDesk, tb.Fallback} {
			if b, ok := get(); ok && !has(b.ID) {
				t.Fatalf("duty desk or fallback %q is not one of the table's bodies", b.ID)
			}
		}
		from := time.Date(2026, 12, 4, 16, 59, 0, 0, time.UTC)
		for _, b := range tb.Bodies() {
			due, remind := tb.AcceptDue(b, from)
			if due.Before(from) || remind.Before(from) || remind.After(due) {
				t.Fatalf("body %q: AcceptDue(%v) = due %v, remind %v", b.ID, from, due, remind)
			}
		}
		again, err := LoadTable(data)
		if err != nil || !reflect.DeepEqual(again.Bodies(), tb.Bodies()) || !reflect.DeepEqual(again.Rules(), tb.Rules()) ||
			!reflect.DeepEqual(again.City().Names(), tb.City().Names()) {
			t.Fatalf("loading the same file twice gave different tables (%v)", err)
		}
	})
}
