package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"jiefen/handlers"
	"jiefen/store"
	"jiefen/wxsim"
)

// A stream keeps no more access than a new request would get: an API
// stream opened by a mediator closes within seconds once the mediator is
// moved to another body, and never delivers a case of the old body filed
// after the move.
func TestStreamClosesWhenUserMoved(t *testing.T) {
	e := newEnv(t, envOptions{mode: wxsim.Safe})
	e.addUser("liuhe", store.RoleMediator, "lh-labor")
	value, hash := handlers.NewToken()
	ctx := context.Background()
	if err := e.app.store.PutToken(ctx, store.Token{Hash: hash, User: "liuhe"}); err != nil {
		t.Fatal(err)
	}
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/stream"
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Authorization": {"Bearer " + value}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The stream works: the body's new case arrives.
	first := e.fileCase("oStreamMoved1", "在柳河县的砖厂干活，工资拖了半年不给")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev struct {
		Case string `json:"case"`
	}
	for ev.Case != first {
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("no event for the body's case: %v", err)
		}
	}

	u, err := e.app.store.User(ctx, "liuhe")
	if err != nil {
		t.Fatal(err)
	}
	u.Body = "dc-mediation"
	if err := e.app.store.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	moved := time.Now()
	after := e.fileCase("oStreamMoved2", "在柳河县物流公司干了一年，辞职后最后一个月工资不给")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the stream stayed open %s after its user moved to another body", time.Since(moved).Round(time.Second))
			}
			break // closed
		}
		if err := json.Unmarshal(msg, &ev); err == nil && ev.Case == after {
			t.Fatalf("a case of the old body filed after the move reached the moved user: %s", msg)
		}
	}
	if d := time.Since(moved); d > 8*time.Second {
		t.Fatalf("the stream closed only %s after the move", d)
	}
}
