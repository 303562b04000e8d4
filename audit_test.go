package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/handlers"
	"jiefen/store"
	"jiefen/store/sqlite"
	"jiefen/wxsim"
)

// auditRowRe reads the audit page's rows: time, user, role, action, case,
// detail, address.
var auditRowRe = regexp.MustCompile(`(?s)<tr class="audit-entry" data-id="(\d+)">\s*<td>([^<]*)</td><td(?: title="[^"]*")?>([^<]*)</td><td>([^<]*)</td>\s*<td data-action="([^"]*)">[^<]*</td>\s*<td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>\s*<td>([^<]*)</td><td>([^<]*)</td>`)

type auditLine struct{ id, user, action, caseID, detail, addr string }

func auditLines(page string) []auditLine {
	var out []auditLine
	for _, m := range auditRowRe.FindAllStringSubmatch(page, -1) {
		out = append(out, auditLine{id: m[1], user: m[3], action: m[5], caseID: m[6], detail: m[7], addr: m[8]})
	}
	return out
}

func hasLine(lines []auditLine, user, action, caseID, detail string) bool {
	for _, l := range lines {
		if l.user == user && l.action == action && l.caseID == caseID && l.detail == detail {
			return true
		}
	}
	return false
}

// What a mediator does is in the audit log, once, with no personal data;
// only admins read the log, with filters and paging.
func TestAuditLog(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		e.addUser("lead", store.RoleSupervisor, "lh-labor")
		e.addUser("admin", store.RoleAdmin, "")
		const who = "oAuditCitizen1"
		id := e.fileCase(who, "在柳河县的饭店打工，老板两个月没给开工资")

		med := e.browser()
		if code := med.login("liuhe", "wrong-password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", code)
		}
		if code := e.browser().login("13912345678", "password-liuhe"); code != http.StatusUnauthorized {
			t.Fatalf("unknown name: %d", code)
		}
		med.login("liuhe", "password-liuhe")
		if code, _ := med.get("/console/cases/" + id); code != http.StatusOK {
			t.Fatalf("case page: %d", code)
		}
		for range 3 { // the live refresh of the open page
			med.get("/console/cases/" + id + "/thread")
			med.get("/console/cases/" + id + "/row")
		}
		const secretReply = "您好，我是调解员小王，明天上午打您电话"
		if code := med.post("/console/cases/"+id+"/reply", url.Values{"text": {secretReply}, "csrf": {med.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("reply: %d", code)
		}
		if code := med.post("/console/cases/"+id+"/status", url.Values{"status": {"accepted"}, "note": {"已电话联系"}, "csrf": {med.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("status: %d", code)
		}
		// A refused action is no action.
		if code := med.post("/console/cases/"+id+"/status", url.Values{"status": {"received"}, "csrf": {med.csrf}}); code != http.StatusBadRequest {
			t.Fatalf("a status that cannot be set: %d", code)
		}

		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: "liuhe"}); err != nil {
			t.Fatal(err)
		}
		api := func(method, path, body string) int {
			req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+value)
			return e.post(req)
		}
		if code := api("GET", "/api/v1/cases/"+id, ""); code != http.StatusOK {
			t.Fatalf("API case: %d", code)
		}
		if code := api("POST", "/api/v1/cases/"+id+"/messages", `{"text":"API 发来的消息"}`); code != http.StatusAccepted {
			t.Fatalf("API message: %d", code)
		}

		lead := e.browser()
		lead.login("lead", "password-lead")
		if code, _ := lead.get("/console/stats.csv?from=2026-01-01&to=2026-01-31"); code != http.StatusOK {
			t.Fatalf("export: %d", code)
		}
		// The live thread read without the page (by a script, say) is a
		// view too, recorded once however often it is read.
		for range 3 {
			if code, _ := lead.get("/console/cases/" + id + "/thread"); code != http.StatusOK {
				t.Fatalf("thread: %d", code)
			}
		}
		if code := med.post("/console/logout", url.Values{"csrf": {med.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("logout: %d", code)
		}

		// Only admins read the log; the console links it for them only.
		for _, u := range []struct {
			b    *browser
			name string
		}{{med, "liuhe"}, {lead, "lead"}} {
			b := u.b
			b.login(u.name, "password-"+u.name)
			if code, _ := b.get("/console/audit"); code != http.StatusForbidden {
				t.Fatalf("a non-admin got %d for the audit log", code)
			}
			if _, q := b.get("/console/"); strings.Contains(q, "/console/audit") {
				t.Fatal("the console links the audit log for a non-admin")
			}
		}
		admin := e.browser()
		admin.login("admin", "password-admin")
		if _, q := admin.get("/console/"); !strings.Contains(q, `href="/console/audit"`) {
			t.Fatal("no link to the audit log for the admin")
		}
		code, page := admin.get("/console/audit?user=liuhe")
		if code != http.StatusOK {
			t.Fatalf("audit page: %d", code)
		}
		lines := auditLines(page)
		for _, w := range []struct{ action, caseID, detail string }{
			{store.AuditLoginFailed, "", ""},
			{store.AuditLogin, "", ""},
			{store.AuditView, id, "案件页"},
			{store.AuditSend, id, "回复市民"},
			{store.AuditChange, id, "改状态 已受理"},
			{store.AuditView, id, "接口：查看案件"},
			{store.AuditSend, id, "接口：发消息"},
			{store.AuditLogout, "", ""},
		} {
			if !hasLine(lines, "liuhe", w.action, w.caseID, w.detail) {
				t.Errorf("no entry %+v for liuhe in %+v", w, lines)
			}
		}
		views := 0
		for _, l := range lines {
			if l.action == store.AuditView && l.detail == "案件页" {
				views++
			}
			if l.addr != "127.0.0.1" {
				t.Errorf("entry %+v: address %q, want 127.0.0.1", l, l.addr)
			}
			if l.action == store.AuditChange && strings.HasPrefix(l.detail, "改状态") && l.detail != "改状态 已受理" {
				t.Errorf("a refused status change was recorded: %+v", l)
			}
		}
		if views != 1 {
			t.Errorf("%d case-page views recorded, want 1 (the refreshes are not views)", views)
		}
		_, all := admin.get("/console/audit")
		for _, secret := range []string{secretReply, "API 发来的消息", "已电话联系", who, "13912345678"} {
			if strings.Contains(all, secret) {
				t.Errorf("the audit log shows %q", secret)
			}
		}
		threadViews := 0
		for _, l := range auditLines(all) {
			if l.user == "lead" && l.action == store.AuditView && l.caseID == id && l.detail == "案件记录" {
				threadViews++
			}
		}
		if threadViews != 1 {
			t.Errorf("%d recorded reads of the thread alone, want 1", threadViews)
		}
		if l := auditLines(all); !hasLine(l, "（未知用户）", store.AuditLoginFailed, "", "无此用户") ||
			!hasLine(l, "lead", store.AuditExport, "", "导出统计 2026-01-01..2026-01-31") {
			t.Errorf("the failed login of an unknown name or the export is missing: %+v", l)
		}

		// Filters: by action, by case, by dates.
		_, page = admin.get("/console/audit?action=send")
		if l := auditLines(page); len(l) != 2 || l[0].detail != "接口：发消息" || l[1].detail != "回复市民" {
			t.Errorf("action=send: %+v, want the API message then the reply", l)
		}
		_, page = admin.get("/console/audit?case=" + id)
		for _, l := range auditLines(page) {
			if l.caseID != id {
				t.Errorf("case=%s lists %+v", id, l)
			}
		}
		today := time.Now().In(time.FixedZone("CST", 8*3600))
		_, page = admin.get("/console/audit?from=" + today.AddDate(0, 0, -3).Format("2006-01-02") + "&to=" + today.AddDate(0, 0, -1).Format("2006-01-02"))
		if l := auditLines(page); len(l) != 0 {
			t.Errorf("a period before today lists %+v", l)
		}
		if code, _ := admin.get("/console/audit?from=2026-02-02&to=2026-02-01"); code != http.StatusBadRequest {
			t.Errorf("a period that ends before it starts: %d", code)
		}

		// Paging: 130 more entries make two pages of 100 and a third.
		for i := range 130 {
			if err := e.app.store.AppendAudit(context.Background(), store.AuditEntry{At: time.Now(), User: "bulk", Role: store.RoleMediator,
				Action: store.AuditView, CaseID: fmt.Sprintf("JF20260101-%04d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		next := "/console/audit?user=bulk"
		pages := 0
		for next != "" {
			_, page := admin.get(next)
			pages++
			for _, l := range auditLines(page) {
				if seen[l.caseID] {
					t.Fatalf("page %d repeats %s", pages, l.caseID)
				}
				seen[l.caseID] = true
			}
			next = ""
			if m := regexp.MustCompile(`id="older" href="([^"]+)"`).FindStringSubmatch(page); m != nil {
				next = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if pages != 2 || len(seen) != 130 {
			t.Errorf("paging: %d pages, %d entries; want 2 and 130", pages, len(seen))
		}
	})
}

// A view the audit log cannot record is refused; an action it cannot
// record still happens, and is logged as a warning.
func TestUnrecordedViewRefused(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Plain})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	const who = "oAuditCitizen2"
	e.say(who, "我在柳河县工地干了三个月，老板拖欠工资")
	e.say(who, "同意")
	e.say(who, "13912345678")
	id := caseIDRe.FindString(e.say(who, "1"))
	b := e.browser()
	b.login("liuhe", "password-liuhe")
	b.get("/console/")

	// Break the audit table in the database itself.
	db, err := sql.Open("sqlite", filepath.Join(e.dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER audit_broken BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`); err != nil {
		t.Fatal(err)
	}
	code, page := b.get("/console/cases/" + id)
	if code != http.StatusServiceUnavailable || strings.Contains(page, "13912345678") || strings.Contains(page, "拖欠工资") {
		t.Fatalf("an unrecorded view: %d %q", code, page)
	}
	// An action and its audit entry are one transaction: with no entry,
	// no reply is stored or sent.
	if code := b.post("/console/cases/"+id+"/reply", url.Values{"text": {"您好，已收到"}, "csrf": {b.csrf}}); code < 500 {
		t.Fatalf("reply while the log is broken: %d", code)
	}
	if n := countEvents(t, e, id, dispute.MessageOut); n != 1 { // the bot's confirmation only
		t.Fatalf("an unaudited reply is on the thread (%d messages out)", n)
	}

	if _, err := db.Exec(`DROP TRIGGER audit_broken`); err != nil {
		t.Fatal(err)
	}
	if code := b.post("/console/cases/"+id+"/reply", url.Values{"text": {"您好，已收到"}, "csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("reply once the log works again: %d", code)
	}
	eventually(t, "the reply to reach WeChat", e.delivered(who, "已收到"))
	if code, page := b.get("/console/cases/" + id); code != http.StatusOK || !strings.Contains(page, "13912345678") {
		t.Fatalf("the case page once the log works again: %d", code)
	}
}
