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

// Types lists the fifteen dispute types in the order they are offered to citizens.
var Types = []Type{Traffic, Medical, Labor, Family, Neighbor, Property, ContractDebt, Consumer,
	IP, Commercial, Expropriation, Administrative, Environment, RuralLand, Other}

var typeNames = map[Type]string{
	Traffic:        "道路交通事故纠纷",
	Medical:        "医疗纠纷",
	Labor:          "劳动争议",
	Family:         "婚姻家庭纠纷",
	Neighbor:       "邻里纠纷",
	Property:       "物业纠纷",
	ContractDebt:   "合同与借贷纠纷",
	Consumer:       "消费纠纷",
	IP:             "知识产权纠纷",
	Commercial:     "商事纠纷",
	Expropriation:  "征收拆迁补偿纠纷",
	Administrative: "其他行政争议",
	Environment:    "生态环境纠纷",
	RuralLand:      "农村土地与宅基地纠纷",
	Other:          "其他法律问题",
	None:           "非纠纷",
}

// Name is the type's Chinese name, or the code itself when unknown.
func (t Type) Name() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return string(t)
}

// Valid reports whether t is one of the fifteen dispute types (None is not).
func (t Type) Valid() bool {
	_, ok := typeNames[t]
	return ok && t != None
}
