package main

// Journey tests: whole conversations, written as transcripts in
// testdata/journeys/*.txt (the format is in testdata/journeys/README.md),
// run through the real callback in safe mode against both stores, each on
// a fake clock, and each followed by one invariant: nothing the citizen
// said is lost, every question got an answer, and everything queued for
// them reached them or visibly waits, on its case's thread.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"jiefen/dispute"
	"jiefen/store"
	"jiefen/wxsim"
)

// journeyStart is every journey's starting clock: a Tuesday, 09:00 in
// China, in the tests' base week (internal/testdate, which JIEFEN_TEST_YEAR
// moves): a working morning, so deadlines count from now. Nothing compares
// it with the wall clock (cookies carry Max-Age, Redis relative TTLs).
func journeyStart() *testClock {
	return newTestClock("w0 Tue 09:00") // a Tuesday morning of the tests' base week
}

// journeyWait bounds every wait for the background (pushed messages, the
// queue settling): generous, as the suite runs under the race detector on
// a shared machine.
const journeyWait = 15 * time.Second

// A journey is one transcript file.
type journey struct {
	name     string
	lines    []jline
	template bool          // = option template
	followUp time.Duration // = option followup
}

// jline is one step of a journey.
type jline struct {
	file string
	n    int
	raw  string
	op   string // ">", ">:", "<", "<!", "<<", "=", "?"
	arg  string
}

func (l jline) String() string { return fmt.Sprintf("%s:%d: %s", l.file, l.n, l.raw) }

// ops in the order they are tried: the longer prefix first.
var journeyOps = []string{">:", ">", "<<", "<!", "<", "=", "?"}

func loadJourneys(t *testing.T) []journey {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "journeys", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no journeys in testdata/journeys (%v)", err)
	}
	var out []journey
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		j := journey{name: strings.TrimSuffix(filepath.Base(f), ".txt")}
		for i, raw := range strings.Split(string(data), "\n") {
			s := strings.TrimSpace(raw)
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			l := jline{file: f, n: i + 1, raw: s}
			for _, op := range journeyOps {
				if strings.HasPrefix(s, op) {
					l.op, l.arg = op, strings.TrimSpace(s[len(op):])
					break
				}
			}
			switch {
			case l.op == "":
				t.Fatalf("%s: not a journey line", l)
			case l.op == ">" && strings.HasPrefix(l.arg, "[") && !strings.HasPrefix(l.arg, "[voice") && !strings.HasPrefix(l.arg, "[image"):
				t.Fatalf("%s: an event carries no content: write it >:", l)
			case l.op == "=" && strings.HasPrefix(l.arg, "option "):
				f := strings.Fields(l.arg)
				switch {
				case len(f) == 2 && f[1] == "template":
					j.template = true
				case len(f) == 3 && f[1] == "followup":
					if j.followUp, err = parseJourneyDuration(f[2]); err != nil {
						t.Fatalf("%s: %v", l, err)
					}
				default:
					t.Fatalf("%s: unknown option", l)
				}
				continue
			}
			j.lines = append(j.lines, l)
		}
		out = append(out, j)
	}
	return out
}

// parseJourneyDuration reads "+1d", "49h", "+90m", "+1h30m".
func parseJourneyDuration(s string) (time.Duration, error) {
	s = strings.TrimPrefix(s, "+")
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// journeyPassword is every console user's password in journeys, hashed
// once at bcrypt's lowest cost: at the product's cost every login takes a
// second under the race detector, and journeys log in a lot.
const journeyPassword = "journey-password"

var journeyHash = sync.OnceValues(func() (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(journeyPassword), bcrypt.MinCost)
	return string(h), err
})

// TestJourneys runs every journey on each store, one after the other: the
// WeChat library's API address is one per process (bot/wechat.go), so two
// apps with two stand-in platforms cannot run side by side.
func TestJourneys(t *testing.T) {
	journeys := loadJourneys(t)
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		for _, j := range journeys {
			t.Run(j.name, func(t *testing.T) {
				if o.redisURL != "" {
					// One Redis server for the run, emptied for each
					// journey: starting one costs more than a journey.
					u, err := redis.ParseURL(o.redisURL)
					if err != nil {
						t.Fatal(err)
					}
					c := redis.NewClient(u)
					err = c.FlushDB(context.Background()).Err()
					c.Close()
					if err != nil {
						t.Fatal(err)
					}
				}
				runJourney(t, o, j)
			})
		}
	})
}

