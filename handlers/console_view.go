package handlers

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"jiefen/deadline"
	"jiefen/dispute"
	"jiefen/store"
	"jiefen/workflow"
)

var chinaTime = time.FixedZone("CST", 8*3600)

var templateFuncs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(chinaTime).Format("01-02 15:04")
	},
	"typeName":    func(t dispute.Type) string { return t.Name() },
	"statusName":  func(s dispute.Status) string { return s.Name() },
	"auditWhen":   auditWhen,
	"auditDetail": auditDetail,
}

// render executes a template; a failure here is a programming error, and
// what was written so far is all the user gets.
func (c *Web) render(w http.ResponseWriter, code int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Content-Security-Policy") == "" { // a page may set its own (the citizen's, with the JS-SDK)
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if err := c.tpl.ExecuteTemplate(w, name, data); err != nil {
		c.Log.Error("template", "name", name, "err", err)
	}
}

// fail answers an error without showing its text unless it is meant for
// the user: it may name internals.
// The page keeps the console's layout and says what to do next: back to
// the case (the form's changes are not lost from it: nothing was done), or
// to the queue.
func (c *Web) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg, ok := userError(err)
	if !ok {
		c.Log.Error("console", "path", r.URL.Path, "err", err)
		code, msg = http.StatusInternalServerError, "服务暂时出了问题，请稍后再试。"
	}
	u := current(r)
	caseID := r.PathValue("id")
	if code == http.StatusNotFound {
		caseID = "" // nothing to go back to
	}
	c.render(w, code, "error.html", map[string]any{"User": u, "BodyName": c.bodyName(u.Body), "Msg": msg, "Case": caseID})
}

func (c *Web) failJSON(w http.ResponseWriter, err error) {
	code, msg, ok := userError(err)
	if !ok {
		c.Log.Error("api", "err", err)
		code, msg = http.StatusInternalServerError, "internal error"
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

// userError is the status and message of an error meant for the user: a
// workflow refusal, a page's own, or the audit log being unavailable.
func userError(err error) (int, string, bool) {
	var refused *workflow.Error
	var he httpError
	switch {
	case errors.As(err, &refused):
		return refusalStatus[refused.Kind], refused.Msg, true
	case errors.As(err, &he):
		return he.code, he.msg, true
	case errors.Is(err, errUnaccounted):
		return http.StatusServiceUnavailable, "暂时无法打开，请稍后再试。", true
	}
	return 0, "", false
}

var refusalStatus = map[workflow.Kind]int{workflow.Invalid: http.StatusBadRequest, workflow.Forbidden: http.StatusForbidden,
	workflow.NotFound: http.StatusNotFound, workflow.Conflict: http.StatusConflict}

// httpError is an error whose message is meant for the user.
type httpError struct {
	code int
	msg  string
}

func (e httpError) Error() string { return e.msg }

// caseRow is a case as the queue shows it.
type caseRow struct {
	dispute.Case
	BodyName string
	Deadline *deadlineView // the running deadline; nil when none runs
	Overdue  bool          // past it
	attention
}

// attention is what in a thread waits for a person of the body, or for
// the citizen.
type attention struct {
	PersonAsked    bool // the citizen asked for a person (人工) and nobody has written or moved the case since
	AfterEnd       bool // the citizen wrote after the case ended, and nobody has answered
	WaitingCitizen bool // a mediator wrote last, and the citizen has not answered yet
}

// Needs reports whether the row goes to the top of the queue.
func (a attention) Needs() bool { return a.PersonAsked || a.AfterEnd }

func attentionOf(events []dispute.Event) attention {
	var a attention
	ended := false
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.Actor, "user:") && (e.Kind == dispute.MessageOut || e.Kind == dispute.StatusSet):
			a = attention{WaitingCitizen: e.Kind == dispute.MessageOut}
			ended = e.Kind == dispute.StatusSet && !e.Status.Open()
		case e.Kind == dispute.StatusSet:
			ended = !e.Status.Open()
		case e.Kind == dispute.PersonAsked:
			a.PersonAsked = true
		case e.Kind == dispute.MessageIn:
			a.WaitingCitizen = false
			a.AfterEnd = a.AfterEnd || ended
		}
	}
	return a
}

// attentionKinds are the only events attentionOf looks at: the threads
// the queue reads are cut to them.
var attentionKinds = []dispute.EventKind{dispute.MessageIn, dispute.MessageOut, dispute.StatusSet, dispute.PersonAsked}

// needsThread reports whether a case's thread may set attention flags: it
// is open, or ended lately. The long tail of old cases is not read.
func needsThread(k dispute.Case, now time.Time) bool {
	return workflow.TakesWords(k, now) // a citizen's word after that starts anew
}

// rowsOf is the cases as their queue rows show them: the running deadline
// from the case records, and what waits for a person from the threads of
// the cases whose flags could be set, read in one call.
func (c *pages) rowsOf(ctx context.Context, cases []dispute.Case, now time.Time) ([]caseRow, error) {
	var ids []string
	for _, k := range cases {
		if needsThread(k, now) {
			ids = append(ids, k.ID)
		}
	}
	threads, err := c.Store.Threads(ctx, ids, attentionKinds...)
	if err != nil {
		return nil, err
	}
	rows := make([]caseRow, len(cases))
	for i, k := range cases {
		rows[i] = c.row(k, storedDeadline(k, now))
		rows[i].attention = attentionOf(threads[k.ID])
	}
	return rows, nil
}

