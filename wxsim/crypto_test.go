package wxsim

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// The vectors below are Tencent's own (notes/wechat.md §6). Each is checked
// with this package's crypto and with silenceper's util, so the stand-in and
// the bot's library are shown to agree with the platform and each other.

const officialKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// Vector A: fixed-random encryption (Java WXBizMsgCryptTest).
func TestVectorAFixedRandomEncryption(t *testing.T) {
	const appID = "wxb11529c136998cb6"
	random := []byte("aaaabbbbccccdddd")
	cases := []struct{ msg, cipher string }{
		{"我是中文abcd123", "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="},
		{`<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>`,
			"jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"},
	}
	key, err := base64.StdEncoding.DecodeString(officialKey + "=")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		got, err := Encrypt(officialKey, appID, random, []byte(c.msg))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.cipher {
			t.Errorf("msg%d: own Encrypt = %s, want %s", i+1, got, c.cipher)
		}
		lib := base64.StdEncoding.EncodeToString(util.AESEncryptMsg(random, []byte(c.msg), appID, key))
		if lib != c.cipher {
			t.Errorf("msg%d: util.AESEncryptMsg = %s, want %s", i+1, lib, c.cipher)
		}
		libEnc, err := util.EncryptMsg(random, []byte(c.msg), appID, officialKey)
		if err != nil || string(libEnc) != c.cipher {
			t.Errorf("msg%d: util.EncryptMsg = %s, %v", i+1, libEnc, err)
		}
		msg, gotApp, gotRandom, err := Decrypt(officialKey, c.cipher)
		if err != nil || string(msg) != c.msg || gotApp != appID || !bytes.Equal(gotRandom, random) {
			t.Errorf("msg%d: own Decrypt = %q, %q, %q, %v", i+1, msg, gotApp, gotRandom, err)
		}
		_, libMsg, err := util.DecryptMsg(appID, c.cipher, officialKey)
		if err != nil || string(libMsg) != c.msg {
			t.Errorf("msg%d: util.DecryptMsg = %q, %v", i+1, libMsg, err)
		}
	}
}

// Vector C: a compatible-mode push (Python Sample.py).
const (
	vecCToken     = "spamtest"
	vecCAppID     = "wx2c2769f8efd9abc2"
	vecCTimestamp = "1409735669"
	vecCNonce     = "1320562132"
	vecCMsgSig    = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	vecCSig       = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
	vecCEncrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	vecCPlain     = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>"
)

func TestVectorCCompatiblePush(t *testing.T) {
	if got := Sign(vecCToken, vecCTimestamp, vecCNonce); got != vecCSig {
		t.Errorf("own URL signature = %s, want %s", got, vecCSig)
	}
	if got := util.Signature(vecCToken, vecCTimestamp, vecCNonce); got != vecCSig {
		t.Errorf("util URL signature = %s, want %s", got, vecCSig)
	}
	if got := Sign(vecCToken, vecCTimestamp, vecCNonce, vecCEncrypt); got != vecCMsgSig {
		t.Errorf("own msg_signature = %s, want %s", got, vecCMsgSig)
	}
	if got := util.Signature(vecCToken, vecCTimestamp, vecCNonce, vecCEncrypt); got != vecCMsgSig {
		t.Errorf("util msg_signature = %s, want %s", got, vecCMsgSig)
	}
	msg, appID, _, err := Decrypt(officialKey, vecCEncrypt)
	if err != nil || string(msg) != vecCPlain || appID != vecCAppID {
		t.Errorf("own Decrypt = %q, %q, %v", msg, appID, err)
	}
	_, libMsg, err := util.DecryptMsg(vecCAppID, vecCEncrypt, officialKey)
	if err != nil || string(libMsg) != vecCPlain {
		t.Errorf("util.DecryptMsg = %q, %v", libMsg, err)
	}
	// Our Message renders the same plaintext as the platform did.
	m := &Message{ToUserName: "gh_10f6c3c3ac5a", FromUserName: "oyORnuP8q7ou2gfYjqLzSIWZf0rs", CreateTime: 1409735668, MsgType: "text", Content: "abcdteT", MsgID: 6054768590064713728}
	if got := string(m.XML()); got != vecCPlain {
		t.Errorf("Message.XML =\n%q\nwant\n%q", got, vecCPlain)
	}
}