// jrun is one journey running.
type jrun struct {
	t       *testing.T
	e       *env
	clock   *testClock
	who     string
	reply   string // the last passive reply
	said    []said // every inbound line, for the invariant
	matched map[int64]bool
	users   map[string]*browser
}

// said is one inbound line and what came of it.
type said struct {
	l       jline
	answer  bool // >: needs only a reply
	text    string
	mediaID string
	reply   string
}

func runJourney(t *testing.T, o envOptions, j journey) {
	clock := journeyStart()
	o.now = clock.Now
	o.followUp = j.followUp
	if j.template {
		// A template message carries a link to the case page, so it
		// needs jiefen's public address.
		o.templateID, o.publicURL = "tpl-journey-status", "https://jiefen.example.cn"
	}
	e := newEnv(t, o)
	r := &jrun{t: t, e: e, clock: clock, who: "oJourney_" + j.name, matched: map[int64]bool{}, users: map[string]*browser{}}
	for _, l := range j.lines {
		r.step(l)
	}
	r.invariant()
}

func (r *jrun) fail(l jline, format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("%s\n  %s\n  last reply: %q", l, fmt.Sprintf(format, args...), r.reply)
}

func (r *jrun) step(l jline) {
	r.t.Helper()
	arg := r.subst(l, l.arg)
	switch l.op {
	case ">", ">:":
		r.inbound(l, arg)
	case "<":
		for _, want := range fragments(arg) {
			if !strings.Contains(r.reply, want) {
				r.fail(l, "the reply lacks %q", want)
			}
		}
	case "<!":
		for _, bad := range fragments(arg) {
			if strings.Contains(r.reply, bad) {
				r.fail(l, "the reply contains %q", bad)
			}
		}
	case "<<":
		r.pushed(l, fragments(arg))
	case "=":
		r.act(l, arg)
	case "?":
		r.expect(l, arg)
	}
}

func fragments(s string) []string {
	var out []string
	for _, f := range strings.Split(s, " | ") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var caseRefRe = regexp.MustCompile(`\$(\d+|case)(\.seq)?`)

// subst replaces $1, $2 … ($case: the newest) by the citizen's case
// numbers, and $1.seq by a number's last digits.
func (r *jrun) subst(l jline, s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return caseRefRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := caseRefRe.FindStringSubmatch(m)
		k := r.caseRef(l, "$"+sub[1])
		if sub[2] != "" {
			_, seq, _ := strings.Cut(k.ID, "-")
			return seq
		}
		return k.ID
	})
}

// oldestFirst lists the citizen's cases in the order they were made.
func (r *jrun) oldestFirst() []dispute.Case {
	cs := r.e.cases(r.who)
	slices.SortStableFunc(cs, func(a, b dispute.Case) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return cs
}

// caseRef finds "$case" (the newest) or "$N" (the Nth made).
func (r *jrun) caseRef(l jline, ref string) dispute.Case {
	r.t.Helper()
	cs := r.oldestFirst()
	if len(cs) == 0 {
		r.fail(l, "the citizen has no case")
	}
	if ref == "$case" {
		return cs[len(cs)-1]
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(ref, "$"))
	if n < 1 || n > len(cs) {
		r.fail(l, "%s: the citizen has %d cases", ref, len(cs))
	}
	return cs[n-1]
}

// target takes an optional "$N" (by now a case number) off the front of args: the case a line is
// about, the newest by default.
func (r *jrun) target(l jline, args string) (dispute.Case, string) {
	r.t.Helper()
	first, rest, _ := strings.Cut(args, " ")
	if caseIDRe.FindString(first) == first && first != "" {
		// "$2", already replaced by its number
		for _, k := range r.oldestFirst() {
			if k.ID == first {
				return k, strings.TrimSpace(rest)
			}
		}
		r.fail(l, "%s is not the citizen's case", first)
	}
	return r.caseRef(l, "$case"), args
}

// inbound sends one citizen line through the callback.
func (r *jrun) inbound(l jline, arg string) {
	r.t.Helper()
	// A citizen takes a few seconds per message; it also keeps two equal
	// events (deduplicated by their second) apart.
	r.clock.advance(3 * time.Second)
	s := said{l: l, answer: l.op == ">:"}
	c := r.e.client
	var m *wxsim.Message
	mediaID := fmt.Sprintf("m%d", l.n)
	switch {
	case arg == "[voice]" || strings.HasPrefix(arg, "[voice:"):
		rec := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(arg, "[voice"), ":"), "]"))
		r.e.platform.AddMedia(mediaID, "audio/amr", []byte("#!AMR\n"+mediaID))
		m, s.mediaID, s.text = c.Voice(r.who, mediaID, rec), mediaID, rec
	case arg == "[image]":
		r.e.platform.AddMedia(mediaID, "image/png", []byte("\x89PNG\r\n\x1a\n"+mediaID))
		m, s.mediaID = c.Image(r.who, mediaID, "https://mmbiz.example/"+mediaID), mediaID
	case arg == "[subscribe]":
		m = c.Event(r.who, "subscribe", "")
	case strings.HasPrefix(arg, "[click "):
		m = c.Event(r.who, "CLICK", strings.TrimSuffix(strings.TrimPrefix(arg, "[click "), "]"))
	case strings.HasPrefix(arg, "["):
		r.fail(l, "unknown message kind")
	default:
		m, s.text = c.Text(r.who, arg), arg
	}
	r.e.platform.AddUser(r.who)
	rep, err := c.Deliver(context.Background(), m)
	if err != nil {
		r.fail(l, "delivery: %v", err)
	}
	r.reply, s.reply = rep.Content, rep.Content
	r.said = append(r.said, s)
}

