package personal

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is a kind of sensitive personal information (个人信息保护法 art. 28):
// processing it needs a separate consent (art. 29) and a reason the person
// can understand (art. 30).
type Kind string

// The kinds Sensitive finds, in the order they are named to citizens.
const (
	Health      Kind = "health"      // 医疗健康: illness, injury, treatment, pregnancy
	Minor       Kind = "minor"       // 不满十四周岁未成年人的个人信息
	Finance     Kind = "finance"     // 金融账户: bank cards and accounts, deposits, credit records
	Whereabouts Kind = "whereabouts" // 行踪轨迹
	Religion    Kind = "religion"    // 宗教信仰
	Biometric   Kind = "biometric"   // 生物识别: fingerprints, faces, genes
	IDNumber    Kind = "id_number"   // 身份证件号码
)

// Kinds lists every kind in the order they are named to citizens.
var Kinds = []Kind{Health, Minor, Finance, Whereabouts, Religion, Biometric, IDNumber}

// Name is how a kind is named to citizens: plain words, no legal terms.
func (k Kind) Name() string {
	switch k {
	case Health:
		return "健康和病情、伤情"
	case Minor:
		return "不满14岁孩子的情况"
	case Finance:
		return "银行卡、账户等金融信息"
	case Whereabouts:
		return "行踪去向"
	case Religion:
		return "宗教信仰"
	case Biometric:
		return "指纹、人脸、基因等身体特征"
	case IDNumber:
		return "身份证号码"
	}
	return string(k)
}

// Names joins kinds' names for a sentence: "健康和病情、伤情；不满14岁孩子的情况".
func Names(kinds []Kind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name()
	}
	return strings.Join(names, "；")
}

// terms are the words that show a kind, matched after the look-alikes of
// notLike are cut out of the text. Each was chosen against a complaint
// that must not trigger (sensitive_test.go).
var terms = map[Kind]*regexp.Regexp{
	Health: regexp.MustCompile(`住院|出院|手术|骨折|诊断|确诊|误诊|病历|病情|病房|病危|病重|病人|生病|患病|病了|得了.{0,6}病|化疗|放疗|癌|肿瘤|` +
		`抑郁|焦虑症|精神病|精神疾病|精神分裂|残疾|伤残|瘫痪|截肢|怀孕|孕期|孕妇|流产|堕胎|艾滋|HIV|乙肝|传染病|糖尿病|高血压|心脏病|脑梗|中风|` +
		`受伤|受了伤|伤情|伤势|重伤|轻伤|缝了.{0,3}针|看病|就医|就诊|治疗|医药费|医疗费|吃药|打针|输液|体检|病假|过敏|昏迷|植物人|康复`),
	Finance:     regexp.MustCompile(`银行卡|银行账|卡号|存折|存款|征信|信贷记录|银行流水|信用卡|支付密码|银行密码|网银|取款密码|账户余额`),
	Whereabouts: regexp.MustCompile(`行踪|轨迹|定位|开房记录|住宿记录|出行记录|行程记录|乘车记录|出入境记录`),
	Religion:    regexp.MustCompile(`宗教|信教|信仰|信佛|佛教|基督|耶稣|天主教|伊斯兰|穆斯林|道教|做礼拜|清真寺|教堂|受洗`),
	Biometric:   regexp.MustCompile(`亲子鉴定|DNA|基因|虹膜|声纹|(?:指纹|人脸|面部|脸部)(?:信息|数据|照片|特征|识别信息)`),
}

// notLike are phrases that contain a term but say nothing sensitive about
// anyone: a car's fault diagnosis, a parcel's tracking, a fingerprint lock.
var notLike = strings.NewReplacer(
	"故障诊断", "", "车辆诊断", "", "电脑诊断", "",
	"物流轨迹", "", "快递轨迹", "", "物流定位", "", "市场定位", "", "产品定位", "",
	"转基因", "", "基因食品", "",
	"会员卡号", "", "购物卡号", "", "充值卡号", "", "油卡卡号", "", "快递单号", "",
	"精神损失", "", "精神损害", "",
	"治疗仪", "", "理疗仪", "",
	"没受伤", "", "没有受伤", "", "未受伤", "", "没受什么伤", "",
)

// animalIll is an animal's illness ("牛病了"): a sale gone wrong, no
// person's health.
var animalIll = regexp.MustCompile(`[牛猪狗猫羊鸡鸭鹅驴兔鱼]病|[牛猪狗猫羊鸡鸭鹅驴兔鱼]生病|[牛猪狗猫羊鸡鸭鹅驴兔鱼]得了.{0,6}病`)

