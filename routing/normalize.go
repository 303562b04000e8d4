package routing

import (
	"strings"
	"unicode"
)

// sep replaces punctuation and spaces in normalised text. Citizens who skip
// punctuation often separate clauses with spaces, and urgency needs clause
// boundaries, so both become this one marker; no phrase contains it.
const sep = '|'

// tradPairs maps Traditional characters common in complaints (and in the
// seed news report) to Simplified, two runes per pair. Only characters that
// are never correct in Simplified text are listed: 著 (著作权) and 乾 are
// left alone because mapping them would break Simplified words.
const tradPairs = "" +
	"醫医療疗們们資资賠赔償偿錢钱讓让說说這这個个車车禍祸門门業业費费離离養养權权" +
	"勞劳動动爭争議议糾纠紛纷鄰邻樓楼聲声貸贷還还買买賣卖貨货質质標标專专徵征遷迁" +
	"補补環环汙污廠厂農农縣县區区東东輝辉殺杀藥药燒烧點点頭头發发險险診诊術术給给" +
	"開开關关應应該该會会過过時时間间長长張张問问題题麼么麽么嗎吗幫帮謝谢請请號号" +
	"裡里裏里當当將将對对與与從从辦办處处決决認认識识證证據据報报實实現现進进週周" +
	"為为來来沒没鬧闹響响寵宠貓猫牆墙樹树擋挡電电維维戶户網网購购預预騙骗約约債债" +
	"務务條条裝装盜盗夥伙產产罰罚執执許许鄉乡鎮镇組组劃划線线屬属歲岁兒儿婦妇聯联" +
	"贍赡撫抚繼继遺遗囑嘱傷伤殘残難难聽听見见覺觉歡欢氣气熱热圍围擊击搶抢錯错誤误" +
	"壞坏結结負负責责雙双剛刚後后麗丽廣广場场園园鐵铁龍龙嶺岭營营灣湾華华陽阳紅红" +
	"興兴樂乐爐炉頂顶臺台財财涼凉勝胜團团帳账賬账飯饭館馆驗验檢检測测護护師师導导" +
	"輛辆駕驾駛驶闖闯機机託托貼贴貧贫窮穷鬥斗訴诉訟讼調调幾几萬万塊块億亿員员單单" +
	"總总經经廳厅燈灯壓压廢废塵尘劑剂級级無无麵面髒脏亂乱讀读書书學学爺爷孫孙媽妈" +
	"親亲漢汉喪丧墳坟鍋锅滲渗濕湿黴霉噸吨輪轮講讲話话語语種种糧粮穀谷僱雇辭辞職职" +
	"傭佣項项紀纪錄录態态險险護护慮虑懷怀館馆鋪铺價价賺赚虧亏損损貿贸滅灭災灾" +
	"礙碍縱纵衝冲擔担歸归憑凭嚇吓罵骂偉伟傳传億亿僅仅優优兩两倆俩區区醬酱療疗" +
	"飲饮餵喂藝艺蘭兰驅驱骯肮齊齐嚴严囉啰啟启滿满溝沟漲涨濟济灑洒濫滥瀋沈爭争狀状" +
	"獎奖環环瑪玛畫画療疗癒愈發发盡尽盤盘監监睜睁矯矫碼码礎础禮礼稅税穩稳築筑簽签" +
	"簡简粵粤糾纠紋纹紙纸級级納纳紐纽純纯細细終终組组絕绝給给統统絲丝綁绑綠绿緊紧" +
	"線线練练縮缩績绩織织繳缴續续罷罢羅罗腦脑膽胆舉举艱艰莊庄蔭荫蘇苏蟲虫衛卫襲袭" +
	"規规視视親亲觀观訂订計计記记訪访設设診诊詢询該该詳详誠诚誰谁課课談谈請请諾诺" +
	"謊谎譜谱讚赞貝贝負负貸贷費费資资賊贼賦赋賭赌贈赠趕赶趙赵躍跃軟软較较載载輔辅" +
	"輕轻轉转辦办農农遲迟邊边郵邮鄭郑醜丑鈔钞鋼钢錦锦鎖锁鏈链鐘钟門门閃闪閉闭問问" +
	"閘闸閱阅闊阔陳陈陸陆隊队階阶際际隨随隱隐雜杂雞鸡離离雲云電电靈灵靜静韓韩" +
	"順顺須须頻频顧顾風风飛飞餘余馬马騷骚驚惊髮发鬆松魚鱼鳥鸟鴨鸭鹽盐麥麦黨党齡龄"

var tradToSimp = func() map[rune]rune {
	m := make(map[rune]rune, 2800)
	for _, pairs := range []string{tradPairs, tradPairsOpenCC} {
		rs := []rune(pairs)
		for i := 0; i+1 < len(rs); i += 2 {
			if _, done := m[rs[i]]; !done && rs[i] != rs[i+1] {
				m[rs[i]] = rs[i+1]
			}
		}
	}
	return m
}()

// typos rewrites misspellings seen in typed and voice-recognised complaints
// (homophones, mostly) and dialect words, so phrase lists need only the
// standard form. Applied after Traditional→Simplified mapping.
var typos = strings.NewReplacer(
	"离昏", "离婚",
	"赔尝", "赔偿",
	"陪偿", "赔偿",
	"补尝", "补偿",
	"工姿", "工资",
	"公资", "工资",
	"公伤", "工伤",
	"拆签", "拆迁",
	"拆千", "拆迁",
	"宅机地", "宅基地",
	"宅积地", "宅基地",
	"物叶", "物业",
	"邻具", "邻居",
	"林居", "邻居",
	"抚样", "抚养",
	"扶养费", "抚养费",
	"赡样", "赡养",
	"车货", "车祸",
	"甚么", "什么",
	"嘎哈", "干啥",
	"干哈", "干啥",
	"啥时侯", "啥时候",
)

// normalize prepares text for phrase matching: Traditional characters become
// Simplified, full-width ASCII becomes half-width and lower case, runs of
// spaces and punctuation become one sep, and common typos are corrected.
func normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	lastSep := true // drop leading separators
	for _, r := range text {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII block
			r -= 0xFEE0
		}
		if s, ok := tradToSimp[r]; ok {
			r = s
		}
		switch {
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == sep:
			if !lastSep {
				b.WriteRune(sep)
				lastSep = true
			}
			continue
		case unicode.IsControl(r) || r == '\uFE0F' || r == '\u200B':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
		lastSep = false
	}
	return typos.Replace(strings.TrimSuffix(b.String(), string(sep)))
}

// Simplified turns Traditional characters into Simplified ones and leaves
// everything else as it is: for reading a citizen's short answers and
// commands ("進度", "確認") the way the Simplified ones are read.
func Simplified(text string) string {
	return strings.Map(func(r rune) rune {
		if s, ok := tradToSimp[r]; ok {
			return s
		}
		return r
	}, text)
}
