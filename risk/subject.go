package risk

import (
	"slices"
	"strings"
	"unicode"

	"jiefen/dispute"
	"jiefen/routing"
)

// Subject kinds: what a complaint is about.
const (
	Employer = "employer" // a firm: 鑫达公司, 鑫达建筑
	Site     = "site"     // a construction project or site: 鑫达工地, 滨江项目
	Estate   = "estate"   // a residential estate or its property company: 锦江花园, 锦江物业
	Shop     = "shop"     // a shop, gym, school selling prepaid cards: 美美健身, 好再来超市
	Village  = "village"  // a village or township, as under expropriation: 红石村
)

// Subject is one thing a complaint names.
type Subject struct {
	Kind string // Employer, Site, Estate, Shop, Village
	Name string // as written, without region prefixes: 鑫达建筑工程有限公司
	Key  string // the matching key (see the package doc): 鑫达
	// Trade is a shop's line of business, from the words its name
	// carries (健身, 汽修 …): 力天健身 and 力天汽修 share a key and are two
	// businesses. "" when the name says none (力天, 力天店).
	Trade string
}

// trades group the words that say a shop's line of business; the first
// word of each names the trade. A shop's name carrying one of them has
// that trade (longest word first).
var trades = [][]string{
	{"健身", "健身房", "健身中心", "会所", "瑜伽", "游泳馆"},
	{"美发", "理发店", "理发", "美容院", "美容", "发廊", "美甲"},
	{"超市", "商场", "商店", "商城"},
	{"教育", "培训学校", "培训班", "培训", "培训机构", "学校"},
	{"幼儿园", "托育", "托管", "早教"}, {"驾校", "驾驶员培训", "驾驶培训"}, {"医院", "诊所", "药店"}, {"饭店", "酒店", "餐厅", "饭馆", "宾馆"},
	{"汽修", "车行", "加油站"}, {"洗浴"}, {"网吧"}, {"中介", "婚介"}, {"养老院"},
}

// TradeOf is the trade a shop's name as written says ("" for none).
func TradeOf(name string) string {
	best, n := "", 0
	for _, t := range trades {
		for _, w := range t {
			if l := len([]rune(w)); l > n && strings.Contains(name, w) {
				best, n = t[0], l
			}
		}
	}
	return best
}

// anchor is a word that ends a name and says what kind of thing it names.
type anchor struct {
	word string
	kind string
}