// pushed waits for a message pushed to the citizen (customer-service text,
// or a template message: its fields and link) that no earlier << matched.
func (r *jrun) pushed(l jline, wants []string) {
	r.t.Helper()
	var seen []string
	ok := r.poll(func() bool {
		seen = seen[:0]
		for _, d := range r.e.platform.Deliveries(r.who) {
			if d.Passive || r.matched[d.Seq] {
				continue
			}
			text := deliveryText(d)
			seen = append(seen, text)
			if containsAll(text, wants) {
				r.matched[d.Seq] = true
				return true
			}
		}
		return false
	})
	if !ok {
		var waiting []string
		obs, _ := r.e.app.store.Outbounds(context.Background(), r.who)
		for _, o := range obs {
			if o.State != store.OutSent {
				waiting = append(waiting, fmt.Sprintf("%s %s not before %s (%s): %.40q", o.Kind, o.State,
					o.NotBefore.In(china).Format("01-02 15:04:05"), o.LastError, o.Text))
			}
		}
		r.fail(l, "no such message pushed; unmatched pushes so far: %q; queued, not sent: %q", seen, waiting)
	}
}

func deliveryText(d wxsim.Delivery) string {
	parts := []string{d.Text}
	keys := make([]string, 0, len(d.Data))
	for k := range d.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, d.Data[k])
	}
	return strings.Join(append(parts, d.URL), "\n")
}

