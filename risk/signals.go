package risk

import (
	"slices"
	"strings"
)

// Signals are what a message says that raises a cluster's level.
type Signals struct {
	// Crowd is how many people the message says are affected (我们十几个人:
	// 10), 0 when it says nothing of the kind.
	Crowd int
	// CrowdWords is the phrase that said so, as written.
	CrowdWords string
	// Escalate lists the words of an intent to escalate (拉横幅, 堵路 …),
	// as written, each once.
	Escalate []string
}

// Merge adds o's signals to s.
func (s Signals) Merge(o Signals) Signals {
	if o.Crowd > s.Crowd {
		s.Crowd, s.CrowdWords = o.Crowd, o.CrowdWords
	}
	for _, w := range o.Escalate {
		if !slices.Contains(s.Escalate, w) {
			s.Escalate = append(s.Escalate, w)
		}
	}
	return s
}

// escalation words: an intent to take the matter to the street, to a
// higher office, to the press, or to harm oneself. Each is matched as
// written; a negation just before it (不想闹, 没打算上访) cancels it.
var escalation = []string{
	"拉横幅", "拉条幅", "打横幅", "挂横幅", "举牌子", "举牌", "堵路", "堵门", "堵大门", "堵住大门", "堵马路", "围堵", "静坐",
	"集体上访", "去上访", "上访", "进京", "去北京", "去市政府", "到市政府", "市政府门口", "去省里", "到省里", "省政府",
	"跳楼", "跳河", "喝药", "要闹", "闹事", "闹大", "大闹", "去闹", "找媒体", "找记者", "媒体曝光",
	"发抖音", "上抖音", "罢工", "讨说法一起去", "一起去讨", "去讨个说法", "政府门口", "市委", "省委", "游行", "示威", "封路",
	"拦路", "堵高速", "堵公路", "网上曝光", "自焚", "喝农药", "同归于尽", "跟他拼了", "拼了", "聚集", "集体去", "一起去政府",
	// self-harm told other than by 跳楼, and the county's government,
	// where a county's citizens go first.
	"跳下去", "上吊", "寻死", "轻生", "不想活了", "不活了", "死给他看", "死给他们看", "自杀",
	"去县政府", "到县政府", "去区政府", "到区政府", "去县里上访", "去信访局", "到信访局",
}

// negations cancel an escalation word they stand just before.
var negations = []string{"不想", "不会", "不要", "不愿", "不是要", "没想", "没打算", "不打算", "不敢", "别", "不", "没", "未", "并非"}

// crowdNouns are the words after a count that make it a count of people
// (or households) affected.
var crowdNouns = []string{"个人", "人", "户", "家", "个工友", "工友", "个工人", "工人", "名工人", "名", "位", "个业主", "业主",
	"个村民", "村民", "个兄弟", "兄弟", "个学员", "学员", "个会员", "会员", "口人", "号人", "个家长", "家长", "个学生", "学生",
	"个孩子", "个员工", "名员工", "员工", "个司机", "司机", "个住户", "住户", "个农民工", "农民工", "个师傅", "个"}

// wholeGroups say that everyone of a group is affected: counted as 10.
var wholeGroups = []string{"全村", "全体业主", "所有业主", "整个小区", "全小区", "全楼", "整栋楼", "所有工人", "所有工友",
	"全体工人", "全体员工", "所有员工", "全厂", "一大帮人", "一大群人", "好多人", "很多人", "一群人"}

// Scan reads one message for signals.
func Scan(text string) Signals {
	t := fold(text)
	var s Signals
	for _, w := range escalation {
		for i := 0; ; {
			j := strings.Index(t[i:], w)
			if j < 0 {
				break
			}
			j += i
			if !negated(t[:j]) && !covered(s.Escalate, w) {
				s.Escalate = append(s.Escalate, w)
			}
			i = j + len(w)
		}
	}
	n, words := crowd(t)
	s.Crowd, s.CrowdWords = n, words
	return s
}

// covered: a longer word already found holds w (拉横幅 holds 横幅's hits;
// 集体上访 holds 上访).
func covered(found []string, w string) bool {
	return slices.ContainsFunc(found, func(f string) bool { return strings.Contains(f, w) })
}

func negated(before string) bool {
	rs := []rune(before)
	tail := string(rs[max(0, len(rs)-4):])
	return slices.ContainsFunc(negations, func(n string) bool {
		return strings.HasSuffix(tail, n) || strings.Contains(tail, n+"去") || strings.Contains(tail, n+"想")
	})
}

// crowd finds the largest count of affected people the text states.
func crowd(t string) (int, string) {
	best, words := 0, ""
	for _, g := range wholeGroups {
		if strings.Contains(t, g) && 10 > best {
			best, words = 10, g
		}
	}
	rs := []rune(t)
	for i := 0; i < len(rs); i++ {
		n, l := count(rs[i:])
		if l == 0 {
			continue
		}
		rest := string(rs[i+l:])
		for _, noun := range crowdNouns {
			if strings.HasPrefix(rest, noun) {
				// "个" alone counts only after 我们 or 一共 (我们十几个都没拿到钱);
				// elsewhere (三个月) it counts months, days, anything.
				if noun == "个" && !strings.HasSuffix(string(rs[:i]), "我们") && !strings.HasSuffix(string(rs[:i]), "一共") {
					break
				}
				if n > best {
					best, words = n, string(rs[i:i+l])+noun
				}
				break
			}
		}
		i += l - 1
	}
	return best, words
}

var digits = map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// count reads a count at the start of rs: Arabic digits, or Chinese
// numerals with 十/百, with the vague 几 (十几 11, 几十 20), 多 and 来 after
// (二十多: 20). It returns the number and how many runes it took (0: none).
func count(rs []rune) (int, int) {
	i := 0
	if i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		n := 0
		for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' && i < 5 {
			n = n*10 + int(rs[i]-'0')
			i++
		}
		for i < len(rs) && (rs[i] == '多' || rs[i] == '来' || rs[i] == '余') {
			i++
		}
		return n, i
	}
	// 好几十, 上百, 近百.
	if i+1 < len(rs) && (rs[i] == '好' || rs[i] == '上' || rs[i] == '近') && (rs[i+1] == '几' || rs[i+1] == '百') {
		i++
	}
	total, cur, seen := 0, 0, false
	for ; i < len(rs); i++ {
		r := rs[i]
		if d, ok := digits[r]; ok {
			cur, seen = d, true
			continue
		}
		switch r {
		case '几':
			cur, seen = 2, true // 几十 ≥ 20, 十几 ≥ 11 (below), 几个 a few
			if total == 10 {
				cur = 1
			}
			continue
		case '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur, seen = 0, true
			continue
		case '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur, seen = 0, true
			continue
		case '多', '来', '余':
			if seen {
				continue
			}
		}
		break
	}
	if !seen {
		return 0, 0
	}
	return total + cur, i
}
