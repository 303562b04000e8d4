package risk

import (
	"testing"

	"jiefen/dispute"
)

// A complaint naming an estate and the firm behind it links the two; two
// firms, two places, or one name alone link nothing.
func TestLink(t *testing.T) {
	for _, tc := range []struct {
		text string
		typ  dispute.Type
		want string // the linked key, "" for none
	}{
		{"我家买的锦绣华庭三期12号楼 找宏昌房地产也没人管", dispute.Property, "宏昌"},
		{"宏昌地产开发的锦绣华庭小区 三期到现在没交房", dispute.Property, "宏昌"},
		{"鸿运路桥公司在通集高速三标段干活的工钱不给", dispute.Labor, ""}, // sites not yet (see Link)
		{"恒远物业管的滨河家园 电梯坏了三个月没人修", dispute.Property, "恒远"},
		{"锦绣华庭三期到现在没交房", dispute.Property, ""},
		{"鑫达建筑工程有限公司和鑫源公司都欠我工资", dispute.Labor, ""},
		{"我从锦江花园搬到了江南花园 物业费两边都收", dispute.Property, ""},
	} {
		subjects := Subjects(tc.text, nil)
		p, ok := Primary(subjects, tc.typ)
		got := ""
		if l, linked := Link(subjects, p); ok && linked {
			got = l.Key
		}
		if got != tc.want {
			t.Errorf("%s: linked %q (subjects %+v), want %q", tc.text, got, subjects, tc.want)
		}
	}
}
