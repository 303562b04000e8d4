package routing

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// summaryRunes is the most a case's one-line summary may hold.
const summaryRunes = 40

// Summarize is the extractive one-line summary of a complaint (at most 40
// runes) used when no LLM is available. It splits the text into clauses,
// scores each for the facts a mediator needs (amounts, durations and dates,
// the dispute's subject, the other party, the citizen's demand, the place),
// and joins the best clauses that fit, in their original order. Greetings
// and filler score nothing; phone and ID numbers are masked. A single clause
// longer than the limit gives its most informative stretch. The place is a
// region of city in any form City.Detect knows.
func Summarize(text string, city City) string {
	var cl []clause
	for i, c := range splitClauses(text) {
		if c = cleanClause(c); c != "" {
			cl = append(cl, clause{text: c, n: utf8.RuneCountInString(c), score: clauseScore(c, city), pos: i})
		}
	}
	if len(cl) == 0 {
		// Only a greeting or the like: itself, tidied.
		return bestWindow(maskPersonal(oneLine(text)), city)
	}
	byScore := slices.Clone(cl)
	slices.SortStableFunc(byScore, func(a, b clause) int { return cmp.Compare(b.score, a.score) })

	if byScore[0].score <= 0 {
		// Nothing stands out: the story's beginning, minus the filler.
		var picked []clause
		used := 0
		for _, c := range cl {
			if c.score < 0 && len(cl) > 1 {
				continue
			}
			if used+c.n+sepRunes(picked) > summaryRunes {
				break
			}
			picked, used = append(picked, c), used+c.n+sepRunes(picked)
		}
		if len(picked) == 0 {
			return bestWindow(cl[0].text, city)
		}
		return joinClauses(picked)
	}
	if byScore[0].n > summaryRunes {
		return bestWindow(byScore[0].text, city)
	}
	var picked []clause
	used := 0
	for _, c := range byScore {
		if c.score <= 0 {
			break
		}
		if need := c.n + sepRunes(picked); used+need <= summaryRunes {
			picked, used = append(picked, c), used+need
		}
	}
	slices.SortFunc(picked, func(a, b clause) int { return cmp.Compare(a.pos, b.pos) })
	return joinClauses(picked)
}

type clause struct {
	text  string
	n     int // runes
	score float64
	pos   int
}

func sepRunes(picked []clause) int {
	if len(picked) == 0 {
		return 0
	}
	return 1
}

func joinClauses(cs []clause) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.text
	}
	return strings.Join(parts, "，")
}