// anchors, longest first at each starting rune (see anchorAt). A name is the
// run of characters just before one of them.
var anchors = sortAnchors([]anchor{
	{"股份有限公司", Employer}, {"有限责任公司", Employer}, {"有限公司", Employer}, {"分公司", Employer},
	{"公司", Employer}, {"集团", Employer}, {"工厂", Employer}, {"厂", Employer}, {"企业", Employer},
	{"建筑工程", Employer}, {"建筑", Employer}, {"建设", Employer}, {"建工", Employer}, {"劳务", Employer},
	{"房地产", Employer}, {"地产", Employer}, {"置业", Employer}, {"物流", Employer},
	// a firm told by its trade (金匠装饰, 恒信派遣, 飞驰快递, 鸿运路桥) or by one
	// of its branches (飞驰二道江网点, 鑫通物流辉南分拣中心).
	{"装饰", Employer}, {"派遣", Employer}, {"快递", Employer}, {"速递", Employer}, {"路桥", Employer},
	{"网点", Employer}, {"站点", Employer}, {"分拣中心", Employer},
	// a works' lot (通集高速三标段): part of the project's name.
	{"标段", Site},
	// estates whose anchor is part of their name (锦绣华庭 is not 锦绣花园).
	{"华庭", Estate}, {"华亭", Estate}, {"豪庭", Estate}, {"水岸", Estate}, {"山庄", Estate}, {"名邸", Estate},
	// nurseries and driving schools told in full.
	{"托育中心", Shop}, {"托育", Shop}, {"托管班", Shop}, {"早教", Shop}, {"驾驶员培训学校", Shop}, {"驾驶培训学校", Shop},
	// trades a firm's name carries instead of 公司 (鹏程木业, 永信钢构).
	{"木业", Employer}, {"木材厂", Employer}, {"钢结构", Employer}, {"钢构", Employer}, {"机械", Employer},
	{"制造", Employer}, {"食品", Employer}, {"化工", Employer}, {"矿业", Employer}, {"砖厂", Employer},
	{"石材", Employer}, {"服装", Employer}, {"家具厂", Employer},
	{"工程队", Site}, {"施工队", Site}, {"工地", Site}, {"项目部", Site}, {"项目", Site}, {"工程", Site},
	{"小区", Estate}, {"花园", Estate}, {"家园", Estate}, {"公寓", Estate}, {"物业", Estate}, {"佳苑", Estate},
	{"名苑", Estate}, {"雅苑", Estate}, {"苑", Estate}, {"新城", Estate}, {"嘉园", Estate},
	{"健身房", Shop}, {"健身中心", Shop}, {"健身", Shop}, {"会所", Shop}, {"美容院", Shop}, {"美容", Shop},
	{"美发", Shop}, {"理发店", Shop}, {"超市", Shop}, {"商场", Shop}, {"培训学校", Shop}, {"培训班", Shop},
	{"培训", Shop}, {"教育", Shop}, {"游泳馆", Shop}, {"瑜伽", Shop}, {"洗浴", Shop}, {"饭店", Shop},
	{"酒店", Shop}, {"门店", Shop}, {"店", Shop}, {"驾校", Shop}, {"幼儿园", Shop}, {"学校", Shop}, {"培训机构", Shop},
	{"医院", Shop}, {"诊所", Shop}, {"药店", Shop}, {"宾馆", Shop}, {"餐厅", Shop}, {"饭馆", Shop}, {"商店", Shop},
	{"商城", Shop}, {"网吧", Shop}, {"车行", Shop}, {"汽修", Shop}, {"加油站", Shop}, {"中介", Shop}, {"婚介", Shop},
	{"养老院", Shop}, {"合作社", Employer}, {"农场", Employer}, {"养殖场", Employer}, {"煤矿", Employer}, {"矿", Employer},
	{"公馆", Estate}, {"华府", Estate}, {"广场", Estate}, {"大厦", Estate},
	{"村委会", Village}, {"村", Village}, {"屯", Village}, {"镇", Village}, {"乡", Village}, {"街道", Village},
})

func sortAnchors(as []anchor) []anchor {
	slices.SortStableFunc(as, func(a, b anchor) int { return len([]rune(b.word)) - len([]rune(a.word)) })
	return as
}

// generic words that a name carries but that do not tell one subject from
// another: dropped from the end of a name, repeatedly, to get its key.
var genericTails = sortWords([]string{
	"股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "有限", "股份", "集团", "总公司",
	"建筑工程", "建筑", "建设", "建工", "工程", "劳务", "装饰", "装修", "房地产开发", "房地产", "地产",
	"置业", "开发", "实业", "商贸", "贸易", "科技", "发展", "物流", "运输", "工地", "项目部", "项目",
	"施工队", "工程队", "小区", "花园", "家园", "公寓", "物业服务", "物业管理", "物业", "佳苑", "名苑",
	"雅苑", "新城", "嘉园", "服务", "管理", "健身房", "健身中心", "健身", "会所", "美容院", "美容", "美发",
	"超市", "商场", "培训学校", "培训班", "培训", "教育", "游泳馆", "瑜伽", "洗浴", "门店", "驾校",
	"村委会", "一期", "二期", "三期", "幼儿园", "学校", "培训机构", "医院", "诊所", "药店", "宾馆", "餐厅",
	"饭馆", "饭店", "酒店", "商店", "商城", "网吧", "车行", "汽修", "加油站", "房产中介", "中介", "婚介", "养老院",
	"合作社", "农场", "养殖场", "煤矿", "公馆", "华府", "广场", "大厦", "店", "分店", "总店",
	"木业", "木材", "钢结构", "钢构", "机械", "制造", "食品", "化工", "矿业", "石材", "服装", "家具",
	// An estate's 苑 (雅和苑 is 雅和, as 锦江花园 is 锦江); a project's
	// works (东盛路改造项目 is 东盛路, the name its workers shorten it to).
	"苑", "改造", "改建", "扩建", "新建", "维修", "翻新", "提升", "整治", "道路", "管网", "棚改",
	// services sold on a card, not names: 游泳健身卡 names no gym.
	"游泳", "私教", "理发", "烫染",
	// a branch or a trade told after a firm's name (飞驰快递二道江网点,
	// 通顺驾驶员培训学校, 小太阳早教托育).
	"网点", "站点", "分拣中心", "快递", "速递", "路桥", "托育中心", "托育", "托管班", "托管", "早教",
	"驾驶员培训", "驾驶培训", "驾驶员",
})

