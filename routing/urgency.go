package routing

import (
	"regexp"
	"strings"
)

// Urgency is rules, not the trained model: the corpus has too few people in
// danger to learn from, a miss may cost a life, and a rule can be read and
// argued with. The rules err on the side of alarm (a false alarm costs the
// citizen one extra sentence telling them to call 110/120); what calms a
// sign down is explicit: the past, a negation, a recovery, a story that
// goes on ("后来 …").
//
// A sign is a phrase (urgentPhrases) or a pattern (urgentPatterns) over
// normalised text. Each occurrence is judged by urgentAt.

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
	// notAfter lists what, right before the phrase, does the same: 打不着火
	// is an engine, 气得想死 a figure of speech.
	notAfter []string
	// objects lists things that, a few characters on in the same clause,
	// show the verb is aimed at no person: 要砍我家门前的树 is a tree. Kept
	// apart from unless because looking ahead is riskier: only verbs whose
	// everyday objects are plain nouns use it.
	objects []string
	// injury marks bodily harm that a recovery later in the message
	// ("抢救过来了", "出院了") puts in the past.
	injury bool
}

// objectWindow is how many runes after a phrase objects are looked for.
const objectWindow = 8

var (
	notAPhoneCall = []string{"电话", "手机", "的电话", "微信"}
	notAlive      = []string{"树都", "树", "苗都", "苗", "鱼都", "鱼", "庄稼都", "庄稼", "猪都", "猪", "鸡", "花"}
	figurative    = []string{"呛得", "呛得人", "熏得", "熏得人", "臭得", "臭得人", "气得", "气得我", "累得", "憋屈得", "吓得", "吓得都"}
	notAFight     = []string{"桩", "电话", "针", "工", "游戏", "麻将", "扑克", "牌", "官司", "听", "算盘", "字"}
	notAPerson    = []string{"树", "柴", "伐", "价", "猪", "鸡", "鸭", "鱼", "羊", "牛", "年猪", "墙", "房", "门前", "院", "猫", "狗", "鹅"}
)

