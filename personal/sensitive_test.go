package personal

import (
	"slices"
	"strings"
	"testing"
)

// Complaints as citizens write them, and what must be found in each; the
// look-alikes below must find nothing.
func TestSensitive(t *testing.T) {
	for _, c := range []struct {
		text string
		want []Kind
	}{
		{"我在市中心医院做阑尾手术，术后感染又住院一个月，医生说是误诊，想要医院赔偿", []Kind{Health}},
		{"去年在县医院生孩子大出血，病历被医院改了", []Kind{Health}},
		{"我怀孕五个月公司就把我辞退了，说我孕期请假太多", []Kind{Health}},
		{"被对方的车撞倒，腿骨折了，医药费花了三万多，保险公司不赔", []Kind{Health}},
		{"儿子得了抑郁症，学校还让他退学", []Kind{Health}},
		{"我儿子才8岁，在小区里被邻居家的狗咬了", []Kind{Minor}},
		{"我闺女今年十二岁，放学路上被高年级的学生抢了钱", []Kind{Minor}},
		{"离婚后前夫不给上小学的女儿抚养费", []Kind{Minor}},
		{"孩子在幼儿园被老师打了", []Kind{Minor}},
		{"对方是未满14周岁的孩子，把我家玻璃砸了", []Kind{Minor}},
		{"老板说工资打到我的银行卡上了，可我卡里一分没有", []Kind{Finance}},
		{"对方用我的信用卡套现，我的征信全花了", []Kind{Finance}},
		{"工资卡号6222021234567890128一直没有到账", []Kind{Finance}},
		{"前夫在我车上装了定位，天天知道我的行踪", []Kind{Whereabouts}},
		{"他把我的开房记录发到了网上", []Kind{Whereabouts}},
		{"单位因为我信教就把我调岗了", []Kind{Religion}},
		{"邻居说我们家是穆斯林，天天骂我们", []Kind{Religion}},
		{"小区物业把业主的人脸信息卖给了别人", []Kind{Biometric}},
		{"做了亲子鉴定，孩子不是他的，现在要离婚", []Kind{Biometric}},
		{"我的身份证号220524198503120027被人拿去贷款了", []Kind{IDNumber}},
		{"身份证号是220524850312002，被冒用注册了公司", []Kind{IDNumber}},
		{"我８岁的孙子被车撞了住院，对方不给医药费", []Kind{Health, Minor}},
	} {
		if got := Sensitive(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Sensitive(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestNotSensitive(t *testing.T) {
	for _, text := range []string{
		"我在柳河县工地干了三个月活，老板一直拖着工资12000元不给",
		"借给朋友5万块钱，有借条，微信转账的记录也有，他就是不还",
		"在工商银行门口停车被贴了罚单",
		"医院门口的停车场乱收费，一小时二十块",
		"4S店故障诊断收了我800块，车的毛病还是没修好",
		"快递物流轨迹三天没更新，商家也不管",
		"买的指纹锁用了一个月就坏了，商家不给换",
		"超市卖的转基因大豆油没有标注",
		"邻居家的狗才两岁，天天半夜叫",
		"我儿子今年25岁了，在外地打工被欠薪",
		"孩子都30岁了，房子要过户给他",
		"小学门口的小卖部卖过期零食",
		"下礼拜物业就要停我家的水",
		"充值卡号丢了，理发店不认账",
		"要求对方赔偿精神损失费",
		"城管上回把我推了一下 没受伤 就是车子被收了要不回来",
		"前年卖给邻居家一头牛 他说秋后给钱 秋后说牛病了 只给一半",
		"11月5号在建设路上追尾了，对方全责，车损八千",
		"订单号 202611271234567890 的货一直没发",
		"我的电话13912345678，请尽快联系我",
		"我在东昌区住，楼上漏水把我家天花板泡了",
	} {
		if got := Sensitive(text); len(got) != 0 {
			t.Errorf("Sensitive(%q) = %v, want none", text, got)
		}
	}
}

// What a citizen declined to pass on leaves the story; the rest stays in
// order.
func TestWithout(t *testing.T) {
	story := "在县医院做手术后感染了，医生说是误诊。医院不承认，也不给退钱，我想要医院赔偿。"
	got := Without(story, []Kind{Health})
	if strings.Contains(got, "手术") || strings.Contains(got, "误诊") || !strings.Contains(got, "医院不承认") || !strings.Contains(got, "赔偿") {
		t.Errorf("Without = %q", got)
	}
	if got := Without(story, nil); got != story {
		t.Errorf("Without(nil kinds) changed the story: %q", got)
	}
	if got := Without("手术失败了", []Kind{Health}); got != "" {
		t.Errorf("Without(all sensitive) = %q, want empty", got)
	}
}

func TestNames(t *testing.T) {
	if got := Names([]Kind{Health, Minor}); got != "健康和病情、伤情；不满14岁孩子的情况" {
		t.Errorf("Names = %q", got)
	}
}