// keptAnchors are anchors that are part of the name they end: an estate
// called 锦绣华庭 is another than 锦绣花园, and a works' lot (三标段) is
// not the next lot.
var keptAnchors = map[string]bool{"华庭": true, "华亭": true, "豪庭": true, "水岸": true, "山庄": true, "名邸": true, "标段": true}

// denied names: runs that end in an anchor but name nothing in particular.
var deniedNames = map[string]bool{
	"我们": true, "你们": true, "他们": true, "咱们": true, "俺们": true, "这个": true, "那个": true, "一个": true,
	"这家": true, "那家": true, "一家": true, "某某": true, "黑心": true, "无良": true, "骗子": true, "私人": true,
	"本地": true, "外地": true, "附近": true, "隔壁": true, "对面": true, "我家": true, "俺家": true, "自己": true,
	"原来": true, "以前": true, "现在": true, "什么": true, "任何": true, "所有": true, "整个": true, "老家": true,
	"农村": true, "城里": true, "县里": true, "市里": true, "乡里": true, "镇里": true, "村里": true, "人家": true,
	"大家": true, "老板": true, "包工": true, "包工头": true, "开发商": true, "施工": true, "打工": true, "干活": true,
	"上班": true, "工作": true, "拆迁": true, "征收": true, "征地": true, "棚改": true, "搬迁": true, "新开": true,
	"那个破": true, "小": true, "大": true, "新": true, "老": true, "全": true, "这": true, "那": true, "各": true,
	"本": true, "该": true, "别": true, "每": true, "几": true, "两": true, "这些": true, "那些": true, "几家": true,
	"同一": true, "邻居": true, "邻居家": true, "一样": true, "住宅": true, "楼盘": true, "商品房": true, "回迁": true, "安置": true, "乡镇": true,
	"业主": true, "物业": true, "几个": true, "好几个": true, "各个": true, "整": true, "全体": true, "本村": true, "邻村": true, "我村": true,
}

// industries name a kind of firm, not one: 保险公司不赔 is about whichever
// insurer the case has, and three traffic cases saying so are no cluster.
var industries = []string{"保险", "快递", "物流", "热力", "供热", "供暖", "燃气", "煤气", "自来水", "供水", "供电", "电力",
	"电业", "电信", "移动", "联通", "银行", "信用社", "家政", "搬家", "外卖", "房产", "地产", "中介", "租房", "出租车",
	"网约车", "公交", "客运", "运输", "劳务派遣", "派遣", "装修", "装饰", "建筑", "建材", "婚庆", "旅行", "旅游", "网络",
	"电商", "汽车", "贷款", "小贷", "担保", "典当", "律师", "会计", "保安", "保洁", "环卫", "绿化", "殡葬", "医药",
	"私立", "民办", "公立", "国企", "私企", "外企", "黑", "小型", "大型", "个体", "施工", "开发", "广告", "通信", "有线",
	"有线电视", "宽带", "人民", "中心", "社区", "乡镇", "卫生", "卫生院"}