// urgentPhrases errs on the side of alarm: a false alarm costs the citizen
// one extra sentence telling them to call 110/120, a missed one may cost a
// life. Only what urgentAt lists calms a phrase down.
var urgentPhrases = []urgentPhrase{
	// Violence under way or threatened.
	{phrase: "正在打", unless: notAFight}, {phrase: "在打我"}, {phrase: "还在打", unless: notAFight}, {phrase: "打我", unless: notAPhoneCall},
	{phrase: "打人", unless: []string{"家电话"}}, {phrase: "打起来"}, {phrase: "打群架"},
	{phrase: "打孩子"}, {phrase: "打老人"}, {phrase: "打她", unless: notAPhoneCall},
	{phrase: "打他", unless: append([]string{"们电话"}, notAPhoneCall...)},
	{phrase: "动手了"}, {phrase: "动手打"}, {phrase: "动上手"}, {phrase: "动起手"}, {phrase: "挨打"},
	{phrase: "干起来"}, {phrase: "打成一团"}, {phrase: "撕打"}, {phrase: "厮打"}, {phrase: "扭打"},
	{phrase: "被打", unless: []string{"扰", "折", "电话", "针", "官司", "了电话", "的", "过"}},
	{phrase: "揍我"}, {phrase: "往死里打"}, {phrase: "家暴"}, {phrase: "接着打"}, {phrase: "打得不轻"},
	{phrase: "掐我"}, {phrase: "掐着"}, {phrase: "掐脖子"}, {phrase: "按在地上"}, {phrase: "往墙上撞"},
	{phrase: "推搡"}, {phrase: "推倒", objects: notAPerson}, {phrase: "踹门"}, {phrase: "踹我"},
	{phrase: "揪着我"}, {phrase: "揪头发"}, {phrase: "揪着头发"}, {phrase: "踹开"}, {phrase: "踹坏"}, {phrase: "摔东西"}, {phrase: "掀桌子"},
	{phrase: "撕吧"}, {phrase: "撕扯"}, {phrase: "打仗"}, {phrase: "往死里"}, {phrase: "出人命"}, {phrase: "拼了", unless: []string{"命"}},
	{phrase: "躲在"}, {phrase: "锁着门"}, {phrase: "反锁"}, {phrase: "不敢出去", notAfter: figurative}, {phrase: "不敢回家", notAfter: figurative}, {phrase: "不敢开门", notAfter: figurative}, {phrase: "不敢出门", notAfter: figurative},
	{phrase: "跑出来了", notAfter: []string{"狗", "猫", "水", "鸡", "牛", "猪"}}, {phrase: "一直跟着我"}, {phrase: "跟着我到"}, {phrase: "尾随"},
	{phrase: "硬扒"}, {phrase: "强行扒"}, {phrase: "强行拆"}, {phrase: "抬走"}, {phrase: "喊救人"}, {phrase: "追我", unless: []string{"要", "讨", "债", "账"}}, {phrase: "追着打"}, {phrase: "追着砍"},
	{phrase: "围住"}, {phrase: "围着打"}, {phrase: "门口堵着"}, {phrase: "堵在门口"},
	{phrase: "要杀", objects: notAPerson}, {phrase: "杀人"}, {phrase: "杀了", objects: notAPerson},
	{phrase: "杀我", always: true}, {phrase: "杀你", always: true}, {phrase: "杀全家", always: true},
	{phrase: "宰了", objects: notAPerson}, {phrase: "打死我", always: true}, {phrase: "打死你", always: true},
	{phrase: "弄死", always: true}, {phrase: "整死", always: true}, {phrase: "同归于尽", always: true},
	{phrase: "一块死", always: true}, {phrase: "一起死", always: true},
	{phrase: "打断我的腿", always: true}, {phrase: "打断你的腿", always: true},
	{phrase: "砍人"}, {phrase: "砍我", objects: notAPerson}, {phrase: "砍伤"}, {phrase: "砍死"}, {phrase: "要砍", objects: notAPerson},
	{phrase: "来砍我"}, {phrase: "来砍他"}, {phrase: "来砍你"}, {phrase: "来砍人"}, {phrase: "乱砍"}, {phrase: "捅死"}, {phrase: "掐死"},
	{phrase: "拿刀"}, {phrase: "持刀"}, {phrase: "动刀"}, {phrase: "拿斧"},
	{phrase: "拿棍"}, {phrase: "拿棒子"}, {phrase: "拿枪"}, {phrase: "捅人"}, {phrase: "捅我"},
	{phrase: "捅伤"}, {phrase: "打伤", notAfter: []string{"猫", "狗", "鸡", "鸭", "牛", "羊"}}, {phrase: "绑架"}, {phrase: "关起来"}, {phrase: "关在"}, {phrase: "锁屋里"},
	{phrase: "锁在屋"}, {phrase: "赎人"}, {phrase: "跟踪"}, {phrase: "撬门"}, {phrase: "撬锁"},
	{phrase: "家里进人"},
	{phrase: "救命", always: true}, {phrase: "救救我", unless: []string{"们"}}, {phrase: "快来人"},
	{phrase: "快报警"}, {phrase: "帮我报警"}, {phrase: "救护车"}, {phrase: "打120"}, {phrase: "叫120"},
	{phrase: "120还没"},
	// Crowds and property being destroyed.
	{phrase: "堵路"}, {phrase: "堵马路"}, {phrase: "路堵上"}, {phrase: "堵住路"}, {phrase: "堵住了路"}, {phrase: "拦路"}, {phrase: "围堵"}, {phrase: "堵门"},
	{phrase: "路堵死"}, {phrase: "路给堵"}, {phrase: "路堵了"}, {phrase: "把路堵"}, {phrase: "拦着路"}, {phrase: "把门堵"},
	{phrase: "围攻"}, {phrase: "打砸"}, {phrase: "砸东西"}, {phrase: "砸门"},
	{phrase: "砸车"}, {phrase: "砸店"}, {phrase: "砸窗"}, {phrase: "砸玻璃"}, {phrase: "砸人", unless: []string{"家"}}, {phrase: "砸我", unless: []string{"们牌", "们的牌", "的牌", "牌", "饭碗", "招牌"}},
	{phrase: "头上砸"}, {phrase: "正在强拆"}, {phrase: "开始强拆"}, {phrase: "来强拆"}, {phrase: "强拆的人"},
	{phrase: "躺在铲车"}, {phrase: "躺在挖掘机"}, {phrase: "挡在铲车"}, {phrase: "挡在挖掘机"}, {phrase: "铲车前面"},
	// Fire, gas, bodily harm.
	{phrase: "着火", notAfter: []string{"打", "不", "怕", "防", "会", "易", "万一"}, unless: []string{"了都", "了怎么", "了咋"}}, {phrase: "起火"}, {phrase: "失火"}, {phrase: "放火"}, {phrase: "纵火"},
	{phrase: "着大火"}, {phrase: "火苗"}, {phrase: "烧起来"}, {phrase: "浓烟"}, {phrase: "爆炸"},
	{phrase: "点房子"}, {phrase: "烧房子"}, {phrase: "浇汽油"}, {phrase: "泼汽油"}, {phrase: "了汽油"}, {phrase: "汽油桶"},
	{phrase: "就点火"}, {phrase: "要点火"}, {phrase: "点火烧"}, {phrase: "自焚"},
	{phrase: "煤气泄漏"}, {phrase: "煤气中毒"}, {phrase: "气泄漏"}, {phrase: "毒气"}, {phrase: "漏气", notAfter: []string{"胎"}},
	{phrase: "煤气味"}, {phrase: "燃气味"}, {phrase: "熏倒"},
	{phrase: "出血", notAfter: []string{"脑", "胃", "消化道"}, injury: true}, {phrase: "流血", injury: true}, {phrase: "是血", unless: []string{"汗"}, injury: true},
	{phrase: "淌血", injury: true}, {phrase: "见血", injury: true}, {phrase: "好多血", injury: true},
	{phrase: "头破", injury: true}, {phrase: "打破头", injury: true}, {phrase: "头打破", injury: true}, {phrase: "头被打破", injury: true},
	{phrase: "昏迷", injury: true}, {phrase: "晕过去", injury: true}, {phrase: "昏过去", injury: true},
	{phrase: "晕倒", injury: true}, {phrase: "不省人事", injury: true}, {phrase: "不动弹", injury: true},
	{phrase: "一动不动", injury: true}, {phrase: "叫不醒", injury: true}, {phrase: "屋里没动静", injury: true},
	{phrase: "倒地上", injury: true}, {phrase: "倒在地上", injury: true}, {phrase: "躺地上", injury: true},
	{phrase: "起不来", injury: true},
	{phrase: "没气了", injury: true}, {phrase: "没呼吸", injury: true}, {phrase: "喘不上", notAfter: figurative, injury: true},
	{phrase: "呼吸不上", injury: true}, {phrase: "上不来气", injury: true}, {phrase: "喘气都费劲", injury: true},
	{phrase: "抽搐", injury: true}, {phrase: "抽上了", injury: true}, {phrase: "口吐白沫", injury: true},
	{phrase: "嘴唇紫", injury: true}, {phrase: "嘴唇都紫", injury: true}, {phrase: "发紫", injury: true}, {phrase: "脸紫", injury: true},
	{phrase: "都紫了", injury: true}, {phrase: "脸都是紫", injury: true}, {phrase: "脸是紫", injury: true},
	{phrase: "血止不住", injury: true}, {phrase: "止不住血", injury: true}, {phrase: "渗血", injury: true}, {phrase: "冒血", injury: true},
	{phrase: "意识不清", injury: true}, {phrase: "神志不清", injury: true}, {phrase: "人迷糊", injury: true}, {phrase: "有点迷糊", injury: true},
	{phrase: "快不行了", injury: true}, {phrase: "人不行了", injury: true}, {phrase: "已经不行了", injury: true},
	{phrase: "没救了", injury: true}, {phrase: "快死了", notAfter: notAlive, injury: true},
	{phrase: "压在下面"}, {phrase: "压着两个"}, {phrase: "压着人"}, {phrase: "埋了人"}, {phrase: "埋了两"}, {phrase: "被埋"},
	{phrase: "人卡在"}, {phrase: "卡在里面"}, {phrase: "困在"}, {phrase: "电梯卡住"}, {phrase: "困电梯"}, {phrase: "电梯里出不来"},
	{phrase: "爆了", notAfter: []string{"水管", "管子", "管", "胎", "气球", "灯泡", "股"}}, {phrase: "抬出来", injury: true}, {phrase: "冲天"}, {phrase: "抢方向盘"}, {phrase: "头晕呕吐"},
	{phrase: "偷着发"}, {phrase: "偷偷发"}, {phrase: "偷着给我发"}, {phrase: "偷偷给我发"}, {phrase: "偷着用别人"}, {phrase: "偷着用孩子"},
	// Self-harm.
	{phrase: "跳楼"}, {phrase: "跳河"}, {phrase: "跳江"}, {phrase: "卧轨"}, {phrase: "喝药"},
	{phrase: "喝农药"}, {phrase: "农药瓶"}, {phrase: "百草枯"}, {phrase: "安眠药"}, {phrase: "敌敌畏"}, {phrase: "耗子药"}, {phrase: "老鼠药"},
	{phrase: "烧炭"}, {phrase: "开煤气"}, {phrase: "安定片"}, {phrase: "活够了", always: true}, {phrase: "割腕"}, {phrase: "上吊"},
	{phrase: "自杀"}, {phrase: "轻生"}, {phrase: "爬到楼顶"}, {phrase: "爬上楼顶"}, {phrase: "爬到塔吊"}, {phrase: "爬上塔吊"}, {phrase: "塔吊上"}, {phrase: "站在窗台"}, {phrase: "往下跳"}, {phrase: "要跳", unless: []string{"槽", "舞", "绳"}},
	{phrase: "跳下来", always: true},
	{phrase: "寻死", always: true}, {phrase: "不想活", always: true}, {phrase: "活不下去", always: true},
	{phrase: "想死", always: true, unless: []string{"你", "我了", "人了", "的心"}, notAfter: []string{"得", "得我", "得人", "得我都"}},
	{phrase: "想不开", always: true}, {phrase: "一死了之", always: true},
	{phrase: "死给你看", always: true}, {phrase: "死给他们看", always: true}, {phrase: "跳下去", always: true},
	{phrase: "不活了", always: true}, {phrase: "活着没意思", always: true}, {phrase: "活着太累", always: true},
	{phrase: "死了算了", always: true}, {phrase: "死在这", always: true}, {phrase: "走绝路", always: true},
	{phrase: "遗书", always: true}, {phrase: "这辈子就这样", always: true}, {phrase: "下辈子", always: true}, {phrase: "永别", always: true},
}

