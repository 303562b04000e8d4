package bot

import "testing"

func TestNoticeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"【案件 JF20261201-0001 · 调解员】\n请问您明天方便来调解中心吗", "调解员：请问您明天方便来调解中心吗"},
		{"您的案件 JF20261201-0001 有新进展：已受理。\n承办：柳河县劳动人事争议仲裁院", "案件有新进展：已受理。"},
		{"【案件 JF20261201-0001 · 调解员】\n您好，我们已经联系了您的老板，他同意本周五到调解中心面谈", "调解员：您好，我们已经联系了您的老板，…"},
	} {
		if got := noticeText("JF20261201-0001", c.in); got != c.want {
			t.Errorf("noticeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseSubscribeTemplates(t *testing.T) {
	got, err := ParseSubscribeTemplates("A1b_2-c, Z9:once:character_string3:thing1")
	if err != nil || len(got) != 2 || !got[0].Long || got[0].CaseField != DefaultSubscribeCaseField ||
		got[1].Long || got[1].CaseField != "character_string3" || got[1].TextField != "thing1" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{"a b", "A1:sometimes", "A1:long:x", "A1,A1", "A1:long:case:text"} {
		if _, err := ParseSubscribeTemplates(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