// events are what happened, read back into a name when the citizen runs
// on without a pause (出了车祸保险公司不赔): never a name themselves.
var events = []string{"车祸", "事故", "出事", "工伤", "工资", "工钱", "欠薪", "欠款", "医疗", "手术", "看病", "暖气",
	"停车", "车位", "电梯", "漏水", "补偿", "赔偿", "押金", "房租", "物业费", "取暖费", "学费", "会费", "充值", "退费"}

func init() {
	for _, w := range append(industries, events...) {
		deniedNames[w] = true
	}
	// A firm's industry goes with the rest of its generic tail:
	// 平安保险公司 is 平安.
	genericTails = sortWords(append(genericTails, industries...))
}

// boundary runes end a name when reading back from its anchor: function
// words and verbs that stand before a name but are never part of one.
const boundaryRunes = "的在是了给到去从跟和与被把对向找让叫说为就都也还又很没不啊呢吧吗嘛呀哦欠拖要干做住买办交等我你他她它们俺咱这那个些帮替请将由于往经过跑进回搬来听问告管"

// maxName is the longest run read back from an anchor: longer runs are
// sentences, not names.
const maxName = 10

// Subjects lists the subjects text names, each once (by key), in the order
// first met. prefixes are the region and city names to drop from the front
// of a name (通化, 柳河县, 三源浦镇 …), as Prefixes gives them.
func Subjects(text string, prefixes []string) []Subject {
	rs := []rune(fold(text))
	var out []Subject
	seen := map[string]bool{}
	for i := 0; i < len(rs); {
		a, ok := anchorAt(rs, i)
		if !ok {
			i++
			continue
		}
		name := readBack(rs, i, a.kind)
		s, ok := subjectOf(name, a, prefixes)
		if ok && !seen[s.Key] {
			seen[s.Key] = true
			out = append(out, s)
		}
		i += len([]rune(a.word))
	}
	return out
}

// demonstratives stand between a name and its anchor in speech (幸福城那个
// 工地, 东盛路那个项目部): read back over them to the name.
var demonstratives = []string{"那个", "这个", "那边的", "这边的", "那边", "这边", "那块的", "那块"}

// softBoundary are boundary runes that names carry too (雅和苑, 祥和小区,
// 和平小区, 向阳镇): read over when what was read so far is one rune (和平,
// 向阳), or none before an estate's or a place's anchor (雅和苑), unless
// what stands before is a word of no name (业主和物业, 老板和公司).
const softBoundary = "和向"

// readBack reads the name that ends just before the anchor (of kind kind)
// at i: at most maxName runes, stopping at a boundary rune, and at 镇 or
// 乡, which end a township's name (向阳镇桦树村 is 桦树村).
func readBack(rs []rune, i int, kind string) string {
	end := i
	for _, d := range demonstratives {
		w := []rune(d)
		if end-len(w) >= 0 && string(rs[end-len(w):end]) == d {
			end -= len(w)
			break
		}
	}
	start, soft := end, -1
	for start > 0 && end-start < maxName {
		r := rs[start-1]
		if r == '镇' || r == '乡' {
			break
		}
		if !nameRune(r) {
			read := end - start
			if soft >= 0 || !strings.ContainsRune(softBoundary, r) || !(read == 1 || read == 0 && (kind == Estate || kind == Village)) {
				break
			}
			soft = start - 1
		}
		start--
	}
	if soft > start && (deniedNames[string(rs[start:soft])] || deniedNames[stripLead(string(rs[start:soft]))]) {
		start = soft + 1
	}
	name := string(rs[start:end])
	if end < i && slices.ContainsFunc(whereWords, func(w string) bool { return strings.HasSuffix(name, w) }) {
		return "" // 我家后面那个厂子: a place told by where it is, not by name
	}
	return name
}

