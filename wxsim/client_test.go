package wxsim

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
)

const (
	botToken   = "jiefentoken"
	botAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	botAppID   = "wx1234567890abcdef"
	botAccount = "gh_0123456789ab"
)

// silenceperBot is a bot built the way the project builds it: silenceper's
// officialaccount Server inside a net/http handler. It answers text with
// "收到：" + content, a subscribe event with a welcome, and nothing else.
func silenceperBot(t *testing.T, seen func(*message.MixMessage)) *httptest.Server {
	t.Helper()
	oa := officialaccount.NewOfficialAccount(&config.Config{AppID: botAppID, AppSecret: testSecret, Token: botToken, EncodingAESKey: botAESKey, Cache: newMapCache()})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := oa.GetServer(r, w)
		s.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			if seen != nil {
				seen(m)
			}
			switch {
			case m.MsgType == message.MsgTypeText:
				return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText("收到：" + m.Content)}
			case m.Event == message.EventSubscribe:
				return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText("欢迎")}
			}
			return nil
		})
		if err := s.Serve(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if s.ResponseMsg != nil {
			_ = s.Send()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newClient(url string, mode Mode, p *Platform) *Client {
	return &Client{URL: url, Token: botToken, AESKey: botAESKey, AppID: botAppID, AccountID: botAccount, Mode: mode, Platform: p, HTTP: &http.Client{}}
}

func TestRoundTripWithSilenceper(t *testing.T) {
	for _, mode := range []Mode{Plain, Compatible, Safe} {
		t.Run(mode.String(), func(t *testing.T) {
			var mu sync.Mutex
			var got []*message.MixMessage
			bot := silenceperBot(t, func(m *message.MixMessage) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, m)
			})
			p := NewPlatform(botAppID, testSecret)
			c := newClient(bot.URL+"/wx", mode, p)
			ctx := context.Background()
			if err := c.Verify(ctx); err != nil {
				t.Fatalf("Verify: %v", err)
			}

			msg := c.Text("oCitizen1", "邻居装修噪音 <a&b> ]]> end")
			rep, err := c.Deliver(ctx, msg)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if rep.Status != 200 || rep.MsgType != "text" || rep.Content != "收到："+msg.Content {
				t.Errorf("reply = %+v", rep)
			}
			if rep.Encrypted != (mode != Plain) {
				t.Errorf("Encrypted = %v in %s mode", rep.Encrypted, mode)
			}
			if rep.ToUserName != "oCitizen1" || rep.FromUserName != botAccount {
				t.Errorf("reply addressed %s -> %s", rep.FromUserName, rep.ToUserName)
			}
			mu.Lock()
			if len(got) != 1 || got[0].MsgID != msg.MsgID || got[0].Content != msg.Content || string(got[0].FromUserName) != "oCitizen1" || string(got[0].ToUserName) != botAccount || got[0].CreateTime != msg.CreateTime {
				t.Errorf("bot saw %+v", got)
			}
			mu.Unlock()

			if left, _ := p.WindowLeft("oCitizen1"); left != MessageQuota {
				t.Errorf("window after a message: %d", left)
			}
			if d := p.Deliveries("oCitizen1"); len(d) != 1 || !d[0].Passive || d[0].Text != rep.Content {
				t.Errorf("passive reply not recorded: %+v", d)
			}

			// A nil reply: "success" in plain mode, an empty body otherwise.
			rep, err = c.Deliver(ctx, c.Voice("oCitizen1", "MEDIA1", ""))
			if err != nil || rep.MsgType != "" {
				t.Errorf("voice: %+v, %v", rep, err)
			}
			if mode == Plain && string(rep.Raw) != "success" {
				t.Errorf("plain nil reply body %q", rep.Raw)
			}

			rep, err = c.Deliver(ctx, c.Event("oCitizen2", "subscribe", ""))
			if err != nil || rep.Content != "欢迎" {
				t.Errorf("subscribe: %+v, %v", rep, err)
			}
			if left, _ := p.WindowLeft("oCitizen2"); left != EventQuota {
				t.Errorf("window after follow: %d", left)
			}
			if _, err := c.Deliver(ctx, c.Image("oCitizen1", "IMG1", "http://mmbiz.example/pic")); err != nil {
				t.Errorf("image: %v", err)
			}
			if _, err := c.Deliver(ctx, c.Event("oCitizen1", "CLICK", "COMPLAIN")); err != nil {
				t.Errorf("click: %v", err)
			}
			mu.Lock()
			if n := len(got); n != 5 || got[3].PicURL != "http://mmbiz.example/pic" || got[3].MediaID != "IMG1" || got[4].EventKey != "COMPLAIN" || got[1].MediaID != "MEDIA1" || got[1].Format != "amr" {
				t.Errorf("bot saw %d messages: %+v", n, got)
			}
			mu.Unlock()
		})
	}
}

