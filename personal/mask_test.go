package personal

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, c := range []struct {
		text      string
		want      string // the masked text
		notMasked []string
	}{
		{"我叫王秀英，电话13912345678", "我叫【姓名1】，电话【电话1】", nil},
		{"包工头刘德胜欠我8个月工资12000元，他电话139 1234 5678", "包工头【姓名1】欠我8个月工资12000元，他电话【电话1】", nil},
		{"身份证220524198503120027，工资卡6222021234567890128", "身份证【身份证1】，工资卡【银行卡1】", nil},
		{"我住在柳河县幸福小区3号楼2单元501室，楼上天天漏水", "我住在柳河县【地址1】，楼上天天漏水", []string{"柳河县"}},
		{"东昌区新华路123号的饭店欠我工资", "东昌区【地址1】的饭店欠我工资", nil},
		{"我住在东昌区幸福小区3号楼2单元，楼上漏水", "我住在东昌区【地址1】，楼上漏水", nil},
		{"店在建设路123号，老板娘张丽不退钱", "店在【地址1】，老板娘【姓名1】不退钱", nil},
		{"感谢王建国先生帮忙", "感谢【姓名1】先生帮忙", nil},
		{"座机0435-3212345打不通", "座机【电话1】打不通", nil},
		// Dates, amounts, floors and an anonymous 刘某 stay as written.
		{"11月5号追尾，车损8000元，住3楼，对方刘某不赔，王老板也不管", "11月5号追尾，车损8000元，住3楼，对方刘某不赔，王老板也不管", nil},
		{"邻居全部否认，对方说不是他", "邻居全部否认，对方说不是他", nil},
	} {
		m := Mask(c.text)
		if m.Text != c.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", c.text, m.Text, c.want)
		}
		if back := m.Unmask(m.Text); back != strings.ReplaceAll(c.text, "139 1234 5678", "139 1234 5678") {
			t.Errorf("Unmask(Mask(%q)) = %q", c.text, back)
		}
	}
}

// The same detail gets the same placeholder, and an answer's placeholders
// come back as the originals.
func TestUnmaskAnswer(t *testing.T) {
	m := Mask("邻居李建军天天半夜吵，我跟李建军说过好几次，电话13912345678")
	if strings.Count(m.Text, "【姓名1】") != 2 || strings.Contains(m.Text, "李建军") {
		t.Fatalf("masked %q", m.Text)
	}
	if got := m.Unmask("【姓名1】夜间噪音扰民，【姓名9】未知"); got != "李建军夜间噪音扰民，【姓名9】未知" {
		t.Errorf("Unmask = %q", got)
	}
}
