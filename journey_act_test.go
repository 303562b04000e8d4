package main

// What a mediator does between a journey's turns ("=" lines): console
// forms, the JSON API, the clock and the stand-in platform.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// session is a console user of a body, logged in: "mediator",
// "supervisor" or "duty" (the duty desk's staff).
func (r *jrun) session(l jline, role, body string) *browser {
	r.t.Helper()
	name := role + "-" + body
	if b := r.users[name]; b != nil {
		return b
	}
	hash, err := journeyHash()
	if err != nil {
		r.t.Fatal(err)
	}
	storeRole := store.RoleMediator
	if role == "supervisor" {
		storeRole = store.RoleSupervisor
	}
	if err := r.e.app.store.PutUser(context.Background(), store.User{Name: name, Role: storeRole, Body: body, PasswordHash: hash}); err != nil {
		r.t.Fatal(err)
	}
	b := r.e.browser()
	if code := b.login(name, journeyPassword); code != http.StatusSeeOther {
		r.fail(l, "console login of %s: %d", name, code)
	}
	r.users[name] = b
	return b
}

// console posts a form about a case as a user of its body, after opening
// the case page (for the form token), and wants a redirect.
func (r *jrun) console(l jline, b *browser, k dispute.Case, action string, form url.Values) {
	r.t.Helper()
	if code, page := b.get("/console/cases/" + k.ID); code != http.StatusOK {
		r.fail(l, "case page %s: %d %s", k.ID, code, page)
	}
	form.Set("csrf", b.csrf)
	if code, page := b.submit("/console/cases/"+k.ID+"/"+action, form); code != http.StatusSeeOther {
		r.fail(l, "console %s: %d %s", action, code, page)
	}
}

// api calls the JSON API as the mediator of the case's body.
func (r *jrun) api(l jline, k dispute.Case, path string, body any) {
	r.t.Helper()
	name := "mediator-" + k.Body
	r.session(l, "mediator", k.Body) // the user must exist
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", r.e.srv.URL+"/api/v1/cases/"+k.ID+"/"+path, strings.NewReader(string(data)))
	req.Header.Set("Authorization", "Bearer "+r.e.apiToken(name))
	req.Header.Set("Content-Type", "application/json")
	if code := r.e.post(req); code != http.StatusOK && code != http.StatusAccepted && code != http.StatusCreated {
		r.fail(l, "API %s: %d", path, code)
	}
}

var journeyStatuses = map[string]dispute.Status{"accept": dispute.Accepted, "mediating": dispute.Mediating,
	"resolve": dispute.Resolved, "unresolve": dispute.Unresolved}

// act runs an "=" line: a mediator's action, or the world moving on.
func (r *jrun) act(l jline, arg string) {
	r.t.Helper()
	verb, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	viaAPI := verb == "api"
	if viaAPI {
		verb, rest, _ = strings.Cut(rest, " ")
		rest = strings.TrimSpace(rest)
	}
	switch verb {
	case "clock":
		d, err := parseJourneyDuration(rest)
		if err != nil {
			r.fail(l, "%v", err)
		}
		r.clock.advance(d)
		// Console sessions expire on the fake clock: log in afresh.
		clear(r.users)
		return
	case "tick":
		r.e.tick()
		return
	case "deliver":
		r.clock.advance(time.Minute)
		r.e.app.referrals.Kick()
		return
	case "platform":
		f := strings.Fields(rest)
		if len(f) == 1 && (f[0] == "down" || f[0] == "up") {
			r.e.platform.SetDown(f[0] == "down")
			return
		}
		if len(f) < 2 || f[0] != "refuse" {
			r.fail(l, "want: = platform refuse <errcode> [times]")
		}
		code, err := strconv.Atoi(f[1])
		n := 1
		if len(f) > 2 {
			n, _ = strconv.Atoi(f[2])
		}
		if err != nil || n < 1 {
			r.fail(l, "want: = platform refuse <errcode> [times]")
		}
		r.e.platform.FailNext(n, code)
		return
	case "invite":
		r.invite(l, rest)
		return
	case "withdraw":
		r.withdraw(l)
		return
	case "qr":
		r.qr(l, rest)
		return
	case "subscribe":
		// The citizen answers the subscription popup on the case page
		// (accept, reject), or turns notices off in WeChat's settings
		// (cancel); the platform pushes the event.
		c := r.e.client
		var m *wxsim.Message
		switch rest {
		case "accept", "reject":
			m = c.SubscribePopup(r.who, wxsim.PopupAnswer{TemplateID: journeySubscribeTemplate, Status: rest})
		case "cancel":
			m = c.SubscribeCancel(r.who, journeySubscribeTemplate)
		default:
			r.fail(l, "want: = subscribe accept|reject|cancel")
		}
		r.e.platform.AddUser(r.who)
		if _, err := c.Deliver(context.Background(), m); err != nil {
			r.fail(l, "delivery: %v", err)
		}
		return
	}
	k, rest := r.target(l, rest)
	switch to, isStatus := journeyStatuses[verb]; {
	case isStatus && viaAPI:
		r.api(l, k, "status", map[string]string{"status": string(to), "note": rest})
	case isStatus:
		r.console(l, r.session(l, "mediator", k.Body), k, "status", url.Values{"status": {string(to)}, "note": {rest}})
	case verb == "reply" && viaAPI:
		to, text := replyTo(rest)
		r.api(l, k, "messages", map[string]string{"text": text, "to": to})
	case verb == "reply":
		to, text := replyTo(rest)
		r.console(l, r.session(l, "mediator", k.Body), k, "reply", url.Values{"text": {text}, "to": {to}})
	case verb == "video":
		d, err := parseJourneyDuration(rest)
		if err != nil {
			r.fail(l, "%v", err)
		}
		start := r.clock.Now().Add(d).In(china).Format("2006-01-02T15:04")
		r.console(l, r.session(l, "mediator", k.Body), k, "video", url.Values{"start": {start}, "url": {"https://meeting.example.cn/jf/" + k.ID}})
	case verb == "transfer":
		body, reason, _ := strings.Cut(rest, " ")
		r.console(l, r.session(l, "supervisor", k.Body), k, "transfer", url.Values{"body": {body}, "reason": {reason}})
	case verb == "decline":
		r.console(l, r.session(l, "supervisor", k.Body), k, "decline", url.Values{"reason": {rest}})
	default:
		if !r.actAgreement(l, verb, rest, k, viaAPI) {
			r.fail(l, "unknown action %q", verb)
		}
	}
}

// replyTo reads "to=respondent text" (the recipient, "" for the default).
func replyTo(rest string) (to, text string) {
	if first, after, ok := strings.Cut(rest, " "); ok && strings.HasPrefix(first, "to=") {
		return strings.TrimPrefix(first, "to="), strings.TrimSpace(after)
	}
	return "", rest
}