func TestRequestShape(t *testing.T) {
	c := newClient("http://bot.example/wx?tenant=1", Plain, nil)
	m := c.Text("oX", "hello")
	for _, mode := range []Mode{Plain, Compatible, Safe} {
		c.Mode = mode
		req, err := c.Request(m)
		if err != nil {
			t.Fatal(err)
		}
		q := req.URL.Query()
		if q.Get("tenant") != "1" || q.Get("openid") != "oX" {
			t.Errorf("%s: query %v", mode, q)
		}
		if q.Get("signature") != Sign(botToken, q.Get("timestamp"), q.Get("nonce")) {
			t.Errorf("%s: bad signature", mode)
		}
		body, _ := io.ReadAll(req.Body)
		var x struct {
			ToUserName, FromUserName, Content, Encrypt string
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			t.Fatalf("%s: body %s: %v", mode, body, err)
		}
		switch mode {
		case Plain:
			if x.Encrypt != "" || x.Content != "hello" || q.Has("encrypt_type") || q.Has("msg_signature") {
				t.Errorf("plain body %s query %v", body, q)
			}
		case Compatible, Safe:
			if q.Get("encrypt_type") != "aes" || q.Get("msg_signature") != Sign(botToken, q.Get("timestamp"), q.Get("nonce"), x.Encrypt) {
				t.Errorf("%s: encrypted query %v", mode, q)
			}
			plain, appID, _, err := Decrypt(botAESKey, x.Encrypt)
			if err != nil || appID != botAppID || string(plain) != string(m.XML()) {
				t.Errorf("%s: Encrypt holds %q %q %v", mode, plain, appID, err)
			}
			if x.ToUserName != botAccount {
				t.Errorf("%s: ToUserName %q", mode, x.ToUserName)
			}
			if hasPlain := x.Content != "" || x.FromUserName != ""; hasPlain != (mode == Compatible) {
				t.Errorf("%s: body %s", mode, body)
			}
		}
	}
	a, b := c.Text("oX", "1"), c.Text("oX", "2")
	if b.MsgID <= a.MsgID || c.Event("oX", "subscribe", "").MsgID != 0 {
		t.Error("MsgIds not increasing, or an event has one")
	}
}

// A tampered request is refused by a silenceper bot: the test fixture the
// negative tests of the real bot will use.
func TestTamperedRequests(t *testing.T) {
	bot := silenceperBot(t, nil)
	c := newClient(bot.URL, Safe, nil)
	tamper := []struct {
		name string
		edit func(*http.Request)
	}{
		{"bad signature", func(r *http.Request) {
			q := r.URL.Query()
			q.Set("signature", strings.Repeat("0", 40))
			r.URL.RawQuery = q.Encode()
		}},
		{"bad msg_signature", func(r *http.Request) {
			q := r.URL.Query()
			q.Set("msg_signature", strings.Repeat("0", 40))
			r.URL.RawQuery = q.Encode()
		}},
		{"malformed XML", func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("<xml><Encrypt>"))
			r.ContentLength = -1
		}},
	}
	for _, tc := range tamper {
		req, err := c.Request(c.Text("oX", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", tc.name, resp.StatusCode)
		}
	}
}

// rawBot answers every push with the body that reply builds from the
// decrypted request.
func rawBot(t *testing.T, reply func(m *message.MixMessage, q map[string]string) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env struct{ Encrypt string }
		_ = xml.Unmarshal(body, &env)
		plain := body
		if env.Encrypt != "" {
			plain, _, _, _ = Decrypt(botAESKey, env.Encrypt)
		}
		var m message.MixMessage
		_ = xml.Unmarshal(plain, &m)
		q := map[string]string{"timestamp": r.URL.Query().Get("timestamp"), "nonce": r.URL.Query().Get("nonce")}
		_, _ = io.WriteString(w, reply(&m, q))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func textReply(to, from, content string) string {
	return "<xml><ToUserName><![CDATA[" + to + "]]></ToUserName><FromUserName><![CDATA[" + from + "]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + content + "]]></Content></xml>"
}

func envelope(token, appID, inner, ts, nonce string, badSig bool) string {
	enc, _ := Encrypt(botAESKey, appID, nil, []byte(inner))
	sig := Sign(token, ts, nonce, enc)
	if badSig {
		sig = Sign(token, ts, nonce+"1", enc)
	}
	return "<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt><MsgSignature><![CDATA[" + sig + "]]></MsgSignature><TimeStamp>" + ts + "</TimeStamp><Nonce><![CDATA[" + nonce + "]]></Nonce></xml>"
}

