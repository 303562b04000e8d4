package main

// Journeys' agreement and court lines:
//
//	= option court                  the table's courts have a webhook: a court's system (courtStub) receives applications
//	= agreement <terms>             the case's mediator saves a version in the console (= api agreement: through the API); \n in terms is a line end
//	= court down | up               the court's system answers 503, or takes deliveries again
//	= deliver                       a minute passes and the webhook sender looks again (a retry after the backoff)
//	= court accept <number> | confirm [number] | reject <reason>   a user of the court answers through the API
//	? agreement status=signed version=2 confirmations=1
//	? judicial status=requested court=lh-court applied=1
//	? court got 1                   the court's system has received this many applications (waited for)
//	? court refused                 an attempt reached the court's system while it was down (waited for)

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// courtSecretEnv is the court webhooks' secret variable in journeys.
const courtSecretEnv = "JOURNEY_COURT_SECRET"

// courtTable is the built-in table with every court's webhook at url.
func courtTable(yaml, url string) string {
	for _, id := range []string{"tonghua-court", "dc-court", "edj-court", "thx-court", "hn-court", "lh-court", "mhk-court", "ja-court"} {
		yaml = strings.Replace(yaml, "  - id: "+id+"\n",
			"  - id: "+id+"\n    webhook: {url: \""+url+"/judicial\", secret_env: "+courtSecretEnv+"}\n", 1)
	}
	return yaml
}

// actAgreement runs the agreement's "=" lines about case k; false for
// another verb.
func (r *jrun) actAgreement(l jline, verb, rest string, k dispute.Case, viaAPI bool) bool {
	r.t.Helper()
	switch verb {
	case "agreement":
		terms := strings.ReplaceAll(rest, `\n`, "\n")
		if viaAPI {
			r.api(l, k, "agreement", map[string]string{"terms": terms})
		} else {
			r.console(l, r.session(l, "mediator", k.Body), k, "agreement", url.Values{"terms": {terms}})
		}
	case "court":
		r.courtAct(l, k, rest)
	default:
		return false
	}
	return true
}

func (r *jrun) courtAct(l jline, k dispute.Case, rest string) {
	r.t.Helper()
	what, arg, _ := strings.Cut(rest, " ")
	arg = strings.TrimSpace(arg)
	if what == "down" || what == "up" {
		if r.court == nil {
			r.fail(l, "no court: add = option court")
		}
		r.court.mu.Lock()
		r.court.down = what == "down"
		r.court.mu.Unlock()
		return
	}
	body := map[string]string{}
	switch what {
	case "accept":
		body["status"], body["number"] = "accepted", arg
	case "confirm":
		body["status"], body["number"] = "confirmed", arg
	case "reject":
		body["status"], body["reason"] = "rejected", arg
	default:
		r.fail(l, "want: = court down|up|accept <number>|confirm [number]|reject <reason>")
	}
	j, ok := r.e.app.server.Web.Cases.Judicial(k, r.events(k.ID))
	if !ok || j.Court == "" {
		r.fail(l, "no judicial confirmation to answer")
	}
	r.session(l, "mediator", j.Court) // a user of the court
	if code := r.e.apiCall("POST", "/api/v1/cases/"+k.ID+"/judicial_confirmation", r.e.apiToken("mediator-"+j.Court), mustJSON(body), nil); code != http.StatusOK {
		r.fail(l, "the court's answer: %d", code)
	}
}

// expectAgreement checks the agreement's "?" lines about case k; false
// for another subject.
func (r *jrun) expectAgreement(l jline, what, rest string, k dispute.Case) bool {
	r.t.Helper()
	switch what {
	case "agreement":
		v, err := r.e.app.server.Web.Cases.Agreement(context.Background(), store.User{Name: "journey", Role: store.RoleAdmin}, k.ID)
		if err != nil {
			r.fail(l, "agreement: %v", err)
		}
		r.fields(l, rest, map[string]string{"status": v.Status, "version": strconv.Itoa(v.Version), "confirmations": strconv.Itoa(len(v.Confirmations))})
	case "judicial":
		j, ok := r.e.app.server.Web.Cases.Judicial(k, r.events(k.ID))
		if !ok {
			j.Status = "-"
		}
		r.fields(l, rest, map[string]string{"status": j.Status, "court": j.Court, "applied": strconv.Itoa(len(j.Applied)), "number": j.Number})
	case "court":
		if rest == "refused" { // an attempt reached the court's system while it was down
			if r.court == nil || !r.poll(func() bool { tries, got := r.court.state(); return tries > len(got) }) {
				r.fail(l, "no attempt reached the court while it was down")
			}
			return true
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(rest, "got "))
		if r.court == nil || !r.poll(func() bool { _, got := r.court.state(); return len(got) == n }) {
			r.fail(l, "the court has not received %d applications", n)
		}
		_, got := r.court.state()
		for _, p := range got {
			if p["kind"] != "judicial_confirmation" {
				r.fail(l, "a delivery of kind %v", p["kind"])
			}
		}
	default:
		return false
	}
	return true
}

// fields compares "key=value …" with got.
func (r *jrun) fields(l jline, spec string, got map[string]string) {
	r.t.Helper()
	for _, kv := range strings.Fields(spec) {
		key, want, _ := strings.Cut(kv, "=")
		g, ok := got[key]
		if !ok {
			r.fail(l, "unknown field %q", key)
		}
		if g != want {
			r.fail(l, "%s is %q", key, g)
		}
	}
}
