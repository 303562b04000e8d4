package risk

import (
	"testing"

	"jiefen/dispute"
)

var tonghua = Prefixes("通化市", [][]string{
	{"东昌区"}, {"二道江区"}, {"通化县"}, {"辉南县"}, {"柳河县", "三源浦镇", "红石镇", "向阳镇"}, {"梅河口市", "梅河口"}, {"集安市", "清河镇"},
})

func keyOf(t *testing.T, text string, typ dispute.Type) string {
	t.Helper()
	s, ok := Primary(Subjects(text, tonghua), typ)
	if !ok {
		return ""
	}
	return s.Key
}

func TestSubjectKeys(t *testing.T) {
	for _, c := range []struct {
		text string
		typ  dispute.Type
		want string
	}{
		{"通化鑫达建筑工程有限公司欠我们工资三个月了", dispute.Labor, "鑫达"},
		{"我在鑫达建筑干活，老板一直拖着不给钱", dispute.Labor, "鑫达"},
		{"鑫达公司的工地拖欠农民工工资", dispute.Labor, "鑫达"},
		{"俺在柳河鑫达建筑干了半年活儿", dispute.Labor, "鑫达"},
		{"黑心鑫达公司不给钱", dispute.Labor, "鑫达"},
		{"鑫源公司欠薪", dispute.Labor, "鑫源"},
		{"我家住锦江花园小区，物业乱收费", dispute.Property, "锦江"},
		{"锦江花园的物业不管事", dispute.Property, "锦江"},
		{"江南花园物业费涨价", dispute.Property, "江南"},
		{"錦江花園物業亂收費", dispute.Property, "锦江"},
		{"我在美美健身办的卡，老板跑了", dispute.Consumer, "美美"},
		{"柳河县红石镇大沙村征地补偿款一直没给", dispute.Expropriation, "村:大沙"},
		{"我们村征地补偿款一直没给", dispute.Expropriation, ""},
		{"在工地干活摔伤了", dispute.Labor, ""},
		{"邻居家装修太吵了", dispute.Neighbor, ""},
		{"一家装修公司骗了我的钱", dispute.Consumer, ""},
		{"幸福里小区停水三天", dispute.Property, key("幸福里")},
		{"幸福丽小区停水三天", dispute.Property, key("幸福里")},
		{"东昌区金色阳光小区电梯坏了", dispute.Property, key("金色阳光")},
		{"孩子在小太阳幼儿园交了一年学费，幼儿园突然关了", dispute.Consumer, key("小太阳")},
		{"我们在东昌区人民医院做的手术", dispute.Medical, ""},
		{"出了车祸保险公司一直拖着不赔", dispute.Traffic, ""},
		{"热力公司说暖气没问题，可屋里才十度", dispute.Property, ""},
		{"快递公司把我的包裹弄丢了", dispute.Consumer, ""},
		{"找了市场监管局也不管", dispute.Consumer, ""},
		{"在万家福超市办的卡不能用了", dispute.Consumer, key("万家福")},
		// Held-out corpus (internal/alertcorpus/heldout.txt) failures, made general:
		// Traditional characters beyond the few names use most;
		{"濱河家園三期物業不作為", dispute.Property, "滨河"},
		{"金豐勞務拖欠工资", dispute.Labor, "金丰"},
		// 和 and 向 inside names; a township ends a village's name;
		{"集安雅和苑小区物业把楼顶出租了", dispute.Property, "雅和"},
		{"我家住祥和小区", dispute.Property, "祥和"},
		{"业主和物业吵起来了", dispute.Property, ""},
		{"老板和公司都不管", dispute.Labor, ""},
		{"柳河县向阳镇桦树村拆迁，房子给扒了", dispute.Expropriation, "村:桦树"},
		{"俺们桦树屯的地让高速占了", dispute.Expropriation, "村:桦树"},
		// a demonstrative between name and anchor, but not a place told by where it is;
		{"铁厂镇幸福城那个工地的包工头跑了", dispute.Labor, key("幸福城")},
		{"东盛路那个项目部欠俺们钱", dispute.Labor, key("东盛路")},
		{"我们家后面那个厂子天天排黑水", dispute.Environment, ""},
		// a project's works, a firm's trade and an estate's 苑 are generic;
		{"我在通化县东盛路改造项目干了四个月", dispute.Labor, key("东盛路")},
		{"集安市鹏程木业有限公司拖欠工人工资", dispute.Labor, "鹏程"},
		{"永信钢构欠我焊工工资", dispute.Labor, "永信"},
		{"通化县永信钢结构有限公司拖欠工资", dispute.Labor, "永信"},
		// a verb of complaint before a name; a service sold on a card is no name;
		{"我要投诉启航教育机构，学费不给退", dispute.Consumer, "启航"},
		{"在力天办的游泳健身卡不给退", dispute.Consumer, ""},
		// names that begin with 和 or 向; an estate named after its township, not after a region;
		{"我们在和顺建筑干了一年，工资一直拖着", dispute.Labor, "和顺"},
		{"二密镇和平村征地补偿没给", dispute.Expropriation, "村:和平"},
		{"和美超市的储值卡不能用了", dispute.Consumer, "和美"},
		{"向阳花园的暖气不热", dispute.Property, "向阳"},
		{"柳河县小区停水三天", dispute.Property, ""},
		{"上午来公司办事", dispute.Labor, ""},
		// the estate, not its property company, whichever is named first.
		{"恒远物业管的滨河家园小区，垃圾没人清", dispute.Property, "滨河"},
		{"安泰物业管理有限公司管的雅和苑停车乱收费", dispute.Property, "雅和"},
		// firms told by their trade, and their branches.
		{"木匠装饰收了我两万定金 现在门都锁了", dispute.Consumer, "木匠"},
		{"就是新华大街那个木匠装饰工程有限公司 老板跑了", dispute.Consumer, "木匠"},
		{"恒达派遣 二道江那个 不给开支", dispute.Labor, "恒达"},
		{"我在飞鸟快递二道江网点送件 三个月没开支了", dispute.Labor, "飞鸟"},
		{"飞鸟二道江站点拖欠我们快递员工资", dispute.Labor, "飞鸟"},
		{"长兴物流辉南分拣中心拖欠工资", dispute.Labor, "长兴"},
		{"宏图建筑通化县分公司欠我们工资", dispute.Labor, "宏图"},
		{"鸿途路桥 欠薪", dispute.Labor, "鸿途"},
		// a works' lot is part of its project's name, written either way.
		{"通梅高速五标段项目部欠我们农民工工资", dispute.Labor, key("通梅高速五标")},
		// an estate whose anchor is its name; by sound when typed wrong.
		{"锦华华庭二期到现在没交房", dispute.Property, key("锦华华庭")},
		{"我家买的锦华华亭三期12号楼 说好年底交房", dispute.Property, key("锦华华庭")},
		{"碧水水岸2期暖气不热", dispute.Property, key("碧水水岸")},
		{"找宏泰房地产也没人管", dispute.Property, "宏泰"},
		// a street told before a shop's name; a driving school and a nursery in full.
		{"新华大街老吉林饭店不给开工资", dispute.Labor, key("老吉林")},
		{"顺达驾驶员培训学校收了钱不让练车", dispute.Consumer, "顺达"},
		{"小月亮托育中心突然关门", dispute.Consumer, key("小月亮")},
		{"小月亮早教托育 剩下的钱谁给退", dispute.Consumer, key("小月亮")},
	} {
		if got := keyOf(t, c.text, c.typ); got != c.want {
			t.Errorf("%s: key %q, want %q (subjects %+v)", c.text, got, c.want, Subjects(c.text, tonghua))
		}
	}
}