// whereWords end a phrase that says where something is, not what it is called.
var whereWords = []string{"后面", "前面", "旁边", "边上", "附近", "对面", "里面", "外面", "后边", "前边", "门口", "楼下", "楼上", "隔壁"}

// Primary is the subject a case is about among those it names: the kind
// that fits its type best (a wage complaint is about the employer first,
// then the site; a property complaint about the estate …), then the first
// named. ok is false when text names none.
func Primary(subjects []Subject, typ dispute.Type) (Subject, bool) {
	if len(subjects) == 0 {
		return Subject{}, false
	}
	order := preference(typ)
	best, rank := 0, len(order)+1
	for i, s := range subjects {
		r := slices.Index(order, s.Kind)
		if r < 0 {
			r = len(order)
		}
		// An estate's owners name the estate, and some its property
		// company too (恒远物业管的滨河家园): the estate, which every one
		// of them names, is the subject.
		// Likewise a village before its township (红石镇大沙村: 大沙村),
		// when the table does not know the township as a place.
		r *= 2
		if s.Kind == Estate && strings.HasSuffix(s.Name, "物业") ||
			s.Kind == Village && slices.ContainsFunc([]string{"镇", "乡", "街道"}, func(w string) bool { return strings.HasSuffix(s.Name, w) }) {
			r++
		}
		if r < rank {
			best, rank = i, r
		}
	}
	return subjects[best], true
}

func preference(typ dispute.Type) []string {
	switch typ {
	case dispute.Labor:
		return []string{Employer, Site, Shop, Estate, Village}
	case dispute.Property, dispute.Neighbor, dispute.Environment:
		return []string{Estate, Site, Employer, Shop, Village}
	case dispute.Consumer:
		return []string{Shop, Employer, Estate, Site, Village}
	case dispute.Expropriation, dispute.RuralLand, dispute.Administrative:
		return []string{Village, Site, Estate, Employer, Shop}
	}
	return []string{Employer, Site, Estate, Shop, Village}
}

// subjectOf makes the subject named by the run name before anchor a, or
// reports that the run names nothing in particular.
func subjectOf(name string, a anchor, prefixes []string) (Subject, bool) {
	name = stripLead(stripPrefixes(stripLead(name), prefixes))
	// A region or a township the table knows is a place, not a subject;
	// but estates are often named after their township or street (向阳花园
	// in 向阳镇, 光明小区): a bare place name before an estate's anchor is
	// the estate's name.
	if slices.Contains(prefixes, name+a.word) || slices.Contains(prefixes, name) && (a.kind != Estate || region(name, prefixes)) {
		return Subject{}, false
	}
	shown := name + a.word
	if a.kind == Employer {
		// A branch is its firm's: 宏远建筑通化县分公司, 飞驰快递二道江网点
		// are 宏远建筑, 飞驰快递.
		name = stripTrailPlace(name, prefixes)
	}
	core := name
	if keptAnchors[a.word] {
		core = name + a.word
	}
	for {
		t := trimTail(core)
		if t == core {
			break
		}
		core = t
	}
	core = stripStreet(stripPrefixes(core, prefixes))
	// A lot is written 三标段 and 三标 alike.
	core = strings.TrimSuffix(core, "标段") + map[bool]string{true: "标"}[strings.HasSuffix(core, "标段")]
	if a.kind == Village {
		// A village's key keeps its class apart from a firm of the same
		// words (红石村, 红石公司).
		if !validCore(core) {
			return Subject{}, false
		}
		return Subject{Kind: Village, Name: shown, Key: "村:" + key(core)}, true
	}
	if !validCore(core) {
		return Subject{}, false
	}
	kind := kindOf(name, a)
	trade := ""
	if kind == Shop {
		trade = TradeOf(shown)
	}
	return Subject{Kind: kind, Name: shown, Key: key(core), Trade: trade}, true
}