// The official compatible-mode request goes through silenceper's Server
// unchanged, which shows the fixture is a real push.
func TestVectorCThroughSilenceperServer(t *testing.T) {
	oa := officialaccount.NewOfficialAccount(&config.Config{AppID: vecCAppID, AppSecret: "s", Token: vecCToken, EncodingAESKey: officialKey, Cache: newMapCache()})
	var got *message.MixMessage
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			got = m
			return nil
		})
		if err := srv.Serve(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[` + vecCEncrypt + `]]></Encrypt></xml>`
	q := "timestamp=" + vecCTimestamp + "&nonce=" + vecCNonce + "&encrypt_type=aes&msg_signature=" + vecCMsgSig + "&signature=" + vecCSig
	req := httptest.NewRequest(http.MethodPost, "/wx?"+q, strings.NewReader(body))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got == nil || got.MsgID != 6054768590064713728 || got.Content != "abcdteT" || string(got.FromUserName) != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" {
		t.Fatalf("silenceper got %+v", got)
	}
}

// Vector D: safe-mode decrypt (C++ Sample.cpp).
func TestVectorDSafeDecrypt(t *testing.T) {
	const (
		ts      = "1410349438"
		nonce   = "298025754"
		msgSig  = "003fee52ecc56afb46c00b5c7721be87860ce785"
		encrypt = "mfBCs65c67CeJw22u4VT2TD73q5H06+ocrAIxswCaeZ/d/Lw0msSZFHY0teqgSYiI1zR2gD2DKrB3TIrmX/liNSDrGqS8jSI/WPeKB5VPr7Ezr7gomZAyGCwJSgT1TRFWPfONGJMxuj2nk4faTuspAuVIFQ6SHwZuJBZC7mcJp7Cgr9cUhATQWDbOPaE7ukZBTV2YqyzH+UI2AK+J1S47cE79k1RX8t0hcTz/O0hlK8DGXKnvYv88qKQcI7z4iaajqHfRVZKBNyOODabs+It+ZfM3dWTeFcPgDbGtIEnpt/EDtuuA/zMvtkaKdHdswPnVZQ+xdwbYr3ldGvfT8HlEYEgkgKaThxTFobVlwzu2ZkXCjicbP3xdr15Iq48ObgzPpqYuZ3IEoyggZDKClquk0u0orMck4GTF/XyE8yGzc4="
		plain   = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1410349438</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6057404712141979648</MsgId>\n</xml>"
	)
	if Sign(vecCToken, ts, nonce, encrypt) != msgSig || util.Signature(vecCToken, ts, nonce, encrypt) != msgSig {
		t.Error("msg_signature mismatch")
	}
	msg, appID, _, err := Decrypt(officialKey, encrypt)
	if err != nil || string(msg) != plain || appID != vecCAppID {
		t.Errorf("own Decrypt = %q, %q, %v", msg, appID, err)
	}
	_, libMsg, err := util.DecryptMsg(vecCAppID, encrypt, officialKey)
	if err != nil || string(libMsg) != plain {
		t.Errorf("util.DecryptMsg = %q, %v", libMsg, err)
	}
}

// Vector E: the current official docs example, all-zero key.
func TestVectorEOfficialDocs(t *testing.T) {
	const (
		token   = "AAAAA"
		key     = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		appID   = "wx134c8103faa5a59e"
		encrypt = "D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg=="
		plain   = "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>\n<CreateTime>1715943329</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[debug_demo]]></Event>\n<debug_str><![CDATA[hello world]]></debug_str>\n</xml>"

		replyRandom = "999951349e8ee746"
		replyMsg    = "<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>"
		replyCipher = "hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7"
	)
	sigs := []struct {
		name  string
		parts []string
		want  string
	}{
		{"push msg_signature", []string{token, "1715943329", "1590219412", encrypt}, "6c12a4205838198b8fa631b3220723bb07f1015c"},
		{"push URL signature", []string{token, "1715943329", "1590219412"}, "cc0c594499c1634947d5b502f158ee518947db27"},
		{"reply msg_signature", []string{token, "1713424427", "415670741", replyCipher}, "03e0812039325c2712ef5f0f980fd14c70d6e307"},
		{"URL verification", []string{token, "1714036504", "1514711492"}, "f464b24fc39322e44b38aa78f5edd27bd1441696"},
		{"plaintext push", []string{token, "1714037059", "486452656"}, "899cf89e464efb63f54ddac96b0a0a235f53aa78"},
	}
	for _, s := range sigs {
		if got := Sign(s.parts...); got != s.want {
			t.Errorf("%s: own = %s, want %s", s.name, got, s.want)
		}
		if got := util.Signature(s.parts...); got != s.want {
			t.Errorf("%s: util = %s, want %s", s.name, got, s.want)
		}
	}
	msg, gotApp, _, err := Decrypt(key, encrypt)
	if err != nil || string(msg) != plain || gotApp != appID || len(msg) != 292 {
		t.Errorf("own Decrypt = %q (%d bytes), %q, %v", msg, len(msg), gotApp, err)
	}
	_, libMsg, err := util.DecryptMsg(appID, encrypt, key)
	if err != nil || string(libMsg) != plain {
		t.Errorf("util.DecryptMsg = %q, %v", libMsg, err)
	}
	got, err := Encrypt(key, appID, []byte(replyRandom), []byte(replyMsg))
	if err != nil || got != replyCipher {
		t.Errorf("own reply Encrypt = %s, %v; want %s", got, err, replyCipher)
	}
	lib, err := util.EncryptMsg([]byte(replyRandom), []byte(replyMsg), appID, key)
	if err != nil || string(lib) != replyCipher {
		t.Errorf("util.EncryptMsg reply = %s, %v", lib, err)
	}
	rmsg, rapp, rrand, err := Decrypt(key, replyCipher)
	if err != nil || string(rmsg) != replyMsg || rapp != appID || string(rrand) != replyRandom {
		t.Errorf("own reply Decrypt = %q, %q, %q, %v", rmsg, rapp, rrand, err)
	}
}

// Vector B: WeCom URL verification, same algorithm with the corp id.
func TestVectorBWeComEchostr(t *testing.T) {
	const (
		token   = "QDG6eK"
		key     = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
		corpID  = "wx5823bf96d3bd56c7"
		echostr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
		want    = "1616140317555161061"
		msgSig  = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	)
	if Sign(token, "1409659589", "263014780", echostr) != msgSig || util.Signature(token, "1409659589", "263014780", echostr) != msgSig {
		t.Error("msg_signature mismatch")
	}
	msg, id, _, err := Decrypt(key, echostr)
	if err != nil || string(msg) != want || id != corpID {
		t.Errorf("own Decrypt = %q, %q, %v", msg, id, err)
	}
	_, libMsg, err := util.DecryptMsg(corpID, echostr, key)
	if err != nil || string(libMsg) != want {
		t.Errorf("util.DecryptMsg = %q, %v", libMsg, err)
	}
}

// Our random-prefix encryption round-trips through silenceper, and theirs
// through ours.
func TestCryptoInteroperates(t *testing.T) {
	const appID = "wxtest"
	for _, msg := range []string{"", "a", strings.Repeat("x", 31), strings.Repeat("解", 100)} {
		enc, err := Encrypt(officialKey, appID, nil, []byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if _, got, err := util.DecryptMsg(appID, enc, officialKey); err != nil || string(got) != msg {
			t.Errorf("util.DecryptMsg(own %q) = %q, %v", msg, got, err)
		}
		lib, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(msg), appID, officialKey)
		if err != nil {
			t.Fatal(err)
		}
		if got, id, _, err := Decrypt(officialKey, string(lib)); err != nil || string(got) != msg || id != appID {
			t.Errorf("Decrypt(util %q) = %q, %q, %v", msg, got, id, err)
		}
	}
	if _, _, _, err := Decrypt(officialKey, "not base64!"); err == nil {
		t.Error("Decrypt accepted garbage")
	}
	if _, _, _, err := Decrypt(officialKey, base64.StdEncoding.EncodeToString(make([]byte, 32))); err == nil {
		t.Error("Decrypt accepted bad padding")
	}
	if _, err := Encrypt("short", appID, nil, nil); err == nil {
		t.Error("Encrypt accepted a short key")
	}
}
