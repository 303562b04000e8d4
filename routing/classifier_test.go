package routing

import (
	"context"
	"strings"
	"sync"
	"testing"

	"jiefen/dispute"
)

// Complaints as citizens write them: colloquial, 东北话, no punctuation,
// sometimes Traditional characters or typos.
var classifyCases = []struct {
	text string
	want dispute.Type
}{
	{"昨天晚上在新站那个路口，一个开面包的把我家老爷子给刮倒了，腿骨折了，对方就是拖着不给赔", dispute.Traffic},
	{"我骑电动车让大货给别了 人摔出去好几米 交警说对方全责 可他家一分钱不拿", dispute.Traffic},
	{"出租车追尾了我的车司机死活不承认咋整", dispute.Traffic},
	{"在柳河县城被一辆酒驾的车撞了，肇事的跑了", dispute.Traffic},
	{"我在梅河口被車撞了，對方司機跑了，保險公司也不管", dispute.Traffic},

	{"我妈在县医院做的胆囊手术，出院以后一直发烧，又送回去说是感染了，医院说不是他们的责任", dispute.Medical},
	{"孩子发烧去诊所打了一针回来全身起疙瘩大夫说是过敏不认账", dispute.Medical},
	{"俺家老头子在卫生院输液输出事了，他们得给个说法", dispute.Medical},
	{"拔牙拔错了 好牙给我拔了 牙科诊所不给退钱", dispute.Medical},

	{"俺在工地干了大半年，包工头到年底一分钱没给，现在人都找不着了", dispute.Labor},
	{"我在市医院当保洁，三个月工资没发了，找谁要啊", dispute.Labor},
	{"公司突然把我开了也没说为啥合同还没到期补偿一分没有", dispute.Labor},
	{"老板跑了 欠俺们十几个人的工钱 这是嘎哈呢", dispute.Labor},
	{"干活把手给轧了，厂里不给算公伤", dispute.Labor},

	{"俺家那口子天天喝酒不着家，这日子没法过了，想离，孩子得跟我", dispute.Family},
	{"我哥几个都不管我妈，老太太八十多了，就我一个人养着", dispute.Family},
	{"离昏三年了，前夫一分抚养费都没给过", dispute.Family},
	{"我爸走了以后我大哥把房子占了说是爹留给他的也没有遗嘱", dispute.Family},

	{"楼上那家天天半夜剁馅子，咚咚的，找他好几回了也不听", dispute.Neighbor},
	{"邻居家的狗见人就咬，把我孙子咬了，他家还说我们逗狗", dispute.Neighbor},
	{"后院那家把墙往我家这边挪了半米，还把道给挡上了，出不去门", dispute.Neighbor},
	{"隔壁装修一个多月了电钻从早响到晚孩子没法写作业", dispute.Neighbor},
	{"楼上卫生间漏水，把我家天棚都泡了，他家不给修", dispute.Neighbor},

	{"我们小区电梯坏了俩月了，物业光收钱不修", dispute.Property},
	{"交了取暖费屋里才十五度，找供热那边就说正常", dispute.Property},
	{"物叶不让业主自己成立业委会，还把社区用房租出去开了个麻将馆", dispute.Property},
	{"开发商交房后车位一直锁着，业主停车都没地方", dispute.Property},

	{"前年借给我表哥五万块钱，有借条，到现在一分不还，电话也不接", dispute.ContractDebt},
	{"装修队收了我两万定金，干了一半人不来了", dispute.ContractDebt},
	{"租的房子到期了 房东扣着押金不退 说墙脏了", dispute.ContractDebt},
	{"从个人手里买了辆二手车，开了一个月发动机就坏了，卖车的不认", dispute.ContractDebt},

	{"在超市买的牛奶过期了 喝完孩子拉肚子 超市就给退个钱完事", dispute.Consumer},
	{"健身房老板跑路了，我卡里还剩三千多", dispute.Consumer},
	{"网上买的羽绒服，到手跟图片不一样，商家不给退", dispute.Consumer},
	{"在4S店提的新车 一个月就漏油 他们说不是质量问题", dispute.Consumer},
	{"去集安旅游跟团，导游非把我们拉到购物店买东西", dispute.Consumer},

	{"我们厂注册的商标让别人用上了，他们卖的东西跟我们一样", dispute.IP},
	{"我写的文章被人原封不动搬运走了也没署名", dispute.IP},
	{"我家做的人参酒被人仿冒包装，冒用我们的牌子", dispute.IP},
	{"我申请了专利的一个小发明，被旁边厂子照着做了", dispute.IP},

	{"我们公司给对方供了一百多万的货，对方公司拖着货款不结", dispute.Commercial},
	{"跟人合伙开饭店，现在他把账都攥着不给我看，分红也不给", dispute.Commercial},
	{"我是那家公司的小股东，大股东把钱都转走了", dispute.Commercial},
	{"供货商破产了我们作为债权人怎么申报", dispute.Commercial},

	{"修高速占了我家房子，给的补偿款太少了，跟邻村差一大截", dispute.Expropriation},
	{"棚户区改造说好了回迁，现在楼盖好了不让我们回去", dispute.Expropriation},
	{"来一帮人把我家房子给扒了，也没谈好补偿", dispute.Expropriation},
	{"征地的时候地上的果树没给算钱", dispute.Expropriation},

	{"我家低保说停就停了，去民政问也不给个理由", dispute.Administrative},
	{"城管把我摆摊的三轮车收走了，也不开单子", dispute.Administrative},
	{"退休手续办了半年了，社保局那边一直卡着，养老金一分没见着", dispute.Administrative},
	{"开个小卖店办营业执照，跑了五趟窗口都说材料不对", dispute.Administrative},

	{"我们村边上的养猪场粪水直接往河里排，一到夏天臭得没法开窗", dispute.Environment},
	{"楼下饭店的油烟机正对着我家窗户，一天到晚一股油烟味", dispute.Environment},
	{"哈尼河那段水发黑鱼都死了上游有个厂子偷着排水", dispute.Environment},
	{"工地晚上十一二点还在打桩，根本睡不着", dispute.Environment},

	{"俺家那两垧地让村里给包出去了，一分钱没给俺", dispute.RuralLand},
	{"宅基地跟老邻居差了一米多，他非说是他家的", dispute.RuralLand},
	{"承包的林地到期了，村委会不让续包，要收回去", dispute.RuralLand},
	{"我家的苞米地被隔壁屯的人给种了", dispute.RuralLand},

	{"有人在网上造谣说我卖假药，现在都没人来我店里了", dispute.Other},
	{"我被网上刷单的骗了八千块，能找回来吗", dispute.Other},
	{"想找个律师问问，我这个情况能不能告", dispute.Other},
	{"我家孩子在学校被同学欺负，老师也不管", dispute.Other},

	{"你好", dispute.None},
	{"您好，在吗？", dispute.None},
	{"谢谢你们！", dispute.None},
	{"这个公众号怎么用啊", dispute.None},
	{"你们是嘎哈的", dispute.None},
	{"嗯嗯 好的", dispute.None},
	{"早上好👍", dispute.None},
	{"请问怎么申请调解", dispute.None},
	{"", dispute.None},
	{"   ", dispute.None},
}