func containsAll(s string, wants []string) bool {
	for _, w := range wants {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// poll waits for cond while the fake clock creeps on (testClock.moving):
// a send refused for a moment comes due again.
func (r *jrun) poll(cond func() bool) bool {
	cond = r.clock.moving(cond)
	deadline := time.Now().Add(journeyWait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

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
	if code := r.e.post(req); code != http.StatusOK && code != http.StatusAccepted {
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
	case "platform":
		f := strings.Fields(rest)
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
	}
	k, rest := r.target(l, rest)
	switch to, isStatus := journeyStatuses[verb]; {
	case isStatus && viaAPI:
		r.api(l, k, "status", map[string]string{"status": string(to), "note": rest})
	case isStatus:
		r.console(l, r.session(l, "mediator", k.Body), k, "status", url.Values{"status": {string(to)}, "note": {rest}})
	case verb == "reply" && viaAPI:
		r.api(l, k, "messages", map[string]string{"text": rest})
	case verb == "reply":
		r.console(l, r.session(l, "mediator", k.Body), k, "reply", url.Values{"text": {rest}})
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
		r.fail(l, "unknown action %q", verb)
	}
}

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

// invariant checks, once the outbound queue has settled, that nothing
// the citizen said was lost, that every question got an answer, and that
// every message queued for them reached them or visibly waits, on its
// case's thread. It names every breach.
func (r *jrun) invariant() {
	r.t.Helper()
	ctx := context.Background()
	st := r.e.app.store
	outbounds := func() []store.Outbound {
		obs, err := st.Outbounds(ctx, r.who)
		if err != nil {
			r.t.Fatal(err)
		}
		return obs
	}
	// Settled: nothing due still pending (an item scheduled for later,
	// such as a video reminder, is not due).
	due := func(o store.Outbound) bool {
		return o.State == store.OutPending && (o.Attempts > 0 || !o.NotBefore.After(r.clock.Now()))
	}
	r.poll(func() bool { return !slices.ContainsFunc(outbounds(), due) })

	var breaches []string
	breach := func(format string, args ...any) { breaches = append(breaches, fmt.Sprintf(format, args...)) }
	cases := r.oldestFirst()
	threads := map[string][]dispute.Event{}
	for _, k := range cases {
		threads[k.ID] = r.events(k.ID)
	}
	_, dlg, err := st.Conversation(ctx, r.who)
	if err != nil {
		r.t.Fatal(err)
	}
	kept := func(text, mediaID string) bool {
		if mediaID != "" && slices.ContainsFunc(dlg.Draft.Media, func(m string) bool { return strings.HasSuffix(m, ":"+mediaID) }) {
			return true
		}
		if text != "" && strings.Contains(dlg.Draft.Story, text) {
			return true
		}
		for _, k := range cases {
			if text != "" && strings.Contains(k.Story, text) {
				return true
			}
			for _, ev := range threads[k.ID] {
				if ev.Kind == dispute.MessageIn && (mediaID != "" && ev.MediaID == mediaID || text != "" && strings.Contains(ev.Text, text)) {
					return true
				}
			}
		}
		return false
	}
	for _, s := range r.said {
		switch {
		case s.answer && strings.TrimSpace(s.reply) == "":
			breach("no reply to %s", s.l)
		case !s.answer && !kept(s.text, s.mediaID):
			breach("lost: %s (on no case, in no story, not in the draft)", s.l)
		}
	}

	deliveries := r.e.platform.Deliveries(r.who)
	for _, o := range outbounds() {
		what := fmt.Sprintf("outbound #%d (%s, %s, case %q) %.60q", o.ID, o.Kind, o.State, o.CaseID, o.Text+o.MediaID)
		switch o.State {
		case store.OutSent:
			if !r.deliveredAs(o, deliveries) {
				breach("%s: marked sent via %q, but the platform has no such delivery", what, o.Via)
			}
		case store.OutHeld, store.OutFailed:
			if o.LastError == "" {
				breach("%s: %s without a reason", what, o.State)
			}
		default:
			if due(o) {
				breach("%s: never delivered (last error %q)", what, o.LastError)
			}
		}
		if o.Kind == store.OutFetchMedia {
			if !kept("", o.MediaID) {
				breach("%s: the media is on no case and in no draft", what)
			}
			continue
		}
		if !onThread(o, threads[o.CaseID]) {
			breach("%s: not on a case thread", what)
		}
	}
	if len(breaches) > 0 {
		r.t.Fatalf("invariant broken after the journey:\n  %s", strings.Join(breaches, "\n  "))
	}
}

// deliveredAs finds the platform's record of a sent item.
func (r *jrun) deliveredAs(o store.Outbound, deliveries []wxsim.Delivery) bool {
	switch o.Via {
	case "media":
		m, err := r.e.app.store.Media(context.Background(), o.MediaID)
		return err == nil && len(m.Data) > 0
	case "obsolete":
		return o.Kind == store.OutVideoReminder
	case "template":
		return slices.ContainsFunc(deliveries, func(d wxsim.Delivery) bool {
			return d.Kind == "template" && d.Data["keyword1"] == o.CaseID
		})
	}
	return slices.ContainsFunc(deliveries, func(d wxsim.Delivery) bool { return !d.Passive && d.Text == o.Text })
}

// onThread reports whether what an item tells the citizen is on its
// case's thread: the same words (a mediator's inside the heading the
// citizen sees; the overflow of a long reply inside that reply), or for a
// video reminder, the video mediation it reminds of.
func onThread(o store.Outbound, thread []dispute.Event) bool {
	for _, ev := range thread {
		if o.Kind == store.OutVideoReminder && ev.Kind == dispute.Video {
			return true
		}
		if ev.Text != "" && ev.Kind != dispute.MessageIn && (strings.Contains(o.Text, ev.Text) || strings.Contains(ev.Text, o.Text)) {
			return true
		}
	}
	return false
}
