package routing

import (
	"strings"
)

// urgentPhrase is a sign that someone may be in danger now.
type urgentPhrase struct {
	phrase string
	// always marks thoughts of suicide and threats: they are present by
	// nature ("去年开始就不想活了" is still true today), so time words and
	// negations never cancel them.
	always bool
	// unless lists what, right after the phrase, turns it into something
	// harmless: 打我电话 is a phone call.
	unless []string
	// objects lists things that, a few characters on in the same clause,
	// show the verb is aimed at no person: 要砍我家门前的树 is a tree. Kept
	// apart from unless because looking ahead is riskier: only verbs whose
	// everyday objects are plain nouns use it.
	objects []string
}

// objectWindow is how many runes after a phrase objects are looked for.
const objectWindow = 8

var (
	notAPhoneCall = []string{"电话", "手机", "的电话", "微信"}
	notAPerson    = []string{"树", "柴", "伐", "价", "猪", "鸡", "鸭", "鱼", "羊", "牛", "年猪"}
)

// urgentPhrases errs on the side of alarm: a false alarm costs the citizen
// one extra sentence telling them to call 110/120, a missed one may cost a
// life. Only explicit past time or negation calms a phrase down.
var urgentPhrases = []urgentPhrase{
	// Violence under way or threatened.
	{phrase: "正在打"}, {phrase: "在打我"}, {phrase: "打我", unless: notAPhoneCall},
	{phrase: "打人", unless: []string{"家电话"}}, {phrase: "打起来"}, {phrase: "打群架"},
	{phrase: "打孩子"}, {phrase: "打老人"}, {phrase: "打她", unless: notAPhoneCall},
	{phrase: "打他", unless: append([]string{"们电话"}, notAPhoneCall...)},
	{phrase: "动手了"}, {phrase: "动手打"}, {phrase: "挨打"},
	{phrase: "被打", unless: []string{"扰", "折", "电话", "针", "官司", "了电话"}},
	{phrase: "揍我"}, {phrase: "往死里打"}, {phrase: "家暴"},
	{phrase: "要杀", objects: notAPerson}, {phrase: "杀人"}, {phrase: "杀了", objects: notAPerson},
	{phrase: "弄死", always: true}, {phrase: "整死", always: true}, {phrase: "同归于尽", always: true},
	{phrase: "砍人"}, {phrase: "砍我", objects: notAPerson}, {phrase: "砍伤"}, {phrase: "砍死"}, {phrase: "要砍", objects: notAPerson},
	{phrase: "拿刀"}, {phrase: "持刀"}, {phrase: "动刀"}, {phrase: "菜刀"}, {phrase: "拿斧"},
	{phrase: "拿棍"}, {phrase: "拿棒子"}, {phrase: "拿枪"}, {phrase: "捅人"}, {phrase: "捅我"},
	{phrase: "捅伤"}, {phrase: "绑架"}, {phrase: "关起来"}, {phrase: "不让走"},
	{phrase: "救命", always: true},
	// Crowds and property being destroyed.
	{phrase: "堵路"}, {phrase: "堵马路"}, {phrase: "路堵上"}, {phrase: "堵住路"}, {phrase: "堵住了路"}, {phrase: "拦路"}, {phrase: "围堵"}, {phrase: "堵门"},
	{phrase: "堵在门口"}, {phrase: "围攻"}, {phrase: "打砸"}, {phrase: "砸东西"}, {phrase: "砸门"},
	{phrase: "砸车"}, {phrase: "砸店"}, {phrase: "砸窗"},
	// Fire, gas, bodily harm.
	{phrase: "着火"}, {phrase: "起火"}, {phrase: "失火"}, {phrase: "放火"}, {phrase: "纵火"},
	{phrase: "点房子"}, {phrase: "烧房子"}, {phrase: "浇汽油"}, {phrase: "泼汽油"},
	{phrase: "煤气泄漏"}, {phrase: "煤气中毒"},
	{phrase: "出血"}, {phrase: "流血"}, {phrase: "昏迷"}, {phrase: "晕过去"}, {phrase: "不省人事"},
	{phrase: "没气了"}, {phrase: "快不行了"}, {phrase: "快死了"},
	// Self-harm.
	{phrase: "跳楼"}, {phrase: "跳河"}, {phrase: "跳江"}, {phrase: "卧轨"}, {phrase: "喝药"},
	{phrase: "喝农药"}, {phrase: "割腕"}, {phrase: "上吊"}, {phrase: "自杀"}, {phrase: "轻生"},
	{phrase: "寻死", always: true}, {phrase: "不想活", always: true}, {phrase: "活不下去", always: true},
	{phrase: "想死", always: true}, {phrase: "想不开", always: true}, {phrase: "一死了之", always: true},
	{phrase: "死给你看", always: true}, {phrase: "死给他们看", always: true}, {phrase: "跳下去", always: true},
}