func TestTradeOf(t *testing.T) {
	for _, c := range []struct{ text, trade string }{
		{"力天健身房跑路了", "健身"}, {"东昌区力天健身会所关门了", "健身"}, {"力天汽修给我换的旧轮胎", "汽修"},
		{"剪艺美发店换老板了", "美发"}, {"剪艺理发店换老板了", "美发"}, {"启航教育培训学校停课了", "教育"},
		{"在好运来店买的", ""}, {"顺达驾驶员培训学校", "驾校"}, {"小月亮托育中心", "幼儿园"},
	} {
		s, _ := Primary(Subjects(c.text, tonghua), dispute.Consumer)
		if s.Trade != c.trade {
			t.Errorf("%s: trade %q, want %q (%+v)", c.text, s.Trade, c.trade, s)
		}
	}
}

func TestLookAlikesStayApart(t *testing.T) {
	for _, p := range [][2]string{{"鑫达", "鑫源"}, {"锦江", "江南"}, {"锦江", "锦山"}, {"幸福里", "幸福家"}, {"锦绣华庭", "锦绣"}} {
		if key(p[0]) == key(p[1]) {
			t.Errorf("%s and %s share a key", p[0], p[1])
		}
	}
}

func TestScan(t *testing.T) {
	for _, c := range []struct {
		text     string
		crowd    int
		escalate bool
	}{
		{"我们十几个人都没拿到工资", 11, false},
		{"我们小区几十户都是这样", 20, false},
		{"一共二十多个工友", 20, false},
		{"干了三个月没给钱", 0, false},
		{"再不给钱我们就去市政府拉横幅", 0, true},
		{"大伙商量着要堵路", 0, true},
		{"我们不想闹事，只想要回血汗钱", 0, false},
		{"有人说要跳楼", 0, true},
		{"我们两个人", 2, false},
		{"全村都没拿到补偿", 10, false},
		{"逼急了我们就一起去政府门口", 0, true},
		{"大不了跟他拼了", 0, true},
		{"我们不会去堵公路的", 0, false},
		{"工友说再不给他就从厂房顶上跳下去", 0, true},
		{"再拖下去我们就去县政府门口坐着", 0, true},
		{"我们家长群里几十个家长都交了钱", 20, false},
		{"我们工地几十号人都没开支", 20, false},
		{"我们也不想去闹事，就想退钱", 0, false},
	} {
		s := Scan(c.text)
		if s.Crowd != c.crowd || (len(s.Escalate) > 0) != c.escalate {
			t.Errorf("%s: %+v, want crowd %d escalate %v", c.text, s, c.crowd, c.escalate)
		}
	}
}

func TestMentions(t *testing.T) {
	keys := map[string]bool{}
	for _, s := range Mentions("我在鑫达干了俩月，工钱一分没给", tonghua) {
		keys[s.Key] = true
	}
	if !keys["鑫达"] || keys["柳河"] {
		t.Errorf("mentions %v", keys)
	}
	for _, s := range Mentions("柳河县这边工钱没给", tonghua) {
		if s.Key == "柳河" || s.Key == "柳河县" {
			t.Errorf("a region offered as a name: %+v", s)
		}
	}
}