// urgentPattern is a sign that a phrase list would spell out badly: holding
// a weapon, being held.
type urgentPattern struct {
	re      *regexp.Regexp
	unless  []string // as in urgentPhrase
	objects []string // in the matched text: no person is concerned
	injury  bool
}

var urgentPatterns = []urgentPattern{
	// Holding a weapon (拿着菜刀, 拎着铁锹, 操起椅子).
	{re: regexp.MustCompile(`(拿|拎|举|提|抄|握|掏|挥|抡|持|操)[^|]{0,4}?(刀|斧|棍|棒子|锹|镐|锄头|镰|枪|锤|扳手|钢管|铁管|砖头|汽油|硫酸|农药|家伙|凳子|椅子|酒瓶|剪子|剪刀|皮带|电棍|菜板)`)},
	// Swallowing a lot of something (吃了一整瓶药).
	{re: regexp.MustCompile(`(吃|喝|吞)了?(一整瓶|整瓶|一瓶|半瓶|一把|一大把|好多|一堆|一板)[^|]{0,3}(药|安定|安眠)`), unless: []string{"也不", "也没", "都不", "不管用"}},
	// Machines come to tear a home down (开着挖掘机进村了).
	{re: regexp.MustCompile(`(带着|开着|开来|开进|开到)[^|]{0,4}(铲车|挖掘机|钩机|勾机|推土机)|(铲车|挖掘机|钩机|勾机|推土机)[^|]{0,4}(来了|进村|进院|开进|开到|直奔)`), unless: []string{"在"}},
	// Someone held or taken (把我弟弟扣下了, 被他们带走了, 不让我们走).
	{re: regexp.MustCompile(`把(人|(我|他|她|俺)(们|弟弟|哥|姐|妹妹|儿子|女儿|闺女|孩子|老公|媳妇|爸|妈)?)(扣下|扣住|关|锁|绑)`)},
	{re: regexp.MustCompile(`(人被|被[^|]{0,4}(强行|硬))[^|]{0,4}带走`)},
	{re: regexp.MustCompile(`不让[^|]{0,3}?(走|出门|出去|离开)`), unless: []string{"道", "路", "这", "那", "他家", "我家", "过", "摆", "打工", "干"}},
	{re: regexp.MustCompile(`把(我|他|她|俺|人)[^|]{0,4}打(了|伤|倒|得)`), objects: append([]string{"玻璃", "窗", "碗", "电话"}, notAPerson...)},
	// A crowd turning on people or places (一群小混混把我儿子围在网吧门口打).
	{re: regexp.MustCompile(`(一帮|一伙|一群|一大帮|一大群|好几个|几十个|几十号|十几个|七八个)[^|]{0,8}?(打|砸|堵|围|冲|抢)`), unless: []string{"电话", "官司", "工", "牌", "听"}},
	{re: regexp.MustCompile(`(塞|拽|绑|拖)(上|进|到)?了?车|把(我|他|她|人|俺)[^|]{0,3}拉上车`)},
	{re: regexp.MustCompile(`(堵|围)在[^|]{0,6}打`)},
	{re: regexp.MustCompile(`(女儿|闺女|儿子|孩子|媳妇|妹妹|姐姐)卖了`)},
	// Bleeding (流了好多血, 血流了一地).
	{re: regexp.MustCompile(`流了?(好多|很多|一地|不少|一身)血`), injury: true},
}