// rowOf is one case as its queue row shows it (rowsOf).
func (c *pages) rowOf(ctx context.Context, k dispute.Case, now time.Time) (caseRow, error) {
	rows, err := c.rowsOf(ctx, []dispute.Case{k}, now)
	if err != nil {
		return caseRow{}, err
	}
	return rows[0], nil
}

// rowFrom is the row of a case whose thread is at hand (the case page):
// its deadline as the thread says it.
func (c *pages) rowFrom(k dispute.Case, events []dispute.Event, now time.Time) caseRow {
	r := c.row(k, c.deadlineFrom(k, events, now))
	r.attention = attentionOf(events)
	return r
}

func (c *pages) row(k dispute.Case, d *deadlineView) caseRow {
	r := caseRow{Case: k, BodyName: k.Body, Deadline: d, Overdue: d != nil && d.Overdue}
	if b, ok := c.Table.Body(k.Body); ok {
		r.BodyName = b.Name
	}
	return r
}

// eventView is one entry of a thread as people read it.
type eventView struct {
	dispute.Event
	Who   string
	Class string
	// Delivery is what became of an outgoing message (markDelivery); ""
	// for the passive reply to the citizen's message, and for the rest.
	Delivery      string
	DeliveryClass string
	RetryID       int64 // the failed queue item a retry sends again; 0: none
}

// actorName names who wrote an event; person names a console user.
func actorName(actor string, person func(string) string) string {
	switch {
	case actor == "citizen":
		return "市民"
	case actor == "bot":
		return "解纷助手"
	case actor == "system":
		return "系统"
	case strings.HasPrefix(actor, "user:"):
		return person(strings.TrimPrefix(actor, "user:"))
	}
	return actor
}

func (c *Web) viewEvents(events []dispute.Event) []eventView {
	out := make([]eventView, len(events))
	for i, e := range events {
		v := eventView{Event: e, Who: actorName(e.Actor, c.personName)}
		switch {
		case e.Kind == dispute.Note:
			v.Class = "note"
		case e.Kind == dispute.PersonAsked:
			v.Class = "note attention"
		case e.Kind == dispute.Retyped:
			v.Class = "status"
			if old, to, ok := strings.Cut(e.Text, " "); ok {
				v.Text = "类型更正：" + dispute.Type(old).Name() + " → " + dispute.Type(to).Name()
			}
		case e.Kind == dispute.StatusSet:
			v.Class = "status"
			if e.Text == "" {
				v.Text = "状态：" + e.Status.Name()
			} else {
				v.Text = "状态：" + e.Status.Name() + "（" + e.Text + "）"
			}
		case e.Kind == dispute.Extended:
			v.Class = "status"
			if days, reason, ok := deadline.ParseExtension(e.Text); ok {
				v.Text = fmt.Sprintf("调解期限延长 %d 天（%s）", days, reason)
			}
		case e.Kind == dispute.Reminder:
			v.Class = "status reminder"
		case e.Kind == dispute.Escalated:
			v.Class = "status escalated"
		case e.Kind == dispute.MessageIn, e.Kind == dispute.FollowUp && e.Actor == "citizen":
			v.Class = "in"
		case strings.HasPrefix(e.Actor, "user:"):
			v.Class = "out mediator"
		default:
			v.Class = "out"
		}
		out[i] = v
	}
	return out
}

// windowText says what the platform still lets the console send.
func (c *pages) windowText(cit dispute.Citizen, now time.Time, subscribed bool) (string, bool) {
	if n := cit.Remaining(now); n > 0 {
		left := cit.WindowUntil.Sub(now)
		if left >= time.Hour {
			return fmt.Sprintf("还可发送 %d 条，窗口剩余 %d 小时", n, int(left.Hours())), true
		}
		return fmt.Sprintf("还可发送 %d 条，窗口剩余 %d 分钟", n, int(left.Minutes())+1), true
	}
	if subscribed {
		return "微信客服窗口已关闭：市民订阅了进展通知，回复会以订阅通知送达，市民点开案件页即可看到全文。", false
	}
	if c.TemplateLinks {
		return "微信客服窗口已关闭：回复会以模板消息通知市民，市民点开案件页即可看到全文。", false
	}
	return "微信客服窗口已关闭：回复会保存，并在市民下次留言时送达。", false
}

// subscribed reports whether the citizen holds a consent to one of the
// subscription notices jiefen sends (a long-term one, or a one-time one
// not used yet); a store that cannot say counts as no.
func (c *pages) subscribed(ctx context.Context, openID string) bool {
	if len(c.SubscribeTemplates) == 0 {
		return false
	}
	subs, err := c.Store.Subscriptions(ctx, openID)
	if err != nil {
		return false
	}
	for _, s := range subs {
		if s.Usable() && slices.Contains(c.SubscribeTemplates, s.TemplateID) {
			return true
		}
	}
	return false
}

// personal shows a case's contact details to its own body (and the duty
// desk on urgent cases); others see them masked.
func (c *Web) personal(u store.User, k dispute.Case) (phone, openID string) {
	duty, isDuty := c.Table.DutyDesk()
	if u.Body != "" && (k.Body == u.Body || (k.Urgent && isDuty && u.Body == duty.ID)) {
		return k.Phone, k.OpenID
	}
	phone = "未留"
	if k.Phone != "" {
		phone = maskedPhone(k.Phone)
	}
	return phone, maskedOpenID(k.OpenID)
}
