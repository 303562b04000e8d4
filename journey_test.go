package main

// Journey tests: whole conversations, written as transcripts in
// testdata/journeys/*.txt (the format is in testdata/journeys/README.md),
// run through the real callback in safe mode against both stores, each on
// a fake clock, and each followed by one invariant: nothing the citizen
// said is lost, every question got an answer, and everything queued for
// them reached them or visibly waits, on its case's thread.

import (
	"context"
	"fmt"
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

	"jiefen/bot"
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
	name      string
	lines     []jline
	template  bool          // = option template
	subscribe string        // = option subscribe long|once: a subscription-notice template of that kind
	followUp  time.Duration // = option followup
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
				case len(f) == 3 && f[1] == "subscribe" && (f[2] == "long" || f[2] == "once"):
					j.subscribe = f[2]
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
	if j.subscribe != "" {
		// A notice, too, links to the case page.
		o.subscribe = []bot.SubscribeTemplate{{ID: journeySubscribeTemplate, Long: j.subscribe == "long",
			CaseField: bot.DefaultSubscribeCaseField, TextField: bot.DefaultSubscribeTextField}}
		o.publicURL = "https://jiefen.example.cn"
	}
	e := newEnv(t, o)
	r := &jrun{t: t, e: e, clock: clock, who: "oJourney_" + j.name, matched: map[int64]bool{}, users: map[string]*browser{}}
	for _, l := range j.lines {
		r.step(l)
	}
	r.invariant()
}

// journeySubscribeTemplate is the subscription-notice template of "= option subscribe".
const journeySubscribeTemplate = "tpl-journey-notice"

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