// stripTrailPlace drops a region or place the table knows from the end of
// a firm's name, where it says the branch (飞驰快递二道江 → 飞驰快递), when a
// name is left.
func stripTrailPlace(name string, prefixes []string) string {
	for _, p := range prefixes {
		if p != "" && strings.HasSuffix(name, p) && len([]rune(name))-len([]rune(p)) >= 2 {
			return strings.TrimSuffix(name, p)
		}
	}
	return name
}

// streets end the address a shop's name is often told with (新华大街老通化
// 饭店 is 老通化饭店): dropped with what comes before them when a name of two
// or more runes follows.
var streets = []string{"大街", "大道", "大路", "街", "路", "道"}

func stripStreet(core string) string {
	rs := []rune(core)
	for i := len(rs) - 3; i >= 2; i-- {
		for _, w := range streets {
			if strings.HasPrefix(string(rs[i:]), w) && len(rs)-i-len([]rune(w)) >= 2 {
				return string(rs[i+len([]rune(w)):])
			}
		}
	}
	return core
}

// region reports whether name is a county-level region or the city, by
// its full or its short name (柳河县, 柳河): never an estate's name.
func region(name string, prefixes []string) bool {
	return slices.ContainsFunc([]string{"市", "县", "区"}, func(s string) bool {
		return strings.HasSuffix(name, s) || slices.Contains(prefixes, name+s)
	})
}

// kindOf refines the anchor's kind by the generic words the name carries:
// 鑫达建筑工地 is a site, 锦江物业公司 an estate's property company.
func kindOf(name string, a anchor) string {
	switch {
	case a.kind == Employer && (strings.Contains(name, "物业") || strings.HasSuffix(name, "小区")):
		return Estate
	case a.kind == Employer && strings.HasSuffix(name, "健身"):
		return Shop
	}
	return a.kind
}

func validCore(core string) bool {
	n := len([]rune(core))
	if n < 2 || n > 8 || deniedNames[core] || slices.Contains(genericTails, core) {
		return false
	}
	r := []rune(core)
	// 一家, 两个, 几十: a count, not a name.
	return !(strings.ContainsRune("一二两三四五六七八九十几每这那某该本", r[0]) && strings.ContainsRune("家个户位名座处些十百", r[1]))
}

// leadWords are words of scorn or place that stand before a name without
// being part of it: 黑心鑫达 is 鑫达.
var leadWords = []string{"投诉", "举报", "反映", "起诉", "状告", "曝光", "邻居家", "邻居", "黑心", "无良", "骗子", "垃圾", "缺德", "那个", "这个", "一家", "这家", "那家", "本地",
	"外地", "附近", "隔壁", "对面", "新开", "某某", "某", "破"}

func stripLead(s string) string {
	for changed := true; changed; {
		changed = false
		for _, w := range leadWords {
			if strings.HasPrefix(s, w) && len([]rune(s)) > len([]rune(w))+1 {
				s, changed = strings.TrimPrefix(s, w), true
			}
		}
	}
	return s
}

// key is the matching key of a core name: as written for two characters,
// by sound (homophone classes) for three or more.
func key(core string) string {
	if len([]rune(core)) < 3 {
		return core
	}
	var b strings.Builder
	for _, r := range core {
		b.WriteRune(soundOf(r))
	}
	return b.String()
}

func trimTail(s string) string {
	for _, w := range genericTails {
		if strings.HasSuffix(s, w) && len(s) > len(w) {
			return strings.TrimSuffix(s, w)
		}
	}
	return s
}

// stripPrefixes drops region and city names (and a province) from the
// front, repeatedly: 吉林省通化市柳河县鑫达 → 鑫达.
func stripPrefixes(s string, prefixes []string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range append(prefixes, "吉林省", "吉林") {
			if p != "" && strings.HasPrefix(s, p) && len(s) > len(p) {
				s = strings.TrimPrefix(s, p)
				changed = true
			}
		}
		for _, p := range []string{"市", "县", "区", "省"} {
			if strings.HasPrefix(s, p) && len([]rune(s)) > 2 {
				s = strings.TrimPrefix(s, p)
				changed = true
			}
		}
	}
	return s
}