// pastMarkers date an event in the past. "昨天" and "刚才" are deliberately
// absent (danger from last night may well still be there), and so is 过去,
// which is as often "went over (to hit someone)" as "in the past".
var pastMarkers = []string{
	"去年", "前年", "上个月", "上月", "上周", "上礼拜", "上星期", "前几天", "前些天", "前段时间",
	"以前", "之前", "曾经", "那年", "当年", "小时候", "几年前", "年前", "多年前", "早些年",
	"那次", "上次", "上回", "那会儿",
}

// presentMarkers bring the clause back to now ("去年打过我现在又来了").
var presentMarkers = []string{
	"正在", "现在", "马上", "还在", "又", "刚才", "刚刚", "今天", "今晚", "此刻", "眼下",
}

// negations right before a phrase mean it did not happen ("没打人").
var negations = []string{"没", "没有", "不是", "并没", "未", "不会"}

// DetectUrgent reports whether text says someone is in danger now: violence
// under way or threatened, self-harm, a crowd blocking a road or a door,
// fire, heavy bleeding or unconsciousness. Events clearly dated in the past
// ("去年被打过") do not count, thoughts of suicide always do.
func DetectUrgent(text string) bool {
	return detectUrgent(normalize(text))
}

func detectUrgent(n string) bool {
	for _, p := range urgentPhrases {
		for from := 0; ; {
			i := strings.Index(n[from:], p.phrase)
			if i < 0 {
				break
			}
			i += from
			from = i + len(p.phrase)
			if urgentAt(n, i, p) {
				return true
			}
		}
	}
	return false
}

// urgentAt decides one occurrence of p at byte offset i of n.
func urgentAt(n string, i int, p urgentPhrase) bool {
	after := n[i+len(p.phrase):]
	for _, u := range p.unless {
		if strings.HasPrefix(after, u) {
			return false
		}
	}
	if p.always {
		return true
	}
	if len(p.objects) > 0 {
		ahead := after
		if j := strings.IndexByte(ahead, sep); j >= 0 {
			ahead = ahead[:j]
		}
		if r := []rune(ahead); len(r) > objectWindow {
			ahead = string(r[:objectWindow])
		}
		for _, o := range p.objects {
			if strings.Contains(ahead, o) {
				return false
			}
		}
	}
	// 被打过 / 砍过: the aspect particle 过 puts it in the past.
	if strings.HasPrefix(after, "过") {
		return false
	}
	clause := n[:i]
	if j := strings.LastIndexByte(clause, sep); j >= 0 {
		clause = clause[j+1:]
	}
	for _, neg := range negations {
		if strings.HasSuffix(clause, neg) {
			return false
		}
	}
	// Past only when the nearest time word before the phrase is a past one.
	past := lastIndexAny(clause, pastMarkers)
	return past < 0 || lastIndexAny(clause, presentMarkers) > past
}

func lastIndexAny(s string, words []string) int {
	last := -1
	for _, w := range words {
		if i := strings.LastIndex(s, w); i > last {
			last = i
		}
	}
	return last
}
