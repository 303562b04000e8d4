package personal

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Masked is a text with its identifying details replaced by placeholders
// (【姓名1】, 【电话1】, 【身份证1】, 【银行卡1】, 【地址1】), and what each
// stands for, to put them back into an answer about the text. The same
// detail gets the same placeholder throughout.
type Masked struct {
	Text   string
	values map[string]string // placeholder → original
	byText map[string]string // original → placeholder
	counts map[string]int    // label → how many so far
}

// Placeholder labels.
const (
	LabelName    = "姓名"
	LabelPhone   = "电话"
	LabelID      = "身份证"
	LabelBank    = "银行卡"
	LabelAddress = "地址"
)

// Mask replaces names, phone numbers, ID numbers, bank card numbers and
// street addresses (down to the house number) in text. Regions and towns
// stay: they say where the dispute belongs, not who is in it.
// Names are found where Chinese names are introduced ("我叫…", "姓名…",
// after a word for a person such as 包工头, 邻居, 丈夫) and before 先生 or
// 女士; a name mentioned nowhere like that is not found.
func Mask(text string) Masked {
	m := Masked{values: map[string]string{}, byText: map[string]string{}, counts: map[string]int{}}
	text = halfWidth(text)
	text = numberRun.ReplaceAllStringFunc(text, func(run string) string {
		switch classify(digitsOf(run)) {
		case phoneNumber:
			return m.hold(LabelPhone, run)
		case idNumber:
			return m.hold(LabelID, run)
		case bankNumber:
			return m.hold(LabelBank, run)
		}
		return run
	})
	text = reAddress.ReplaceAllStringFunc(text, func(a string) string {
		keep, addr := splitAddress(a)
		if addr == "" {
			return a
		}
		return keep + m.hold(LabelAddress, addr)
	})
	text = m.maskNames(text)
	m.Text = text
	return m
}

// hold gives original its placeholder.
func (m *Masked) hold(label, original string) string {
	original = strings.TrimSpace(original)
	if p, ok := m.byText[original]; ok {
		return p
	}
	m.counts[label]++
	p := fmt.Sprintf("【%s%d】", label, m.counts[label])
	m.values[p], m.byText[original] = original, p
	return p
}

