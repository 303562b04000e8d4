package routing

import (
	"cmp"
	"slices"
	"strings"
)

// regionAliases lists, per region, the ways citizens name it: the full name,
// the name without 区/县/市, colloquial short forms, and the townships and
// street offices (乡镇/街道) inside it, plus a few landmarks people give as
// their address, and 美河口, which voice input makes of 梅河口. Names that
// are ordinary words or recur elsewhere in China (朝阳, 光明, 山城, 大安,
// 清河, 海龙 …) are listed only with their 镇/乡/街道 suffix.
// 团结街道 exists in both 东昌区 and 集安市, so it is left out. 通化 and 通化市
// are the whole city, not a region, and so appear nowhere here.
var regionAliases = map[string][]string{
	"东昌区": {
		"东昌区", "东昌",
		"老站街道", "老站", "新站街道", "新站", "民主街道", "东昌街道", "光明街道", "龙泉街道",
		"金厂镇", "江东乡", "环通乡", "环通", "玉皇山",
	},
	"二道江区": {
		"二道江区", "二道江",
		"东通化街道", "东通化", "桃源街道", "五道江镇", "五道江", "铁厂镇", "鸭园镇", "鸭园", "二道江乡",
		"通钢",
	},
	"通化县": {
		"通化县",
		"快大茂镇", "快大茂", "二密镇", "二密", "果松镇", "果松", "英额布镇", "英额布", "光华镇",
		"大泉源", "金斗乡", "金斗", "三棵榆树", "西江镇", "大安镇", "兴林镇", "兴林", "东来乡",
		"石湖镇", "四棚乡", "四棚",
	},
	"辉南县": {
		"辉南县", "辉南",
		"朝阳镇", "样子哨", "杉松岗", "石道河", "辉发城", "抚民镇", "抚民", "金川镇", "金川", "庆阳镇",
		"楼街乡", "楼街朝鲜族", "龙湾",
	},
	"柳河县": {
		"柳河县", "柳河",
		"三源浦", "红石镇", "驼腰岭", "孤山子", "圣水河子", "圣水", "罗通山", "安口镇", "安口", "向阳镇",
		"凉水河子", "时家店", "柳南乡", "姜家店", "亨通镇",
	},
	"梅河口市": {
		"梅河口市", "梅河口", "梅河", "美河口",
		"海龙镇", "山城镇", "红梅镇", "新合镇", "曙光镇", "中和镇", "黑山头", "水道镇",
		"进化镇", "一座营", "康大营", "牛心顶", "杏岭镇", "杏岭", "湾龙镇", "湾龙", "兴华镇", "李炉乡", "李炉", "小杨乡",
		"新华街道", "和平街道", "福民街道", "解放街道",
	},
	"集安市": {
		"集安市", "集安",
		"清河镇", "太王镇", "太王", "头道镇", "花甸镇", "花甸", "台上镇", "财源镇", "大路镇", "青石镇",
		"榆林镇", "麻线乡", "凉水乡", "凉水朝鲜族", "黎明街道", "通胜街道",
		"高句丽", "丸都山城", "国内城", "将军坟", "五女峰",
	},
}

type regionAlias struct {
	alias, region string
}

// regionIndex maps an alias's first rune to the aliases starting with it,
// longest first, so the scan in DetectRegion prefers 梅河口 over 梅河 and
// 凉水河子 (柳河县) over 凉水 at the same position.
var regionIndex = func() map[rune][]regionAlias {
	idx := map[rune][]regionAlias{}
	for region, aliases := range regionAliases {
		for _, a := range aliases {
			first := []rune(a)[0]
			idx[first] = append(idx[first], regionAlias{a, region})
		}
	}
	for _, list := range idx {
		slices.SortFunc(list, func(x, y regionAlias) int {
			return cmp.Or(cmp.Compare(len(y.alias), len(x.alias)), cmp.Compare(x.alias, y.alias))
		})
	}
	return idx
}()

// DetectRegion returns the region of 通化市 that text names (one of
// dispute.Regions), or "" when it names none or only the city itself
// (通化, 通化市). When several are named, the first mentioned wins: people
// usually start with where they live.
func DetectRegion(text string) string {
	return detectRegion(normalize(text))
}

func detectRegion(n string) string {
	for i, r := range n {
		for _, a := range regionIndex[r] {
			if strings.HasPrefix(n[i:], a.alias) {
				return a.region
			}
		}
	}
	return ""
}
