package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"jiefen/internal/testdate"
	"jiefen/store"
	"jiefen/wxsim"
)

// A video mediation scheduled for tomorrow queues its reminder for half an
// hour before it; what the mediator sends afterwards reaches the citizen
// now, in order, not after the reminder. The reminder still comes at its
// time. On both stores, on the test clock: the reminder is due on the next
// day whatever today's date. The mediator works through the API, whose
// tokens, unlike the console's session cookies, do not meet the real
// clock.
func TestVideoReminderDoesNotHoldBackReplies(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		clock := newTestClock("w0 Tue 10:00")
		o.now = clock.Now
		e := newEnv(t, o)
		e.addUser("liuhe", store.RoleMediator, "lh-labor")
		token := e.apiToken("liuhe")
		const who = "oCitizenVideoQueue"
		id := e.fileCase(who, "在柳河县装修队干活，工头欠我五千块")
		api := func(what, path, body string, want int) {
			t.Helper()
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/cases/"+id+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			if code := e.post(req); code != want {
				t.Fatalf("%s: %d", what, code)
			}
		}
		api("accept", "/status", `{"status":"accepted"}`, http.StatusOK)
		start := testdate.At("w0 Wed 10:00")
		room := "https://meet.example.cn/room/" + id
		api("video", "/video", `{"start_at":"`+start.Format(time.RFC3339)+`","url":"`+room+`"}`, http.StatusOK)
		eventually(t, "the video notice", clock.moving(e.delivered(who, room)))

		api("first message", "/messages", `{"text":"请准备好工资条和聊天记录"}`, http.StatusAccepted)
		api("second message", "/messages", `{"text":"另外请带上身份证"}`, http.StatusAccepted)
		// The clock creeps a tenth of a second a look, nowhere near the
		// reminder's time (tomorrow 09:30).
		eventually(t, "both messages now", clock.moving(func() bool {
			return e.sent(who, "工资条") == 1 && e.sent(who, "身份证") == 1
		}))
		if e.sent(who, "提醒：") != 0 {
			t.Fatal("the reminder went out a day early")
		}

		clock.set(start.Add(-30 * time.Minute))
		eventually(t, "the reminder at its time", clock.moving(e.delivered(who, "提醒：")))
		var order []string
		for _, d := range e.platform.Deliveries(who) {
			switch {
			case d.Passive:
			case strings.Contains(d.Text, "提醒："): // before the notice: it carries the link too
				order = append(order, "reminder")
			case strings.Contains(d.Text, room):
				order = append(order, "notice")
			case strings.Contains(d.Text, "工资条"):
				order = append(order, "first message")
			case strings.Contains(d.Text, "身份证"):
				order = append(order, "second message")
			}
		}
		if want := []string{"notice", "first message", "second message", "reminder"}; strings.Join(order, ", ") != strings.Join(want, ", ") {
			t.Fatalf("the citizen got %q, want %q", order, want)
		}
	})
}
