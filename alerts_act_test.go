package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/handlers"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/wxsim"
)

// Acting on an alert, on both stores: the duty desk's system receives it
// signed ("kind":"alert", without phone numbers), and again when its level
// rises; the duty desk's API stream hears it; its staff see it on the 风险
// 预警 page, acknowledge and close it with a note (both audited), after
// which it is no longer open; each case page names the other cases.
func TestAlertsActedOn(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		const secret = "duty-desk-secret"
		var mu sync.Mutex
		var got []map[string]any
		desk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(r.Header.Get("X-Jiefen-Timestamp") + "." + string(body)))
			if r.Header.Get("X-Jiefen-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) || r.Header.Get("X-Jiefen-Delivery") == "" {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			if strings.Contains(string(body), "1381234") {
				t.Errorf("the alert webhook carries a phone number: %s", body)
			}
			var p map[string]any
			_ = json.Unmarshal(body, &p)
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
		}))
		defer desk.Close()
		t.Setenv("DUTY_WEBHOOK_SECRET", secret)
		table := strings.Replace(string(routing.BuiltinYAML()), "  - id: tonghua-duty\n",
			"  - id: tonghua-duty\n    webhook: {url: \""+desk.URL+"/alerts\", secret_env: DUTY_WEBHOOK_SECRET}\n", 1)
		o.routes = filepath.Join(t.TempDir(), "routes.yaml")
		if err := os.WriteFile(o.routes, []byte(table), 0o600); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, o)
		e.addUser("desk", store.RoleMediator, "tonghua-duty")
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		value, hash := handlers.NewToken()
		if err := e.app.store.PutToken(context.Background(), store.Token{Hash: hash, User: "desk"}); err != nil {
			t.Fatal(err)
		}
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.srv.URL, "http")+"/api/v1/stream",
			http.Header{"Authorization": {"Bearer " + value}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()

		var ids []string
		for i, story := range []string{"柳河县鑫达建筑欠我们工资三个月了", "我在柳河鑫达建筑干活，老板一直不给钱", "柳河县鑫达公司的工地拖欠农民工工资"} {
			ids = append(ids, e.intake(fmt.Sprint("oActed", i), story, "柳河县", fmt.Sprintf("1381234567%d", i)))
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var ev struct {
			Alert string `json:"alert"`
			Data  struct {
				Level string   `json:"level"`
				Cases []string `json:"cases"`
			} `json:"data"`
		}
		for ev.Alert == "" {
			if err := conn.ReadJSON(&ev); err != nil {
				t.Fatalf("no alert on the duty desk's stream: %v", err)
			}
		}
		if ev.Data.Level != "yellow" || len(ev.Data.Cases) != 3 {
			t.Fatalf("stream event %+v", ev)
		}
		eventually(t, "the alert at the duty desk's system", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
		mu.Lock()
		first := got[0]
		mu.Unlock()
		a, _ := first["alert"].(map[string]any)
		if first["kind"] != "alert" || a["level"] != "yellow" || a["id"] != ev.Alert || !strings.Contains(a["subject"].(string), "鑫达") {
			t.Fatalf("webhook %v", first)
		}
		e.say("oActed1", "再不给钱我们就去拉横幅堵路")
		eventually(t, "the red alert at the duty desk's system", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(got) == 2 && got[1]["alert"].(map[string]any)["level"] == "red"
		})

		// The case page of one body's mediator names the other cases.
		b := e.browser()
		b.login("liuhe", "password-liuhe")
		if code, page := b.get("/console/cases/" + ids[0]); code != http.StatusOK || !strings.Contains(page, "红色预警") ||
			!strings.Contains(page, ids[1]) || !strings.Contains(page, ids[2]) {
			t.Fatalf("case page %d lacks the alert's other cases", code)
		}
		if code, _ := b.get("/console/alerts"); code != http.StatusForbidden {
			t.Fatalf("a body's mediator opens the alerts page: %d", code)
		}

		d := e.browser()
		d.login("desk", "password-desk")
		code, page := d.get("/console/alerts")
		if code != http.StatusOK || !strings.Contains(page, "红色预警") || !strings.Contains(page, "拉横幅") || !strings.Contains(page, ids[2]) {
			t.Fatalf("alerts page %d:\n%s", code, page)
		}
		if strings.Contains(page, "1381234") || strings.Contains(page, "oActed") {
			t.Fatal("the alerts page shows personal data")
		}
		if code := d.post("/console/alerts/"+ev.Alert+"/acknowledge", url.Values{"csrf": {d.csrf}}); code != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", code)
		}
		if code := d.post("/console/alerts/"+ev.Alert+"/close", url.Values{"csrf": {d.csrf}, "note": {""}}); code != http.StatusBadRequest {
			t.Fatalf("close without a note: %d", code)
		}
		if code := d.post("/console/alerts/"+ev.Alert+"/close", url.Values{"csrf": {d.csrf}, "note": {"已约谈鑫达公司负责人，承诺本周内结清"}}); code != http.StatusSeeOther {
			t.Fatalf("close: %d", code)
		}
		if open := e.alerts(value, "open"); len(open) != 0 {
			t.Fatalf("open alerts after closing: %+v", open)
		}
		log, err := e.app.store.AuditLog(context.Background(), store.AuditFilter{User: "desk", Action: store.AuditChange})
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, l := range log {
			details = append(details, l.Detail)
		}
		if want := []string{"alert " + ev.Alert + " closed", "alert " + ev.Alert + " acknowledged"}; strings.Join(details, "|") != strings.Join(want, "|") {
			t.Fatalf("audit %v, want %v", details, want)
		}
	})
}

// A restart loses nothing: two complaints before it, one after, and the
// cluster is found from what the store kept.
func TestAlertsSurviveRestart(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		o.dir = t.TempDir()
		e := newEnv(t, o)
		e.intake("oRestart0", "锦江花园小区物业乱收费，停车费一年涨了两回", "东昌区", "13912340000")
		e.intake("oRestart1", "锦江花园的物业公司不干活光收钱", "东昌区", "13912340001")
		e.stop()
		e = newEnv(t, o)
		e.intake("oRestart2", "我家住锦江花园小区，物业费涨了也不开业主大会", "东昌区", "13912340002")
		if as := e.alerts(e.adminToken(), "open"); len(as) != 1 || len(as[0].Cases) != 3 {
			t.Fatalf("after a restart: %+v", as)
		}
	})
}
