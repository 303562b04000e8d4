package main

// What a journey expects of the store and the console ("?" lines).

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// expect checks a "?" line against the store and the console.
func (r *jrun) expect(l jline, arg string) {
	r.t.Helper()
	what, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	if what == "cases" {
		want, err := strconv.Atoi(rest)
		if got := len(r.e.cases(r.who)); err != nil || got != want {
			r.fail(l, "the citizen has %d cases", got)
		}
		return
	}
	if what == "held" {
		// Waited for: the messenger holds an item only once it tried.
		ok := r.poll(func() bool {
			obs, err := r.e.app.store.Outbounds(context.Background(), r.who)
			return err == nil && slices.ContainsFunc(obs, func(o store.Outbound) bool {
				return o.State == store.OutHeld && o.LastError != "" && containsAll(o.Text, fragments(rest))
			})
		})
		if !ok {
			r.fail(l, "no message held (with a reason) containing it")
		}
		return
	}
	if what == "draft" {
		_, d, err := r.e.app.store.Conversation(context.Background(), r.who)
		if err != nil {
			r.t.Fatal(err)
		}
		r.hasOrLacks(l, rest, "the draft's story", []string{d.Draft.Story})
		return
	}
	k, rest := r.target(l, rest)
	switch what {
	case "case":
		r.caseFields(l, k, rest)
	case "story":
		r.hasOrLacks(l, rest, "the story of "+k.ID, []string{k.Story})
	case "thread", "note":
		kind := dispute.MessageIn
		if what == "note" {
			kind = dispute.Note
		}
		var texts []string
		for _, ev := range r.events(k.ID) {
			if ev.Kind == kind {
				texts = append(texts, ev.Text)
			}
		}
		r.hasOrLacks(l, rest, fmt.Sprintf("the %s events of %s", kind, k.ID), texts)
	case "consent":
		log, err := r.e.app.store.AuditLog(context.Background(), store.AuditFilter{CaseID: k.ID, Action: store.AuditConsent})
		if err != nil {
			r.t.Fatal(err)
		}
		var texts []string
		for _, e := range log {
			texts = append(texts, e.User+" "+e.Detail)
		}
		r.hasOrLacks(l, rest, "the consents recorded with "+k.ID, texts)
	case "queue", "duty":
		b := r.session(l, "mediator", k.Body)
		if what == "duty" {
			duty, ok := r.e.app.table.DutyDesk()
			if !ok {
				r.fail(l, "the routing table has no duty desk")
			}
			b = r.session(l, "duty", duty.ID)
		}
		_, page := b.get("/console/")
		row := queueRow(page, k.ID)
		if row == "" {
			r.fail(l, "%s is not in the %s queue", k.ID, what)
		}
		if rest != "" {
			r.hasOrLacks(l, rest, "the queue row of "+k.ID, []string{row})
		}
	default:
		r.fail(l, "unknown expectation %q", what)
	}
}

// hasOrLacks reads "has X | Y" or "lacks X | Y" against texts.
func (r *jrun) hasOrLacks(l jline, spec, where string, texts []string) {
	r.t.Helper()
	verb, rest, _ := strings.Cut(spec, " ")
	all := strings.Join(texts, "\n---\n")
	for _, f := range fragments(rest) {
		in := strings.Contains(all, f)
		switch {
		case verb == "has" && !in:
			r.fail(l, "%s lack %q:\n%s", where, f, all)
		case verb == "lacks" && in:
			r.fail(l, "%s contain %q:\n%s", where, f, all)
		case verb != "has" && verb != "lacks":
			r.fail(l, "want has or lacks")
		}
	}
}

func (r *jrun) caseFields(l jline, k dispute.Case, spec string) {
	r.t.Helper()
	for _, kv := range strings.Fields(spec) {
		key, want, _ := strings.Cut(kv, "=")
		var got string
		switch key {
		case "status":
			got = string(k.Status)
		case "type":
			got = string(k.Type)
		case "region":
			got = k.Region
		case "phone":
			got = k.Phone
			if got == "" {
				got = "-"
			}
		case "urgent":
			got = strconv.FormatBool(k.Urgent)
		case "body":
			got = k.Body
		default:
			r.fail(l, "unknown case field %q", key)
		}
		if got != want {
			r.fail(l, "case %s: %s is %q", k.ID, key, got)
		}
	}
}

func (r *jrun) events(caseID string) []dispute.Event {
	r.t.Helper()
	evs, err := r.e.app.store.Events(context.Background(), caseID)
	if err != nil {
		r.t.Fatal(err)
	}
	return evs
}

// queueRow cuts a case's row out of a console queue page.
func queueRow(page, id string) string {
	i := strings.Index(page, `<tr id="case-`+id+`"`)
	if i < 0 {
		return ""
	}
	row := page[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}
