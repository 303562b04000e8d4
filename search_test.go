package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// Search through the API and the console queue: by number, its last
// digits, phone and words of the story and of the thread, each user
// finding only what they may see, and a phone number telling another body
// nothing.
func TestSearch(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	e.addUser("dongchang", store.RoleMediator, "dc-mediation")
	e.addUser("admin", store.RoleAdmin, "")
	const who = "oSearchCitizen1"
	e.say(who, "我在柳河县物流公司干了三个月，老板拖欠工资八千元")
	e.say(who, "同意")
	e.say(who, "13912345678")
	id := caseIDRe.FindString(e.say(who, "1"))
	if id == "" {
		t.Fatal("no case filed")
	}
	k, err := e.app.store.Case(context.Background(), id)
	if err != nil || k.Phone != "13912345678" || k.Body != "lh-labor" {
		t.Fatalf("case %+v, %v: the test needs lh-labor's case with the phone", k, err)
	}

	token := func(user string) string {
		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: user}); err != nil {
			t.Fatal(err)
		}
		return value
	}
	search := func(tok, q string) []string {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/cases?q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("search %q: %d", q, resp.StatusCode)
		}
		var out struct {
			Cases []struct {
				ID string `json:"id"`
			} `json:"cases"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range out.Cases {
			ids = append(ids, c.ID)
		}
		return ids
	}
	lh, dc, admin := token("liuhe"), token("dongchang"), token("admin")
	found := func(tok, q string, want bool) {
		t.Helper()
		ids := search(tok, q)
		if got := len(ids) == 1 && ids[0] == id; got != want || (!want && len(ids) > 0) {
			t.Errorf("search %q = %v, want case %s found: %v", q, ids, id, want)
		}
	}
	last := id[len(id)-4:]
	for _, q := range []string{id, last, "13912345678", "5678", "拖欠工资", "物流公司"} {
		found(lh, q, true)
	}
	found(lh, "搬家公司", false)
	// Another body finds nothing of it, not even by its phone number.
	for _, q := range []string{id, last, "13912345678", "工资"} {
		found(dc, q, false)
	}
	// An admin sees every case, its phone number masked: found by its
	// number and words, not by its phone.
	found(admin, id, true)
	found(admin, "工资", true)
	found(admin, "13912345678", false)

	// A mediator's reply on the thread is found as soon as it is stored.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+id+"/messages", strings.NewReader(`{"text":"请带上劳动合同和考勤记录"}`))
	req.Header.Set("Authorization", "Bearer "+lh)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	found(lh, "考勤记录", true)

	// The console queue's search box.
	b := e.browser()
	if code := b.login("liuhe", "password-liuhe"); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	_, page := b.get("/console/?q=" + url.QueryEscape("考勤"))
	mustContain(t, page, id, `name="q" value="考勤"`)
	_, page = b.get("/console/?q=" + last)
	mustContain(t, page, id)
	_, page = b.get("/console/?q=" + url.QueryEscape("搬家公司"))
	if strings.Contains(page, id) || !strings.Contains(page, "暂无案件") {
		t.Errorf("a search matching nothing still lists the case")
	}
	d := e.browser()
	d.login("dongchang", "password-dongchang")
	if _, page := d.get("/console/?q=13912345678"); strings.Contains(page, id) {
		t.Errorf("another body's queue finds the case by its phone number")
	}
}