// Unmask puts the originals back for the placeholders in s (an answer
// about the masked text). A placeholder the answer made up stays as it is.
func (m Masked) Unmask(s string) string {
	if len(m.values) == 0 || !strings.Contains(s, "【") {
		return s
	}
	pairs := make([]string, 0, 2*len(m.values))
	for p, v := range m.values {
		pairs = append(pairs, p, v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Count is how many details were masked.
func (m Masked) Count() int { return len(m.values) }

var (
	// reAddress is a street or compound with a house number, a building
	// and unit number, or a room: "建设路123号", "幸福小区3号楼2单元501室",
	// "向阳村3组". A bare "5号" is a date, so the number needs a street
	// before it or a building unit after it.
	reAddress = regexp.MustCompile(`(?:\p{Han}{1,12}?(?:路|街|大街|大道|巷|胡同|弄|里|小区|花园|家园|公寓|大厦|广场|苑|社区|村|屯|新村|宿舍))?` +
		`[0-9]+(?:号楼|号院|栋|幢|单元|室|号|层|楼|户|组|排)(?:[0-9]+(?:号楼|栋|幢|单元|室|号|层|楼|户))*(?:[0-9]+)?`)
	streetEnd = regexp.MustCompile(`(?:路|街|大街|大道|巷|胡同|弄|里|小区|花园|家园|公寓|大厦|广场|苑|社区|村|屯|新村|宿舍)$`)
	unitWord  = regexp.MustCompile(`[0-9](?:号楼|号院|栋|幢|单元|室)`)
	// cutBefore are words after which an address begins: "住在", a county
	// or a town (kept: they place the dispute), a verb.
	cutBefore = []string{"县", "区", "市", "镇", "乡", "街道", "旗", "住在", "住", "在", "是", "于", "到", "址", "家", "的", "从", "去"}
)

// splitAddress splits a match of reAddress into what stays (words before
// the address, a county or town) and the address; addr is "" when the
// match is no address (a date, an amount of floors).
func splitAddress(a string) (keep, addr string) {
	i := strings.IndexAny(a, "0123456789")
	prefix, number := a[:i], a[i:]
	// The street or compound: what follows the last cut word.
	cut := 0
	for _, w := range cutBefore {
		for from := 0; ; {
			j := strings.Index(prefix[from:], w)
			if j < 0 {
				break
			}
			j += from
			from = j + len(w)
			if partOfName(prefix, j, w) {
				continue
			}
			cut = max(cut, from)
		}
	}
	keep, street := prefix[:cut], prefix[cut:]
	if !streetEnd.MatchString(street) {
		keep, street = prefix, ""
	}
	if street == "" && !unitWord.MatchString(number) {
		return a, ""
	}
	return keep, street + number
}

// partOfName reports a cut word at j that belongs to the street or
// compound's own name: 家 of 家园, 区 of 小区, 社区, 园区, 校区 ….
func partOfName(prefix string, j int, w string) bool {
	switch w {
	case "家":
		return strings.HasPrefix(prefix[j:], "家园")
	case "区":
		r, _ := utf8.DecodeLastRuneInString(prefix[:j])
		return strings.ContainsRune("小社园校景厂矿营片", r)
	}
	return false
}

// Surnames, the most common single ones and the compound ones. Surnames
// that are mostly ordinary words after a word for a person (方, 白, 付,
// 高, 向, 于, 余, 田, 钱 …) are left out: "邻居白天吵" is no one's name.
var (
	surnames  = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊秦邱尹薛闫段侯史陶黎贺顾郝龚邵严覃武戴莫孔汤")
	compound  = []string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙", "长孙", "宇文", "夏侯"}
	personCue = regexp.MustCompile(`我叫|名叫|叫做|名字叫|名字是|姓名[:：是为]?|` +
		`老板娘|老板|包工头|工头|经理|老师|医生|大夫|护士|邻居|丈夫|老公|妻子|媳妇|爱人|前夫|前妻|对象|男友|女友|房东|租客|司机|对方|业主|` +
		`同事|朋友|亲戚|哥哥|弟弟|姐姐|妹妹|儿子|女儿|父亲|母亲|婆婆|公公|岳父|岳母|被告|原告|借款人|村主任|主任|书记|队长|厂长|法人|负责人|老乡|同学|师傅|小舅子|大伯|叔叔|舅舅|姑姑|阿姨`)
	// nameStop are characters that end a name: verbs and particles that
	// come right after one ("刘德胜欠我", "张三说").
	nameStop = []rune("欠不说把给的是在和跟与让打还一也都就又拖要没有了从到向对被叫将已去来找借骂砍推等们家讲告称答应先今昨前后每今多少这那他她它我你啊吧呢吗、，。,.！!？?；;：: 0123456789")
)

// maskNames replaces the names that follow a cue or precede 先生/女士.
func (m *Masked) maskNames(text string) string {
	var b strings.Builder
	rest := text
	for {
		loc := personCue.FindStringIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:loc[1]])
		rest = rest[loc[1]:]
		if n := nameAt(rest); n != "" {
			b.WriteString(m.hold(LabelName, n))
			rest = rest[len(n):]
		}
	}
	text = b.String()
	// A name found once is the same name wherever else it comes.
	for p, v := range m.values {
		if strings.HasPrefix(p, "【"+LabelName) {
			text = strings.ReplaceAll(text, v, p)
		}
	}
	return reTitled.ReplaceAllStringFunc(text, func(s string) string {
		rs := []rune(s)
		before, title := rs[:len(rs)-2], string(rs[len(rs)-2:])
		for _, k := range []int{3, 2} {
			if len(before) < k {
				continue
			}
			if cand := string(before[len(before)-k:]); nameAt(cand) == cand {
				return string(before[:len(before)-k]) + m.hold(LabelName, cand) + title
			}
		}
		return s
	})
}

// reTitled is a name before 先生 or 女士: "王建国先生".
var reTitled = regexp.MustCompile(`\p{Han}{2,3}(?:先生|女士)`)

// nameAt is the name at the start of s: a surname and one or two more
// characters, stopping at a character that cannot be part of a name; ""
// when s does not start with a surname.
func nameAt(s string) string {
	rs := []rune(s)
	n := 0
	for _, c := range compound {
		if strings.HasPrefix(s, c) {
			n = 2
		}
	}
	if n == 0 && len(rs) > 0 && containsRune(surnames, rs[0]) {
		n = 1
	}
	if n == 0 {
		return ""
	}
	given := 0
	for given < 2 && n+given < len(rs) && isHan(rs[n+given]) && !containsRune(nameStop, rs[n+given]) {
		given++
	}
	if given == 0 {
		return "" // a surname alone ("王老板") names nobody
	}
	if rs[n] == '某' {
		return "" // already anonymous: 刘某
	}
	return string(rs[:n+given])
}

func isHan(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