func TestClientChecksReplies(t *testing.T) {
	cases := []struct {
		name  string
		mode  Mode
		reply func(m *message.MixMessage, q map[string]string) string
		ok    bool
	}{
		{"good encrypted", Safe, func(m *message.MixMessage, q map[string]string) string {
			return envelope(botToken, botAppID, textReply(string(m.FromUserName), string(m.ToUserName), "ok"), q["timestamp"], q["nonce"], false)
		}, true},
		{"bad reply signature", Safe, func(m *message.MixMessage, q map[string]string) string {
			return envelope(botToken, botAppID, textReply(string(m.FromUserName), string(m.ToUserName), "ok"), q["timestamp"], q["nonce"], true)
		}, false},
		{"wrong AppID inside", Safe, func(m *message.MixMessage, q map[string]string) string {
			return envelope(botToken, "wxsomeoneelse", textReply(string(m.FromUserName), string(m.ToUserName), "ok"), q["timestamp"], q["nonce"], false)
		}, false},
		{"plaintext in safe mode", Safe, func(m *message.MixMessage, q map[string]string) string {
			return textReply(string(m.FromUserName), string(m.ToUserName), "ok")
		}, false},
		{"plaintext in compatible mode", Compatible, func(m *message.MixMessage, q map[string]string) string {
			return textReply(string(m.FromUserName), string(m.ToUserName), "ok")
		}, true},
		{"names not swapped", Plain, func(m *message.MixMessage, q map[string]string) string {
			return textReply(string(m.ToUserName), string(m.FromUserName), "ok")
		}, false},
		{"unknown reply type", Plain, func(m *message.MixMessage, q map[string]string) string {
			return strings.Replace(textReply(string(m.FromUserName), string(m.ToUserName), "ok"), "[text]", "[event]", 1)
		}, false},
		{"JSON instead of XML", Plain, func(m *message.MixMessage, q map[string]string) string {
			return `{"msg":"ok"}`
		}, false},
		{"success", Safe, func(m *message.MixMessage, q map[string]string) string { return "success" }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(rawBot(t, tc.reply).URL, tc.mode, nil)
			_, err := c.Send(context.Background(), c.Text("oX", "hi"))
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestDeliverRetriesLikeThePlatform(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var ids []int64
	var ts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		var m message.MixMessage
		_ = xml.Unmarshal(body, &m)
		mu.Lock()
		ids = append(ids, m.MsgID)
		ts = append(ts, r.URL.Query().Get("nonce"))
		mu.Unlock()
		switch n {
		case 1:
			time.Sleep(300 * time.Millisecond) // longer than the attempt timeout
		case 2:
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			_, _ = io.WriteString(w, textReply(string(m.FromUserName), string(m.ToUserName), "第三次"))
		}
	}))
	defer srv.Close()
	p := NewPlatform(botAppID, testSecret)
	c := newClient(srv.URL, Plain, p)
	c.Timeout = 100 * time.Millisecond
	m := c.Text("oX", "hi")
	rep, err := c.Deliver(context.Background(), m)
	if err != nil || rep.Content != "第三次" {
		t.Fatalf("Deliver = %+v, %v", rep, err)
	}
	mu.Lock()
	if len(ids) != 3 || ids[0] != m.MsgID || ids[1] != m.MsgID || ids[2] != m.MsgID || ts[0] == ts[1] {
		t.Errorf("attempts carried MsgIds %v nonces %v", ids, ts)
	}
	mu.Unlock()
	// The message opened the window once, whatever the attempts.
	if left, _ := p.WindowLeft("oX"); left != MessageQuota {
		t.Errorf("window = %d", left)
	}

	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer dead.Close()
	c2 := newClient(dead.URL, Plain, p)
	_, err = c2.Deliver(context.Background(), c2.Text("oY", "hi"))
	var se *StatusError
	if err == nil || !errors.As(err, &se) || se.Status != http.StatusBadGateway || strings.Count(err.Error(), "attempt") != 3 {
		t.Errorf("Deliver to a failing bot: %v", err)
	}
	// The citizen did write: the platform grants the window on their
	// message, before (and whatever) the bot answers.
	if left, _ := p.WindowLeft("oY"); left != MessageQuota {
		t.Errorf("a message the bot failed to answer opened a window of %d", left)
	}
}

func TestResendOpensWindowOnce(t *testing.T) {
	bot := silenceperBot(t, nil)
	f := newFixture(t)
	c := newClient(bot.URL, Safe, f.p)
	c.Now = f.clock.Now
	m := c.Text("oZ", "first")
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	tok := f.classic()
	if got := f.sendText(tok, "oZ", "客服 1"); got != 0 {
		t.Fatal(got)
	}
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.p.WindowLeft("oZ"); left != MessageQuota-1 {
		t.Errorf("identical resend reopened the window: left %d", left)
	}
	if strconv.FormatInt(m.CreateTime, 10) != strconv.FormatInt(f.clock.Now().Unix(), 10) {
		t.Error("CreateTime not from the injected clock")
	}
	// An unsubscribe takes effect even when the bot does not answer.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer down.Close()
	c.URL = down.URL
	_, _ = c.Send(context.Background(), c.Event("oZ", "unsubscribe", ""))
	if got := f.sendText(tok, "oZ", "x"); got != 45015 {
		t.Errorf("after unsubscribe: %d", got)
	}
}

func TestVerifyRejectsWrongEcho(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "success")
	}))
	defer srv.Close()
	c := newClient(srv.URL, Plain, nil)
	if err := c.Verify(context.Background()); err == nil {
		t.Error("Verify accepted a wrong echo")
	}
	bot := silenceperBot(t, nil)
	c.URL = bot.URL
	c.Token = "other"
	if err := c.Verify(context.Background()); err == nil {
		t.Error("Verify passed with the wrong token")
	}
}
