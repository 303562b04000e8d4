package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"jiefen/store/sqlite"
	"jiefen/wxsim"
)

// The fuzz targets run for a bounded time in scripts/test (go test -fuzz);
// as plain tests they run their seeds. Each builds its jiefen once, outside
// the fuzzed function, and sends every input through the real callback.

// FuzzCallback: whatever comes to the callback (any body, signed or not,
// plaintext, compatible or safe mode), the answer is one of its statuses,
// never a panic or a 5xx; a wrong signature is 403; a refused callback
// stores nothing (the remembered nonce of a signed plaintext URL aside:
// that is what refuses its replays); an accepted one gets "success" or a
// reply.
func FuzzCallback(f *testing.F) {
	c := &wxsim.Client{AccountID: "gh_jiefentest"}
	for i, m := range []*wxsim.Message{
		c.Text("oFuzzSeed", "老板拖欠工资三个月，一共一万二"),
		c.Text("oFuzzSeed", "进度"),
		c.Event("oFuzzSeed", "subscribe", ""),
		c.Event("oFuzzSeed", "CLICK", "MENU_PROGRESS"),
		{ToUserName: "gh_jiefentest", FromUserName: "oFuzzSeed", CreateTime: 1, MsgType: "voice", MediaID: "m1", Recognition: "我要投诉"},
		{ToUserName: "gh_jiefentest", FromUserName: "oFuzzSeed", CreateTime: 1, MsgType: "image", MediaID: "m2", PicURL: "http://x/y.jpg", MsgID: 7},
		{ToUserName: "gh_jiefentest", FromUserName: "", CreateTime: 1, MsgType: "text", Content: "没有发送者", MsgID: 8},
	} {
		if i > 2 {
			f.Add(uint8(i%3), uint8(0), m.XML())
			continue
		}
		// Each message in one mode and one way; the fuzzer goes on from
		// there (a corpus of every combination made each run's first
		// pass, which runs them all, too slow for its time budget).
		for _, mh := range [][2]uint8{{0, 0}, {2, 0}, {1, 0}, {uint8(i % 3), uint8(1 + i%3)}} {
			f.Add(mh[0], mh[1], m.XML())
		}
	}
	for _, b := range []string{"", "<xml>", "<xml><Encrypt></Encrypt></xml>", "not xml", `{"ToUserName":"x"}`,
		"<!DOCTYPE x [<!ENTITY a SYSTEM \"file:///etc/passwd\">]><xml><Content>&a;</Content></xml>",
		"<xml><MsgType>text</MsgType><FromUserName>o</FromUserName><MsgId>-1</MsgId><CreateTime>99999999999999999999</CreateTime></xml>"} {
		f.Add(uint8(0), uint8(1), []byte(b))
		f.Add(uint8(2), uint8(1), []byte(b))
	}
	// Two jiefens: one in plaintext mode, one with an EncodingAESKey,
	// which is all compatible and safe mode differ in on jiefen's side.
	plain, encrypted := newEnv(f, envOptions{mode: wxsim.Plain}), newEnv(f, envOptions{mode: wxsim.Safe})
	counts := map[*env]*sql.DB{}
	var countQuery string
	for _, e := range []*env{plain, encrypted} {
		// Only read, though not opened read-only: with mode=ro each count
		// took about 400 ms on this WAL database (20 times the fuzzing).
		db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { db.Close() })
		counts[e] = db
		countQuery = rowCounts(f, db)
	}
	f.Fuzz(func(t *testing.T, mode, how uint8, body []byte) {
		m := wxsim.Mode(mode % 3)
		e := encrypted
		if m == wxsim.Plain {
			e = plain
		}
		how %= 4
		req := fuzzRequest(t, e.client, m, how, body)
		before := storedRows(t, counts[e], countQuery)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var answer bytes.Buffer
		_, _ = answer.ReadFrom(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			if answer.Len() == 0 {
				t.Fatal("accepted without an answer")
			}
			if how == 2 || how == 3 && m != wxsim.Plain {
				t.Fatalf("accepted a wrongly signed or encrypted callback (how %d)", how)
			}
			return
		case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusConflict:
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, answer.String())
		}
		if how == 2 && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a wrong signature got %d, want 403", resp.StatusCode)
		}
		if after := storedRows(t, counts[e], countQuery); after != before {
			t.Fatalf("refused with %d, yet stored: %s → %s", resp.StatusCode, before, after)
		}
	})
}

