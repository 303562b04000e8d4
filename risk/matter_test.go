package risk

import (
	"testing"

	"jiefen/dispute"
)

// The classifier's slips in the held-out corpus, and the stories whose
// other matter's words must not move them.
func TestTypeFor(t *testing.T) {
	for _, c := range []struct {
		typ  dispute.Type
		text string
		want dispute.Type
	}{
		{dispute.Family, "俺媳妇在金丰干了半年了 说好月底开支 到现在一分没给", dispute.Labor},
		{dispute.Medical, "东盛路那个项目部 欠俺们钢筋班组的钱 俺家里老人看病等着用", dispute.Labor},
		{dispute.Family, "我媳妇在剪艺办的烫染卡，店关了，钱咋整", dispute.Consumer},
		{dispute.Labor, "我在东昌区力天健身会所办了两年的卡 还剩一年多 老板电话关机", dispute.Consumer},
		// kept: the type is said, or two matters are, or none is; other stays other.
		{dispute.Labor, "金丰劳务拖欠工资", dispute.Labor},
		{dispute.Consumer, "在宏达劳务买的东西质量不行", dispute.Consumer},
		{dispute.ContractDebt, "我借给邻居的钱他不还", dispute.ContractDebt},
		{dispute.RuralLand, "桦林村俺家的承包地让邻居给占了", dispute.RuralLand},
		{dispute.Neighbor, "楼上漏水，找物业也不管", dispute.Neighbor},
		{dispute.Neighbor, "青松小区楼上邻居养狗天天叫", dispute.Neighbor},
		{dispute.Other, "启航教育关门跑路了，家长都交了学费", dispute.Other},
		{dispute.Family, "我想离婚，他把工资卡拿走了", dispute.Family},
		{dispute.Family, "前夫不给孩子交学费", dispute.Family},
		{dispute.Neighbor, "他家盖仓房占地占到我家院里了", dispute.Neighbor},
		// a homestead's wall quarrelled over with a neighbour: no expropriation.
		{dispute.RuralLand, "红柳村我家宅基地跟邻居家为院墙吵起来了", dispute.Neighbor},
		{dispute.RuralLand, "红柳村征地把我家宅基地占了，跟邻居家一样没给补偿款", dispute.RuralLand},
		// a renovation's deposit, paid in full by the owners: a prepaid
		// matter (a contract is of its family already, and kept).
		{dispute.ContractDebt, "木匠装饰收了我两万定金 现在公司门都锁了", dispute.ContractDebt},
		{dispute.Traffic, "顺达驾驶员培训学校收了钱不让练车", dispute.Consumer},
		{dispute.Consumer, "木匠装饰，交了3万全款，我们业主群里被坑的有二十多户了", dispute.Consumer},
	} {
		if got := TypeFor(c.typ, c.text); got != c.want {
			t.Errorf("%s %s: %s, want %s (evident %v)", c.typ, c.text, got, c.want, Evident(c.text))
		}
	}
}