func TestClassify(t *testing.T) {
	l := NewLocal(Builtin().City())
	seen := map[dispute.Type]int{}
	for _, c := range classifyCases {
		got, err := l.Classify(context.Background(), c.text)
		if err != nil {
			t.Fatalf("Classify(%q): %v", c.text, err)
		}
		if got.Type != c.want {
			t.Errorf("Classify(%q) = %s (%.2f), want %s", c.text, got.Type, got.Confidence, c.want)
		}
		if got.Confidence < 0 || got.Confidence > 1 {
			t.Errorf("Classify(%q) confidence %v out of range", c.text, got.Confidence)
		}
		seen[c.want]++
	}
	for _, typ := range append(dispute.Types, dispute.None) {
		if seen[typ] < 3 {
			t.Errorf("only %d test complaints for %s", seen[typ], typ)
		}
	}
}

func TestClassifyConfidence(t *testing.T) {
	l := NewLocal(Builtin().City())
	conf := func(text string) float64 {
		r, _ := l.Classify(context.Background(), text)
		return r.Confidence
	}
	clear := conf("包工头拖欠工资半年了，欠薪三万多，劳动监察也不管")
	split := conf("在医院把腿摔了，医生说要手术，工地老板不给拿钱")
	weak := conf("我要投诉")
	if clear < 0.8 {
		t.Errorf("clear labor complaint: confidence %.2f, want >= 0.8", clear)
	}
	if split >= clear {
		t.Errorf("split signals: confidence %.2f not below clear %.2f", split, clear)
	}
	if weak > 0.5 {
		t.Errorf("bare grievance: confidence %.2f, want <= 0.5", weak)
	}
}

