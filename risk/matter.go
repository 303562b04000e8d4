package risk

import (
	"slices"
	"strings"

	"jiefen/dispute"
)

// The classifier types a case by its whole story, and a story about one
// matter often says words of another (俺媳妇在金丰干了半年 … 开支: a wage
// complaint read as family; 家里老人看病等着用: read as medical). A
// cluster holds cases of one family of types, so such a case would be
// left out of its group. TypeFor corrects the type the clustering uses
// (never the case's own) when the text plainly says one matter and the
// classifier's type is not it.

// evidence lists, per family, words that say the matter plainly. Words a
// story of any matter may carry (老板, 钱, 媳妇, 看病) are left out. Only
// the matters clusters are about (wages, cards, estates, expropriation)
// are ever given: the others' words only stop a correction (邻居 in 借给
// 邻居的钱 is a party, not the matter, yet it makes the story two matters).
var evidence = []struct {
	typ   dispute.Type
	words []string
}{
	{dispute.Labor, []string{"工资", "工钱", "欠薪", "薪水", "开支", "台班费", "劳务费", "血汗钱", "农民工", "包工头", "班组", "工友", "加班费", "辞退", "工伤"}},
	{dispute.Consumer, []string{"会员卡", "储值卡", "充值卡", "年卡", "办卡", "卡里", "充值", "储值", "预付", "退费", "学费", "私教", "会员", "退款", "假货", "定金", "订金", "全款", "学车", "练车"}},
	{dispute.Property, []string{"物业", "业主", "取暖费", "维修基金", "交房", "房贷"}}, // 交房, 房贷: a flat bought and not handed over is the estate's matter
	{dispute.Expropriation, []string{"征地", "征收", "拆迁", "补偿款", "安置房", "棚改"}},
	{dispute.Neighbor, []string{"邻居", "楼上", "楼下", "隔壁", "对门"}},
	{dispute.Family, []string{"离婚", "抚养", "赡养", "彩礼", "家暴", "遗产", "继承", "养老钱", "探视", "前夫", "前妻"}},
	{dispute.Medical, []string{"医院", "手术", "医生", "误诊", "住院", "诊所", "输液", "医疗"}},
	{dispute.Traffic, []string{"车祸", "追尾", "撞了", "交通事故", "肇事", "被撞"}},
}

// Evident lists the families of types whose plain words text carries.
// A card bought (办了两年的卡, 办的烫染卡: 办 and 卡 a few characters
// apart) is a consumer's matter.
func Evident(text string) []string {
	t := fold(text)
	var out []string
	for _, e := range evidence {
		hit := slices.ContainsFunc(e.words, func(w string) bool { return strings.Contains(t, w) })
		if e.typ == dispute.Consumer && !hit {
			hit = boughtCard(t)
		}
		if hit {
			out = append(out, Family(e.typ))
		}
	}
	return out
}

func boughtCard(t string) bool {
	rs := []rune(t)
	for i, r := range rs {
		if r != '办' {
			continue
		}
		for j := i + 1; j < len(rs) && j <= i+6; j++ {
			if rs[j] == '卡' {
				return true
			}
		}
	}
	return false
}

// TypeFor is the type the clustering gives a case the classifier typed
// typ, from what its texts say: typ, unless the texts plainly say exactly
// one matter and it is not typ's, then that matter's type. The type other
// (the classifier could not place the story) is kept: it joins any
// family's cluster already (Compatible).
func TypeFor(typ dispute.Type, texts ...string) dispute.Type {
	if typ == dispute.Other {
		return typ
	}
	ev := Evident(strings.Join(texts, "\n"))
	// A homestead's wall or boundary quarrelled over with a neighbour is
	// the neighbours' matter, not the village's expropriation that a land
	// case would otherwise join (Family). Farmland a neighbour took stays
	// a land matter.
	if typ == dispute.RuralLand && slices.Equal(ev, []string{string(dispute.Neighbor)}) && homestead(strings.Join(texts, "\n")) {
		return dispute.Neighbor
	}
	if len(ev) != 1 || slices.Contains(ev, Family(typ)) {
		return typ
	}
	switch t := dispute.Type(ev[0]); t {
	case dispute.Labor, dispute.Consumer, dispute.Property, dispute.Expropriation:
		return t
	}
	return typ
}

// homestead reports whether text is about a homestead's bounds: its
// wall, its line, the plot itself.
func homestead(text string) bool {
	t := fold(text)
	return slices.ContainsFunc([]string{"宅基地", "院墙", "围墙", "地界", "边界"}, func(w string) bool { return strings.Contains(t, w) })
}
