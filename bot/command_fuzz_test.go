package bot

import (
	"jiefen/workflow"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCommand: reading what a citizen typed is stable. A word read once
// reads the same when read again, and with spaces or a full stop around
// it, so a command recognised is recognised however it is typed; a
// withdrawal names no case or a case number; a numbered choice is within
// its menu; a long text is cut into pieces within the limit that lose
// nothing but the spaces at the cuts.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{"帮助", "HELP", "进度", "查询进度。", "人工", "新求助", "取消", "撤回", "撤回 0008", "撤回案件 JF20261206-0008",
		"撤回０００８", "撤回撤回", "３", "3.", "12", "0", "-1", "同意", "跳过", "  ", "。", "。。。", "撤回 jf20261206-0008！", "發送進度",
		"老板拖欠工资三个月。\n一共一万二！", strings.Repeat("物业不修电梯。", 100), "\xff\xfe", "İ", "ǅ"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		a := answer(s)
		if again := answer(a); again != a {
			t.Fatalf("answer(%q) = %q, read again %q", s, a, again)
		}
		if around := answer(" " + s + "。 "); around != a {
			t.Fatalf("answer(%q) = %q, with spaces and a full stop around it %q", s, a, around)
		}
		if ref, ok := withdrawCommand(a); ok && ref != "" && !caseRefRe.MatchString(ref) {
			t.Fatalf("withdrawCommand(%q) names %q, not a case number", a, ref)
		}
		max := int(n%9) + 1
		if c, ok := choice(s, max); ok && (c < 1 || c > max) {
			t.Fatalf("choice(%q, %d) = %d", s, max, c)
		}
		if !utf8.ValidString(s) {
			return
		}
		limit := int(n%60) + 2
		pieces := workflow.SplitText(s, limit)
		if len(pieces) == 0 {
			t.Fatalf("workflow.SplitText(%q, %d) gave nothing", s, limit)
		}
		for _, p := range pieces {
			if utf8.RuneCountInString(p) > limit {
				t.Fatalf("workflow.SplitText(%q, %d): piece %q is longer", s, limit, p)
			}
		}
		noSpace := func(s string) string { return strings.Map(func(r rune) rune { return dropSpace(r) }, s) }
		if got, want := noSpace(strings.Join(pieces, "")), noSpace(s); got != want {
			t.Fatalf("workflow.SplitText(%q, %d) = %q: lost or changed text", s, limit, pieces)
		}
	})
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}
