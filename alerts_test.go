package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jiefen/internal/alertcorpus"
	"jiefen/store"
	"jiefen/wxsim"
)

// The risk early warning end to end: the corpus's streams filed by
// simulated citizens through the real callback (story, consent, region,
// phone, confirmation; later messages on the thread), on a clock that
// moves as the stream says, then GET /api/v1/alerts over HTTP: every
// planted group is one alert holding exactly its cases, at its level, and
// nothing else raises one. On both stores.
func TestAlertsEndToEnd(t *testing.T) {
	streams, err := alertcorpus.Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"sqlite", "redis"} {
		t.Run(backend, func(t *testing.T) {
			var total alertcorpus.Score
			for _, s := range streams {
				var mu sync.Mutex
				cur := s.Start
				o := envOptions{mode: wxsim.Safe, now: func() time.Time { mu.Lock(); defer mu.Unlock(); return cur }}
				if backend == "redis" {
					o.redisURL = startRedis(t).url()
				}
				e := newEnv(t, o)
				groups := map[string][]string{}
				for i, l := range s.Lines {
					mu.Lock()
					cur = s.Start.Add(l.At)
					mu.Unlock()
					who := "oAlert" + l.Citizen
					switch {
					case l.Type == "msg" || l.Region == "":
						e.say(who, l.Text)
					default:
						id := e.intake(who, l.Text, l.Region, fmt.Sprintf("139%08d", i))
						if l.Group != "-" {
							groups[l.Group] = append(groups[l.Group], id)
						}
					}
				}
				sc := alertcorpus.Grade(s, groups, e.alerts(e.adminToken(), "open"))
				for _, p := range sc.Problems {
					t.Errorf("%s: %s", s.Name, p)
				}
				if len(sc.Problems) > 0 {
					for g, ids := range groups {
						for _, id := range ids {
							k, _ := e.app.store.Case(context.Background(), id)
							t.Logf("group %s: %s %s %s %q", g, id, k.Type, k.Region, k.Story)
						}
					}
				}
				total.Add(sc)
			}
			t.Logf("%s, through the callback: %d groups, %d alerts; precision %.3f, recall %.3f, level right %d/%d",
				backend, total.Groups, total.Alerts, total.Precision(), total.Recall(), total.LevelRight, total.Found)
		})
	}
}

// intake runs a citizen through the whole conversation to a new case and
// returns its number: a citizen who has a case asks for a new one first.
func (e *env) intake(who, story, region, phone string) string {
	e.t.Helper()
	if len(e.cases(who)) > 0 {
		e.say(who, "新求助")
	}
	r := e.say(who, story)
	for range 8 {
		switch {
		case strings.Contains(r, "登记成功"):
			return caseIDRe.FindString(r)
		case strings.Contains(r, "回复 1"):
			r = e.say(who, "1")
		case strings.Contains(r, "1. 东昌区"):
			r = e.say(who, fmt.Sprint(slices.Index(e.app.table.City().Names(), region)+1))
		case strings.Contains(r, "联系电话"):
			r = e.say(who, phone)
		case strings.Contains(r, "同意"):
			r = e.say(who, "同意")
		default:
			e.t.Fatalf("%s: unexpected reply %q to %q", who, r, story)
		}
	}
	e.t.Fatalf("%s: no case for %q", who, story)
	return ""
}

// adminToken makes an admin with an API token.
func (e *env) adminToken() string {
	e.t.Helper()
	if _, err := e.app.store.User(context.Background(), "alert-admin"); err != nil {
		e.addUser("alert-admin", store.RoleAdmin, "")
	}
	return e.apiToken("alert-admin")
}

func (e *env) alerts(token, status string) []alertcorpus.Alert {
	e.t.Helper()
	return readAlerts(e.t, e.srv.URL, token, status)
}

// readAlerts is GET /api/v1/alerts?status= as an agency's script does it.
func readAlerts(t testing.TB, base, token, status string) []alertcorpus.Alert {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/alerts?status="+status, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Alerts []struct {
			ID        string   `json:"id"`
			Level     string   `json:"level"`
			Kind      string   `json:"kind"`
			Subject   string   `json:"subject"`
			Region    string   `json:"region"`
			Type      string   `json:"type"`
			Cases     []string `json:"cases"`
			Citizens  int      `json:"citizens"`
			OpenedAt  string   `json:"opened_at"`
			UpdatedAt string   `json:"updated_at"`
			Reasons   []string `json:"reasons"`
		} `json:"alerts"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/alerts: %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var as []alertcorpus.Alert
	for _, a := range out.Alerts {
		if a.ID == "" || a.Subject == "" || a.Citizens < 1 || a.OpenedAt == "" || a.UpdatedAt == "" || a.Type == "" {
			t.Errorf("alert missing contract fields: %+v", a)
		}
		as = append(as, alertcorpus.Alert{Level: a.Level, Kind: a.Kind, Subject: a.Subject, Cases: a.Cases, Reasons: a.Reasons})
	}
	return as
}

// Alerts are for admins and the duty desk: a mediator of another body
// gets 403, and the alert says no phone number.
func TestAlertsRights(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	for i, story := range []string{"通化鑫达建筑工程有限公司欠我们工资三个月了", "我在鑫达建筑干活，老板一直不给钱", "鑫达公司的工地拖欠农民工工资"} {
		e.intake(fmt.Sprint("oRights", i), "柳河县"+story, "柳河县", fmt.Sprintf("1391234567%d", i))
	}
	duty, _ := e.app.table.DutyDesk()
	e.addUser("desk", store.RoleMediator, duty.ID)
	e.addUser("other", store.RoleMediator, "lh-labor")
	as := e.alerts(e.apiToken("desk"), "open")
	if len(as) != 1 || as[0].Level != "yellow" || len(as[0].Cases) != 3 {
		t.Fatalf("the duty desk sees %+v", as)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/alerts", nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken("other"))
	if code := e.post(req); code != http.StatusForbidden {
		t.Fatalf("another body's mediator: %d, want 403", code)
	}
	req, _ = http.NewRequest("GET", e.srv.URL+"/api/v1/alerts?status=open", nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken("desk"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if body := string(b); err != nil || strings.Contains(body, "1391234567") || strings.Contains(body, "oRights") {
		t.Fatalf("an alert shows personal data (or cannot be read: %v): %s", err, body)
	}
}
