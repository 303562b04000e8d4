// Package dispute holds the domain vocabulary shared by every other package:
// dispute types, case statuses and the records of a case's life.
// It imports nothing of ours, so routing and store need not know each other.
package dispute

// Type is a dispute type code. Codes are stable API values;
// names are what people see.
type Type string

// The fifteen dispute types, plus None for messages that are not complaints.
const (
	Traffic        Type = "traffic"
	Medical        Type = "medical"
	Labor          Type = "labor"
	Family         Type = "family"
	Neighbor       Type = "neighbor"
	Property       Type = "property"
	ContractDebt   Type = "contract_debt"
	Consumer       Type = "consumer"
	IP             Type = "ip"
	Commercial     Type = "commercial"
	Expropriation  Type = "expropriation"
	Administrative Type = "administrative"
	Environment    Type = "environment"
	RuralLand      Type = "rural_land"
	Other          Type = "other"
	None           Type = "none"
)

// catalogue describes each type once, in the order types are offered to
// citizens: the name people see, and what it typically covers in the words
// citizens use (the LLM classifier is told it). None comes last: it is
// no dispute type and is never offered. The classifier's phrase lists
// (routing/keywords.go) are keyed by these codes and are checked to cover
// every one of them.
var catalogue = []struct {
	typ        Type
	name, hint string
}{
	{Traffic, "道路交通事故纠纷", "撞车、剐蹭、车祸受伤、交通事故赔偿、保险理赔"},
	{Medical, "医疗纠纷", "治疗造成损害、误诊、手术事故、医院收费、医患纠纷"},
	{Labor, "劳动争议", "拖欠工资、辞退、工伤、加班费、社保由单位缴纳、农民工被包工头或施工方欠薪"},
	{Family, "婚姻家庭纠纷", "离婚、子女抚养与探望、赡养老人、抚养费、继承遗产、家庭矛盾"},
	{Neighbor, "邻里纠纷", "噪音、楼上漏水、通道、院墙、树木、宠物、邻居之间的矛盾"},
	{Property, "物业纠纷", "物业费、物业服务、小区设施、电梯、社区用房、业主委员会"},
	{ContractDebt, "合同与借贷纠纷", "民间借贷、欠条、借钱不还、装修、租房、个人之间买卖合同"},
	{Consumer, "消费纠纷", "商品质量、退款退货、预付卡、办卡后商家跑路、食品问题"},
	{IP, "知识产权纠纷", "商标、假冒产品、专利、著作权、版权"},
	{Commercial, "商事纠纷", "企业之间、合伙人之间、股东之间的纠纷，企业破产中的债权"},
	{Expropriation, "征收拆迁补偿纠纷", "征收、拆迁、搬迁安置、征地补偿"},
	{Administrative, "其他行政争议", "低保、养老金、社保待遇等行政给付，行政处罚、许可，政府部门不作为"},
	{Environment, "生态环境纠纷", "工厂排污、河流污染、施工扬尘和噪音、乱倒垃圾"},
	{RuralLand, "农村土地与宅基地纠纷", "土地承包、土地流转、宅基地边界、林地"},
	{Other, "其他法律问题", "不属于以上任何一类的法律问题，或者想找律师咨询"},
	{None, "非纠纷", "打招呼、感谢、询问平台怎么用、闲聊"},
}

// Types lists the fifteen dispute types in the order they are offered to citizens.
var Types = func() []Type {
	out := make([]Type, 0, len(catalogue)-1) // exact capacity: an append by a caller copies
	for _, e := range catalogue {
		if e.typ != None {
			out = append(out, e.typ)
		}
	}
	return out
}()

var typeIndex = func() map[Type]int {
	m := make(map[Type]int, len(catalogue))
	for i, e := range catalogue {
		m[e.typ] = i
	}
	return m
}()

// Name is the type's Chinese name, or the code itself when unknown.
func (t Type) Name() string {
	if i, ok := typeIndex[t]; ok {
		return catalogue[i].name
	}
	return string(t)
}

// Hint is what the type typically covers, in the words citizens use
// (None: what is no dispute); "" when unknown.
func (t Type) Hint() string {
	if i, ok := typeIndex[t]; ok {
		return catalogue[i].hint
	}
	return ""
}

// Valid reports whether t is one of the fifteen dispute types (None is not).
func (t Type) Valid() bool {
	_, ok := typeIndex[t]
	return ok && t != None
}
