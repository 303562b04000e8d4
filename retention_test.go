package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiefen/handlers"
	"jiefen/retention"
	"jiefen/store"
	"jiefen/wxsim"
)

// When the retention period has run out after a case ended, its personal
// data are gone from the console and the API, the statistics still count
// it, and the audit log says so; a case still within the period keeps
// everything.
func TestRetentionAnonymisesEndedCases(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		e.addUser("admin", store.RoleAdmin, "")
		const who, story = "oRetentionCitizen", "我在柳河县工地干了三个月，老板拖欠工资一万二"
		e.say(who, story)
		e.say(who, "同意")
		e.say(who, "13912345678")
		id := caseIDRe.FindString(e.say(who, "1"))
		kept := e.fileCase("oRetentionOther", "在柳河县的饭店打工，老板两个月没给开工资")

		med := e.browser()
		med.login("liuhe", "password-liuhe")
		med.get("/console/cases/" + id)
		for _, st := range []string{"accepted", "resolved"} {
			if code := med.post("/console/cases/"+id+"/status", url.Values{"status": {st}, "csrf": {med.csrf}}); code != http.StatusSeeOther {
				t.Fatalf("status %s: %d", st, code)
			}
		}
		mustContain(t, e.say(who, "5"), "谢谢您的评价")
		admin := e.browser()
		admin.login("admin", "password-admin")
		_, before := admin.get("/console/stats")

		ctx := context.Background()
		at := func(d time.Duration) *retention.Worker {
			w := *e.app.retention
			w.Now = func() time.Time { return time.Now().Add(d) }
			return &w
		}
		if n, err := at(retention.DefaultPeriod - time.Hour).Tick(ctx); err != nil || n != 0 {
			t.Fatalf("Tick within the period = %d, %v; want nothing anonymised", n, err)
		}
		if _, page := med.get("/console/cases/" + id); !strings.Contains(page, "13912345678") || !strings.Contains(page, "一万二") {
			t.Fatal("the personal data went before the period ran out")
		}
		late := at(retention.DefaultPeriod + time.Hour)
		if n, err := late.Tick(ctx); err != nil || n != 1 {
			t.Fatalf("Tick after the period = %d, %v; want the ended case anonymised", n, err)
		}
		if n, err := late.Tick(ctx); err != nil || n != 0 {
			t.Fatalf("Tick again = %d, %v; want nothing more", n, err)
		}

		code, page := med.get("/console/cases/" + id)
		if code != http.StatusOK {
			t.Fatalf("the anonymised case page: %d", code)
		}
		for _, gone := range []string{"13912345678", "一万二", "拖欠工资", who} {
			if strings.Contains(page, gone) {
				t.Errorf("the anonymised case page still shows %q", gone)
			}
		}
		mustContain(t, page, "按保存期限删除", "调解成功")
		if _, page := med.get("/console/cases/" + kept); !strings.Contains(page, "两个月没给开工资") {
			t.Error("the open case lost its story")
		}
		// Nothing can be written to it any more: what was written would be
		// personal data no later run removes.
		for path, form := range map[string]url.Values{
			"reply":  {"text": {"您好"}},
			"note":   {"text": {"市民电话 13912345678"}},
			"status": {"status": {"mediating"}},
		} {
			form.Set("csrf", med.csrf)
			if code := med.post("/console/cases/"+id+"/"+path, form); code != http.StatusConflict {
				t.Errorf("%s on an anonymised case: %d, want 409", path, code)
			}
		}

		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(ctx, store.Token{Hash: hash, User: "liuhe"}); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cases/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct {
			Story, Phone, OpenID, Summary, Status string
			Anonymized                            string `json:"anonymized_at"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Story != "" || got.Phone != "" || got.OpenID != "" ||
			got.Summary != "" || got.Status != "resolved" || got.Anonymized == "" || strings.Contains(string(body), "一万二") {
			t.Errorf("the API's anonymised case: %s (%v)", body, err)
		}

		// The statistics count it as before: one resolved case, rated 5.
		_, after := admin.get("/console/stats")
		for _, v := range []string{`id="total">`, `id="resolved">`, `id="rated">`, `id="rating-mean">`} {
			if val(before, v) != val(after, v) || val(after, v) == "" {
				t.Errorf("statistics %s: %q before, %q after", v, val(before, v), val(after, v))
			}
		}
		if val(after, `id="resolved">`) != "1" || val(after, `id="rating-mean">`) != "5.00" {
			t.Errorf("statistics after: resolved %q, mean rating %q", val(after, `id="resolved">`), val(after, `id="rating-mean">`))
		}

		_, log := admin.get("/console/audit?action=redact")
		if l := auditLines(log); len(l) != 1 || l[0].caseID != id || l[0].user != "system" || l[0].detail != "retention 1095d" {
			t.Errorf("the audit log of anonymisations: %+v", l)
		}
	})
}

// val is the text after marker up to the next tag.
func val(page, marker string) string {
	_, rest, ok := strings.Cut(page, marker)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "<")
	return v
}

func TestRetentionConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for v, want := range map[string]time.Duration{"": 1095 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "8760h": 8760 * time.Hour} {
		c, err := loadConfig(env("JIEFEN_RETENTION", v))
		if err != nil || c.Retention != want {
			t.Errorf("JIEFEN_RETENTION=%q: %v, %v; want %v", v, c.Retention, err, want)
		}
	}
	for _, v := range []string{"1095", "3y", "2h", "-5d", "0d"} {
		if _, err := loadConfig(env("JIEFEN_RETENTION", v)); err == nil || !strings.Contains(err.Error(), "JIEFEN_RETENTION") {
			t.Errorf("JIEFEN_RETENTION=%q: %v, want a refusal naming the variable", v, err)
		}
	}
}
