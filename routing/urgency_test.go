package routing

import "testing"

func TestDetectUrgent(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		// Danger now: violence, threats, self-harm, crowds, fire, injury.
		{"他拿着菜刀在我家门口骂呢快来人", true},
		{"我老公正在打我 救命", true},
		{"他喝多了又开始打孩子", true},
		{"俺家男人喝完酒就动手 现在还在屋里砸东西", true},
		{"他说今晚就要弄死我全家", true},
		{"我不想活了，钱要不回来", true},
		{"去年开始就不想活了", true},
		{"婆婆喝药了，人已经昏迷了", true},
		{"工头再不给钱我就从楼上跳下去", true},
		{"一群人把厂门口的路堵上了", true},
		{"讨薪的工人在政府门口围堵", true},
		{"对面楼着火了，有人在里面", true},
		{"被打了，头出血了", true},
		{"去年就被他打过 今天他又拿刀来了", true},
		{"他現在正在打人", true}, // Traditional characters
		{"救命", true},
		{"老公拎着酒瓶子堵在卧室门口 我和孩子在里面", true},
		{"他掐着我脖子往墙上撞", true},
		{"我姐说她吃了一整瓶安眠药", true},
		{"拆迁的开着挖掘机进村了 我妈抱着门框不撒手", true},
		{"一群小混混把我儿子围在网吧门口打", true},
		{"放高利贷的把我弟弟扣下了", true},
		{"店主把门锁了 不让我们出去", true},
		{"电梯卡住了 孩子一个人在里面", true},
		{"邻居家着大火了 老太太还在屋里", true},
		{"工友从架子上掉下来 躺地上不动弹", true},

		// Past events, negations and words that only look violent.
		{"去年被打过一次 现在还没给赔偿", false},
		{"以前他喝多了打过我 现在分居了想离婚", false},
		{"前几天在饭店跟人打起来了 想让他赔医药费", false},
		{"没打人 就是吵了几句", false},
		{"他天天打我电话催债", false},
		{"楼上装修 我被打扰得睡不着", false},
		{"我想咨询下打官司要多少钱", false},
		{"邻居要砍我家门前的树", false},
		{"砍价砍了半天还是买贵了", false},
		{"过年杀了一头猪 邻居说味大", false},
		{"老板欠了三个月工资不给", false},
		// Figures of speech, recoveries and stories told as over.
		{"气得我想死 工钱一分没给", false},
		{"我想死的心都有了 儿媳妇天天跟我吵", false},
		{"想死你了闺女", false},
		{"车打不着火了 修车的说是油的问题", false},
		{"当时出了好多血 后来抢救过来了", false},
		{"手术的时候出血挺多 现在出院了", false},
		{"导游不买东西不让走 后来买了个镯子是假的", false},
		{"上个月电梯困了我二十分钟", false},
		{"拿砖顶工钱 我要砖有啥用", false},
		{"交警把我的车扣下了", false},
		{"邻居不让走他家门前的道", false},
		{"楼上着火那次把我家熏黑了", false},
		{"他家的狗把我的猫打伤了", false},
		{"欠钱的说要钱没有要命一条", false},
		{"", false},
	}
	for _, c := range cases {
		if got := DetectUrgent(c.text); got != c.want {
			t.Errorf("DetectUrgent(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