var (
	// childWords name a child; an age under 14 next to one is a minor's.
	childWords = `孩子|儿子|女儿|闺女|小孩|孙子|孙女|外孙|娃|学生|小朋友|宝宝|侄子|侄女|外甥|小男孩|小女孩|幼儿|儿童`
	reAge      = regexp.MustCompile(`([0-9]{1,2}|[一二两三四五六七八九十]{1,3})(?:周岁|岁)`)
	reChild    = regexp.MustCompile(childWords)
	// A school stage or an infant says under 14 by itself, with a child
	// word near (a shop by a primary school is no child's information).
	reYoung = regexp.MustCompile(`幼儿园|托儿所|小学|[一二三四五六]年级|初一|婴儿|新生儿|婴幼儿|早教`)
	reUnder = regexp.MustCompile(`未满(?:14|十四)(?:周岁|岁)|不满(?:14|十四)(?:周岁|岁)`)
	reIDRef = regexp.MustCompile(`身份证(?:号码|号)?[是为:： ]*\d{15}`)
)

// nearRunes is how close (in runes) a child word must be to an age or a
// school stage to make them one child's.
const nearRunes = 8

// Sensitive lists the kinds of sensitive personal information in text, in
// the order of Kinds, each once; none is nil.
func Sensitive(text string) []Kind {
	text = halfWidth(text)
	plain := animalIll.ReplaceAllString(notLike.Replace(text), "")
	var found []Kind
	for _, k := range Kinds {
		var hit bool
		switch k {
		case Minor:
			hit = hasMinor(plain)
		case IDNumber, Finance:
			hit = hasNumber(text, k)
			if !hit && k == Finance {
				hit = terms[k].MatchString(plain)
			}
			if !hit && k == IDNumber {
				hit = reIDRef.MatchString(text)
			}
		default:
			hit = terms[k].MatchString(plain)
		}
		if hit {
			found = append(found, k)
		}
	}
	return found
}

// hasNumber reports an ID number (IDNumber) or a bank card number (Finance).
func hasNumber(text string, k Kind) bool {
	for _, run := range numberRun.FindAllString(text, -1) {
		switch classify(digitsOf(run)) {
		case idNumber:
			if k == IDNumber {
				return true
			}
		case bankNumber:
			if k == Finance {
				return true
			}
		}
	}
	return false
}

// hasMinor finds a child under 14: "不满14周岁", or an age under 14 or a
// school stage within nearRunes of a child word ("孩子才8岁", "上小学的女儿").
func hasMinor(text string) bool {
	if reUnder.MatchString(text) {
		return true
	}
	children := reChild.FindAllStringIndex(text, -1)
	if len(children) == 0 {
		return false
	}
	near := func(at []int) bool {
		for _, c := range children {
			if runesBetween(text, c, at) <= nearRunes {
				return true
			}
		}
		return false
	}
	for _, m := range reAge.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 && isDigitByte(text[m[0]-1]) {
			continue // part of a longer number: "120岁"? no age
		}
		if age, ok := ageOf(text[m[2]:m[3]]); ok && age < 14 && near(m[:2]) {
			return true
		}
	}
	for _, m := range reYoung.FindAllStringIndex(text, -1) {
		if near(m) {
			return true
		}
	}
	return false
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// runesBetween is the distance in runes between two spans of s (0 when
// they touch or overlap).
func runesBetween(s string, a, b []int) int {
	if a[0] > b[0] {
		a, b = b, a
	}
	if b[0] <= a[1] {
		return 0
	}
	return utf8.RuneCountInString(s[a[1]:b[0]])
}

// ageOf reads "8", "13", "八", "十二", "两".
func ageOf(s string) (int, bool) {
	if allDigits(s) {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	digit := map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		n, ok := digit[rs[0]]
		return n, ok
	case len(rs) == 2 && rs[0] == '十':
		n, ok := digit[rs[1]]
		return 10 + n, ok
	case len(rs) == 2 && rs[1] == '十':
		n, ok := digit[rs[0]]
		return n * 10, ok
	case len(rs) == 2:
		// "八九岁": a range, read as its upper end.
		a, ok1 := digit[rs[0]]
		b, ok2 := digit[rs[1]]
		return max(a, b), ok1 && ok2
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := digit[rs[0]]
		b, ok2 := digit[rs[2]]
		return a*10 + b, ok1 && ok2
	}
	return 0, false
}

// Without removes from text the clauses that hold any of kinds: what a
// citizen declined to have kept and passed on. Clauses end at sentence and
// clause punctuation and line breaks; what remains keeps its order and
// punctuation.
func Without(text string, kinds []Kind) string {
	if len(kinds) == 0 {
		return text
	}
	var b strings.Builder
	for _, c := range clauses(text) {
		if slices.ContainsFunc(Sensitive(c), func(k Kind) bool { return slices.Contains(kinds, k) }) {
			continue
		}
		b.WriteString(c)
	}
	return strings.TrimSpace(strings.TrimLeft(b.String(), "，,；;。"))
}

// clauses cuts text after each clause mark, keeping the mark with its clause.
func clauses(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune("。！？!?；;，,\n", r) {
			end := i + utf8.RuneLen(r)
			out = append(out, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}