// fuzzRequest builds a callback carrying body: how 0 as the platform
// would (signed, and encrypted in the encrypted modes), 1 the body as is
// under a valid signature, 2 with a wrong signature, 3 encrypted for
// another account (in plaintext mode, as 0).
func fuzzRequest(t *testing.T, c *wxsim.Client, m wxsim.Mode, how uint8, body []byte) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nc := strconv.FormatInt(fuzzNonce.Add(1), 10) + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	sig := wxsim.Sign(c.Token, ts, nc)
	if how == 2 {
		sig = wxsim.Sign("not-the-token", ts, nc)
	}
	q := "signature=" + sig + "&timestamp=" + ts + "&nonce=" + nc + "&openid=oFuzz"
	payload := body
	if m != wxsim.Plain && how != 1 {
		appID := c.AppID
		if how == 3 {
			appID = "wxanotheraccount"
		}
		enc, err := wxsim.Encrypt(c.AESKey, appID, nil, body)
		if err != nil {
			t.Fatal(err)
		}
		q += "&encrypt_type=aes&msg_signature=" + wxsim.Sign(c.Token, ts, nc, enc)
		fields := "<ToUserName><![CDATA[gh_jiefentest]]></ToUserName>"
		if m == wxsim.Compatible {
			// The plaintext fields beside <Encrypt>, which jiefen must ignore.
			fields = strings.TrimSuffix(strings.TrimPrefix(string(body), "<xml>"), "</xml>")
		}
		payload = []byte("<xml>" + fields + "<Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
	} else if m != wxsim.Plain {
		q += "&encrypt_type=aes&msg_signature=" + wxsim.Sign(c.Token, ts, nc, string(body))
	}
	req, err := http.NewRequest(http.MethodPost, c.URL+"?"+q, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	return req
}

var fuzzNonce atomic.Int64

// rowCounts is the query storedRows runs: the number of rows of every
// table but the nonces' (and the search index's internals, which follow
// the cases), in one statement.
func rowCounts(t testing.TB, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT IN ('nonces', 'schema_version') AND name NOT LIKE 'search%' AND name NOT LIKE 'sqlite_%'
		ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, `'`+n+`=' || (SELECT count(*) FROM "`+n+`")`)
	}
	return `SELECT ` + strings.Join(parts, ` || ' ' || `)
}

// storedRows is what a refused callback must not change.
func storedRows(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), query).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzChat: whatever a citizen writes, in two messages, the chat answers
// each (a 200 with a text), and never fails or panics. Each input is a new
// citizen, so each starts from the beginning of the conversation.
func FuzzChat(f *testing.F) {
	for _, s := range [][2]string{
		{"帮助", "进度"}, {"进度", "撤回"}, {"撤回 0008", "撤回JF20261206-0008"}, {"人工", "同意"},
		{"新求助", "取消"}, {"老板拖欠工资三个月，一共一万二", "同意"}, {"同意", "不同意"},
		{"邻居天天半夜装修，吵得没法睡", "1"}, {"13812345678", "跳过"}, {"有人要打我，快来", "110"},
		{" ", "\u3000"}, {"撤回撤回撤回", "１２３"}, {"]]><xml>", "<![CDATA["}, {"😀😀", "a"},
		{strings.Repeat("物业不修电梯。", 400), "进度"}, {"help", "HELP"}, {"5", "0"},
	} {
		f.Add(s[0], s[1])
	}
	e := newEnv(f, envOptions{mode: wxsim.Safe})
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, first, second string) {
		for _, s := range []string{first, second} {
			if !xmlText(s) {
				t.Skip("not text the platform can carry")
			}
		}
		who := fmt.Sprintf("oFuzzChat%d_%d", time.Now().UnixNano(), n.Add(1))
		e.platform.AddUser(who)
		for i, s := range []string{first, second} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			rep, err := e.client.Send(ctx, e.client.Text(who, s))
			cancel()
			if err != nil {
				t.Fatalf("message %d (%q): %v", i+1, s, err)
			}
			if strings.TrimSpace(rep.Content) == "" {
				t.Fatalf("message %d (%q): no answer", i+1, s)
			}
		}
	})
}

// xmlText reports whether s can be a message's text: valid UTF-8 holding
// only characters XML allows.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r < 0xE000 {
			return false
		}
	}
	return true
}