func TestClassifyFillsUrgentAndRegion(t *testing.T) {
	r, err := NewLocal(Builtin().City()).Classify(context.Background(), "我在柳河红石镇 邻居拿刀在我家门口骂 说要砍我")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Urgent || r.Region != "柳河县" {
		t.Errorf("got %+v, want urgent in 柳河县", r)
	}
	// Danger with no other signal must still become a case.
	r, _ = NewLocal(Builtin().City()).Classify(context.Background(), "救命")
	if r.Type == dispute.None || !r.Urgent {
		t.Errorf("救命: got %+v, want an urgent case", r)
	}
}

// Classify must answer anything, including junk, without error or panic.
func TestClassifyNeverFails(t *testing.T) {
	l := NewLocal(Builtin().City())
	for _, text := range []string{"\x00\xff\xfe", strings.Repeat("工资", 10000), "🙂🙂🙂", "|||", "ＡＢＣ１２３１５", "a"} {
		r, err := l.Classify(context.Background(), text)
		if err != nil {
			t.Errorf("Classify(%.20q): %v", text, err)
		}
		if r.Type != dispute.None && !r.Type.Valid() {
			t.Errorf("Classify(%.20q): type %q", text, r.Type)
		}
	}
}

func TestClassifyConcurrent(t *testing.T) {
	l := NewLocal(Builtin().City())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := classifyCases[i%len(classifyCases)]
			for range 50 {
				if r, _ := l.Classify(context.Background(), c.text); r.Type != c.want {
					t.Errorf("concurrent Classify(%q) = %s", c.text, r.Type)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLexicon(t *testing.T) {
	c, err := compileLexicon(lexicon, grievanceWords, chatterWords)
	if err != nil {
		t.Fatal(err)
	}
	// A type added to the catalogue (dispute/types.go) needs its phrases.
	for _, typ := range dispute.Types {
		if strings.TrimSpace(lexicon[typ]) == "" {
			t.Errorf("no phrases for %s", typ)
		}
	}
	seen := map[[2]any]bool{}
	for _, e := range c.entries {
		k := [2]any{e.group, e.phrase}
		if seen[k] {
			t.Errorf("phrase %q listed twice in group %d", e.phrase, e.group)
		}
		seen[k] = true
	}
	if _, err := compileLexicon(map[dispute.Type]string{dispute.Labor: "工资"}, "", ""); err == nil {
		t.Error("phrase without weight accepted")
	}
	if _, err := compileLexicon(map[dispute.Type]string{dispute.Labor: "工資:3"}, "", ""); err == nil {
		t.Error("phrase not in normalised form accepted")
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"醫院不給賠償", "医院不给赔偿"},
		{"ＡＢＣ１２３", "abc123"},
		{"  工资，，没给！！ 咋整?? ", "工资|没给|咋整"},
		{"离昏了", "离婚了"},
		{"著作权", "著作权"},
	}
	for _, c := range cases {
		if got := normalize(c.in); got != c.want {
			t.Errorf("normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for trad, simp := range tradToSimp {
		if _, ok := tradToSimp[simp]; ok {
			t.Errorf("%c→%c: the target is itself mapped, pairs are misaligned", trad, simp)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	l := NewLocal(Builtin().City())
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = l.Classify(ctx, classifyCases[i%len(classifyCases)].text)
	}
}