// pastMarkers date an event in the past. "昨天" and "刚才" are deliberately
// absent (danger from last night may well still be there), and so is 过去,
// which is as often "went over (to hit someone)" as "in the past". 差点
// is an event that did not happen.
var pastMarkers = []string{
	"去年", "前年", "上个月", "上月", "上周", "上礼拜", "上个礼拜", "上星期", "前几天", "前些天", "前段时间",
	"以前", "之前", "曾经", "那年", "当年", "小时候", "几年前", "年前", "多年前", "早些年",
	"那次", "上次", "上回", "那会儿", "那会", "当时", "那时候", "那时", "有一回", "有一次", "那天",
	"前两年", "差点", "差一点",
}

// presentMarkers bring the clause back to now ("去年打过我现在又来了").
var presentMarkers = []string{
	"正在", "现在", "马上", "还在", "又", "刚才", "刚刚", "今天", "今晚", "此刻", "眼下",
}

// negations right before a phrase mean it did not happen ("没打人").
var negations = []string{"没", "没有", "不是", "并没", "未", "不会"}

// storyGoesOn, anywhere after a sign, shows it is told as something over
// ("不买东西就不让走 后来 …", "打起来了 没动手").
var storyGoesOn = []string{"后来", "最后", "放出来", "没动手", "没打起来", "拉开了", "劝开了", "劝住了", "没当回事", "不会真", "说说而已", "嘴上说"}

