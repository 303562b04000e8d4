package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// A mediator corrects a case's type; the correction is kept and comes out
// of `jiefen corpus export` as a labelled line for the next training run,
// its numbers masked.
func TestTypeCorrectionBecomesTrainingExample(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, envOptions{mode: wxsim.Plain, dir: dir})
	const who = "oCitizenRetype"
	id := e.fileCase(who, "在柳河县给人家干装修活，活干完了房主不给钱，我电话13912345678")
	first, _ := e.app.store.Case(context.Background(), id)
	e.addUser("liuhe", store.RoleMediator, first.Body)
	to := dispute.ContractDebt
	if first.Type == to {
		to = dispute.Labor
	}
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/cases/" + id)
	if code := b.post("/console/cases/"+id+"/type", url.Values{"type": {string(to)}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("retype: %d", code)
	}
	k, _ := e.app.store.Case(context.Background(), id)
	if k.Type != to {
		t.Fatalf("type %s", k.Type)
	}
	_, page := b.get("/console/cases/" + id)
	mustContain(t, page, "类型更正")
	e.stop()

	var out bytes.Buffer
	getenv := func(k string) string { return map[string]string{"JIEFEN_DATA": dir}[k] }
	if err := run(context.Background(), []string{"corpus", "export"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], string(to)+"\t0\t柳河县\t") || strings.Contains(lines[1], "13912345678") {
		t.Fatalf("export:\n%s", out.String())
	}
}
