package risk

// Homophone classes of characters common in the names of firms, estates,
// shops and villages: characters a citizen typing by pinyin (or a voice
// input) puts for one another. A key of three or more characters is
// written in each class's first character, so 幸福里 and 幸福丽 meet; a
// character outside every class stands for itself. The classes hold only
// characters of the same syllable (tones aside): 江 and 山 never meet.
var homophones = []string{
	"鑫新欣心馨信辛芯", "达大答", "源元园圆远原缘", "华化花桦", "建健剑键", "锦金今进晋津",
	"江疆姜将", "盛胜圣晟", "隆龙", "泰太", "恒衡", "宏鸿红洪弘", "丰峰风锋枫", "瑞睿锐",
	"佳家嘉加", "豪浩好皓昊", "祥翔详", "福富复", "兴星", "里丽利力立理李", "城成诚承程",
	"安岸", "平萍苹", "顺舜", "通同彤", "东冬", "明铭鸣名", "阳洋扬杨", "景京晶精井",
	"海", "和合禾河何", "美梅玫", "乐", "君军俊骏", "凯恺", "润", "荣融容蓉", "天田甜",
	"博波柏", "宇雨语玉御裕", "嘉", "鹏朋", "德得", "泽则", "汇惠慧辉", "万湾", "亿义易益艺",
	"正政", "中忠钟", "旺望", "鼎顶", "林霖琳临", "春纯", "秋丘", "雅亚", "苑院愿", "湖虎", "山", "庭亭廷婷",
}

var soundClass = func() map[rune]rune {
	m := map[rune]rune{}
	for _, c := range homophones {
		rs := []rune(c)
		for _, r := range rs {
			if _, ok := m[r]; !ok {
				m[r] = rs[0]
			}
		}
	}
	return m
}()

func soundOf(r rune) rune {
	if s, ok := soundClass[r]; ok {
		return s
	}
	return r
}

// tradName maps Traditional characters of names to Simplified: citizens
// with a Traditional keyboard write 錦江花園 for 锦江花园.
var tradName = func() map[rune]rune {
	const pairs = "錦锦園园華华達达鑫鑫興兴業业區区縣县鎮镇鄉乡莊庄廠厂團团層层樓楼築筑設设務务" +
		"購购發发東东陽阳龍龙風风豐丰廣广場场號号際际開开匯汇鴻鸿盛盛順顺銀银" +
		"門门寶宝萬万億亿義义憶忆亞亚灣湾嶺岭億亿貿贸資资產产麗丽體体師师館馆課课衛卫"
	m := map[rune]rune{}
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}()