// recovered, anywhere after bodily harm, shows it is over.
var recovered = []string{"说是", "止住", "抢救过来", "出院", "醒了", "醒过来", "好了", "没事", "治好", "恢复", "缝了", "包扎", "住院", "保住"}

// DetectUrgent reports whether text says someone is in danger now: violence
// under way or threatened, someone held, self-harm, a crowd blocking a road
// or a door, fire or gas, heavy bleeding or unconsciousness. Events clearly
// told as past ("去年被打过", "当时昏迷了 后来醒了") do not count;
// thoughts of suicide and threats to kill always do.
//
// Besides the rules it asks the shipped model's urgency head, as Local does.
func DetectUrgent(text string) bool {
	n := normalize(text)
	if detectUrgent(n) {
		return true
	}
	if n == "" {
		return false
	}
	_, p := defaultModel().predict(n)
	return p >= urgentThreshold
}

func detectUrgent(n string) bool {
	for i := range urgentPhrases {
		p := &urgentPhrases[i]
		for from := 0; ; {
			j := strings.Index(n[from:], p.phrase)
			if j < 0 {
				break
			}
			j += from
			from = j + len(p.phrase)
			if urgentAt(n, j, from, p) {
				return true
			}
		}
	}
	for _, pat := range urgentPatterns {
		for _, m := range pat.re.FindAllStringIndex(n, -1) {
			if containsAny(n[m[0]:m[1]], pat.objects) {
				continue
			}
			if urgentAt(n, m[0], m[1], &urgentPhrase{unless: pat.unless, injury: pat.injury}) {
				return true
			}
		}
	}
	return false
}