// Prefixes lists the names to drop from the front of a subject's name:
// the city's name with and without 市, each region's full name, its name
// without 县/区/市, its aliases and its places; longest first, so 梅河口市
// goes before 梅河口 could leave a stray 市.
func Prefixes(city string, regions [][]string) []string {
	var out []string
	add := func(n string) {
		if n == "" {
			return
		}
		out = append(out, n)
		r := []rune(n)
		if len(r) > 2 && strings.ContainsRune("市县区镇乡", r[len(r)-1]) {
			out = append(out, string(r[:len(r)-1]))
		}
	}
	add(city)
	for _, names := range regions {
		for _, n := range names {
			add(n)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// anchorAt is the longest anchor starting at rs[i]. It runs at every
// character of every message a citizen writes (the risk evaluation is in
// the callback's path), so the anchors are looked up by their first rune
// and compared as runes, with nothing allocated.
func anchorAt(rs []rune, i int) (anchor, bool) {
	if i < 0 || i >= len(rs) {
		return anchor{}, false
	}
	for _, a := range anchorsByFirst[rs[i]] {
		if i+len(a.rs) <= len(rs) && slices.Equal(rs[i:i+len(a.rs)], a.rs) {
			return a.anchor, true
		}
	}
	return anchor{}, false
}

// anchorRunes is an anchor with its word as runes.
type anchorRunes struct {
	anchor
	rs []rune
}

// anchorsByFirst indexes anchors by their first rune, longest first as in
// anchors.
var anchorsByFirst = func() map[rune][]anchorRunes {
	m := map[rune][]anchorRunes{}
	for _, a := range anchors {
		rs := []rune(a.word)
		m[rs[0]] = append(m[rs[0]], anchorRunes{a, rs})
	}
	return m
}()

func nameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) && !strings.ContainsRune(boundaryRunes, r)
}

// fold makes text comparable: Simplified characters for Traditional ones
// (the classifier's full table, OpenCC's single-character pairs: a
// citizen on a Traditional keyboard writes every character so, 濱河家園
// and 金豐勞務 as much as 錦江花園), full-width letters and digits as ASCII.
func fold(text string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		if s, ok := tradName[r]; ok {
			return s
		}
		return r
	}, routing.Simplified(text))
}

// sortWords orders words longest first, so the longest generic tail is
// dropped first (有限公司 before 公司).
func sortWords(ws []string) []string {
	slices.SortStableFunc(ws, func(a, b string) int { return len([]rune(b)) - len([]rune(a)) })
	return ws
}

// maxMention is the longest bare name Mentions offers.
const maxMention = 6

// Mentions lists what text might name without a word that marks a name
// (我在鑫达干了三个月: 鑫达): every run of two to maxMention name
// characters within the runs between boundary words, as a subject of no
// kind, and as a village. They are candidates only: the caller keeps
// those that are subjects of other cases lately (store.Risk's
// ActiveSubjects), since almost every run of characters names nothing.
func Mentions(text string, prefixes []string) []Subject {
	rs := []rune(fold(text))
	var out []Subject
	seen := map[string]bool{}
	add := func(s Subject) {
		if !seen[s.Key] {
			seen[s.Key] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(rs); {
		if !nameRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && nameRune(rs[j]) {
			j++
		}
		run := rs[i:j]
		for a := range run {
			for b := a + 2; b <= len(run) && b-a <= maxMention; b++ {
				name := string(run[a:b])
				if !validCore(name) || slices.Contains(prefixes, name) {
					continue
				}
				add(Subject{Name: name, Key: key(name)})
				add(Subject{Kind: Village, Name: name, Key: "村:" + key(name)})
			}
		}
		i = j
	}
	return out
}