// splitClauses cuts text at sentence and clause punctuation and at spaces
// (people who skip punctuation separate clauses with spaces), but not
// inside numbers ("2.5万", "1,000") or Latin words.
func splitClauses(text string) []string {
	rs := []rune(text)
	var out []string
	start := 0
	isNum := func(i int) bool {
		return i >= 0 && i < len(rs) && (rs[i] >= '0' && rs[i] <= '9' || rs[i] >= '０' && rs[i] <= '９')
	}
	isLatin := func(i int) bool {
		return i >= 0 && i < len(rs) && rs[i] < utf8.RuneSelf && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	for i, r := range rs {
		cut := false
		switch {
		case strings.ContainsRune("。！？!?；;，：:…~～\n\r\t", r):
			cut = true
		case r == '.' || r == ',':
			cut = !(isNum(i-1) && isNum(i+1))
		case unicode.IsSpace(r):
			cut = !(isLatin(i-1) && isLatin(i+1))
		}
		if cut {
			if i > start {
				out = append(out, string(rs[start:i]))
			}
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// leadingFiller and trailingParticles are stripped from clauses.
var (
	leadingFiller = []string{
		"你们好", "你好", "您好", "大家好", "喂", "麻烦问一下", "麻烦问下", "我想问一下", "我想问下", "想问一下",
		"问一下", "请问一下", "请问", "我想咨询一下", "咨询一下", "我想反映一下", "我想反映个事", "反映一下",
		"麻烦你们", "麻烦", "那个", "就是说", "然后", "嗯", "啊", "哎", "唉", "呃",
	}
	trailingParticles = "啊呀呢啦哈吧嘛哦"
)

func cleanClause(c string) string {
	c = strings.TrimFunc(c, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	for changed := true; changed; {
		changed = false
		for _, f := range leadingFiller {
			if rest, ok := strings.CutPrefix(c, f); ok {
				c, changed = strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }), true
			}
		}
	}
	c = strings.TrimRightFunc(c, func(r rune) bool { return strings.ContainsRune(trailingParticles, r) || unicode.IsSpace(r) })
	var b strings.Builder
	for _, r := range c {
		if !unicode.IsControl(r) && r != '\u200B' && r != '\uFE0F' {
			b.WriteRune(r)
		}
	}
	return maskPersonal(b.String())
}

var (
	reIDNumber = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	rePhone    = regexp.MustCompile(`1[3-9]\d{9}`)
	reAmount   = regexp.MustCompile(`(\d+(\.\d+)?|[一二两三四五六七八九十百千几]+)多?(万|千|百)?多?(元|块|万)`)
	reSpan     = regexp.MustCompile(`(\d+|[一二两三四五六七八九十几半]+)(个多?月|年|天|周|个星期|个人|名)`)
	reDate     = regexp.MustCompile(`\d+月(\d+[日号])?|去年|今年|前年|上个月|这个月|上周|前天|昨天|今天`)
)

// maskPersonal hides phone and ID numbers: summaries appear in case lists
// that people outside the case's body may see.
func maskPersonal(s string) string {
	s = reIDNumber.ReplaceAllStringFunc(s, func(m string) string { return m[:3] + strings.Repeat("*", len(m)-3) })
	return rePhone.ReplaceAllStringFunc(s, func(m string) string { return m[:3] + "****" + m[7:] })
}

// Words that carry the facts of a dispute, by kind, with their weight.
var (
	subjectWords = strings.Fields(`工资 工钱 欠薪 拖欠 讨薪 辞退 开除 工伤 加班费 社保 赔偿 赔钱 车祸 撞 追尾 剐蹭 肇事 保险
		医院 手术 误诊 医疗事故 治疗 离婚 抚养 赡养 继承 遗产 彩礼 家暴 探视 漏水 噪音 吵闹 占道 物业费 物业 电梯 停车
		借钱 欠款 欠条 借条 还钱 不还 合同 装修 房租 押金 定金 退款 退货 退钱 质量 预付卡 充值卡 跑路 商标 专利 假冒 盗版
		股东 合伙 破产 货款 拆迁 征收 征地 补偿款 补偿 安置 低保 养老金 罚款 处罚 不作为 污染 排污 扬尘 异味 垃圾
		土地 承包 宅基地 流转 林地 地界 打人 殴打 砍 威胁 堵路 堵门 骗`)
	partyWords = strings.Fields(`老板 公司 包工头 工头 工地 单位 厂 医生 商家 店 开发商 房东 租客 丈夫 老公 妻子 媳妇 前夫 前妻
		儿子 女儿 父母 老人 邻居 楼上 楼下 对方 司机 政府 村委会 村里 镇政府 街道 业主 施工方 亲戚`)
	demandWords = strings.Fields(`要求 希望 想要 要回 讨回 讨要 请求 帮忙 帮我 帮助 维权 起诉 解决 不给`)
	noiseWords  = strings.Fields(`谢谢 气死 太气人 没办法 求求 咋整 怎么办 不知道`)
)

// clauseScore rates how much of what a mediator needs a clause holds.
func clauseScore(c string, city City) float64 {
	s := 0.0
	count := func(words []string, w, max float64) {
		got := 0.0
		for _, k := range words {
			if strings.Contains(c, k) {
				got += w
			}
		}
		s += min(got, max)
	}
	count(subjectWords, 2, 6)
	count(partyWords, 1.5, 3)
	count(demandWords, 1.5, 3)
	count(noiseWords, -1, 0) // min(negative, 0): noise only lowers
	if reAmount.MatchString(c) {
		s += 3
	}
	if reSpan.MatchString(c) {
		s += 1
	}
	if reDate.MatchString(c) {
		s += 1
	}
	if city.Detect(c) != "" {
		s += 1
	}
	if strings.Contains(c, "****") {
		s -= 3 // a masked number is no fact for a summary
	}
	return s
}

// bestWindow returns the most informative stretch of a long clause that
// fits the limit, with an ellipsis where the clause goes on.
func bestWindow(c string, city City) string {
	rs := []rune(c)
	if len(rs) <= summaryRunes {
		return c
	}
	size := summaryRunes - 1
	best, bestScore := 0, -1e9
	for start := 0; start+size <= len(rs); start++ {
		if sc := clauseScore(string(rs[start:start+size]), city); sc > bestScore {
			best, bestScore = start, sc
		}
	}
	w := string(rs[best : best+size])
	if best+size < len(rs) {
		return w + "…"
	}
	return "…" + w
}
