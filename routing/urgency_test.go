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
		{"", false},
	}
	for _, c := range cases {
		if got := DetectUrgent(c.text); got != c.want {
			t.Errorf("DetectUrgent(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