// urgentAt decides one occurrence of p at n[i:j].
func urgentAt(n string, i, j int, p *urgentPhrase) bool {
	after, before := n[j:], n[:i]
	for _, u := range p.unless {
		if strings.HasPrefix(after, u) {
			return false
		}
	}
	for _, u := range p.notAfter {
		if strings.HasSuffix(before, u) {
			return false
		}
	}
	if p.always {
		return true
	}
	if len(p.objects) > 0 {
		ahead := after
		if k := strings.IndexByte(ahead, sep); k >= 0 {
			ahead = ahead[:k]
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
	// 被打过 / 砍过: the aspect particle 过 puts it in the past, and so
	// does an event named at once as one of the past (着火那次).
	// So does a count of times (晕倒了好几回).
	if strings.HasPrefix(after, "过") || hasPrefixAny(strings.TrimPrefix(after, "的"), pastEvent) ||
		hasPrefixAny(strings.TrimPrefix(after, "了"), timesOver) {
		return false
	}
	clause := before
	if k := strings.LastIndexByte(clause, sep); k >= 0 {
		clause = clause[k+1:]
	}
	for _, neg := range negations {
		if strings.HasSuffix(clause, neg) {
			return false
		}
	}
	// Past when the nearest time word before the sign is a past one.
	if past := lastIndexAny(clause, pastMarkers); past >= 0 && lastIndexAny(clause, presentMarkers) < past {
		return false
	}
	if pastEventAfter(after) || containsAny(after, storyGoesOn) {
		return false
	}
	if p.injury && containsAny(after, recovered) {
		return false
	}
	return true
}

// pastEventAfter reports whether text after a sign dates it: "… 那是前几天的事".
func pastEventAfter(after string) bool {
	for from := 0; ; {
		k := strings.Index(after[from:], "的事")
		if k < 0 {
			return false
		}
		k += from
		for _, m := range pastMarkers {
			if strings.HasSuffix(after[:k], m) {
				return true
			}
		}
		from = k + len("的事")
	}
}

// pastEvent, right after a sign, names it as an event of the past.
var pastEvent = []string{"那次", "那回", "那年", "那天", "那会"}

// timesOver, right after a sign, counts it as something that happened
// again and again before.
var timesOver = []string{"好几回", "好几次", "几回", "几次", "多次", "两回", "两次", "一回", "一次"}

func hasPrefixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
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
