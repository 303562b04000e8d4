package routing

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		text string
		want []string // facts the summary must keep
		not  []string // what it must not show
	}{
		{"你好，我是柳河县的，在一个工地干活，包工头老王拖欠我们8个人三个月工资，一共6万多块钱，现在人找不到了，打电话也不接，我们想要回工资，怎么办啊",
			[]string{"拖欠", "工资", "6万"}, []string{"你好"}},
		{"您好 我想问一下 我家楼上天天半夜蹦迪 噪音特别大 找了好几次都不管 物业也不管 孩子要高考了 能不能帮忙协调一下 谢谢",
			[]string{"楼上", "噪音"}, []string{"您好", "谢谢"}},
		{"去年3月我借给同村的李某5万元，有借条，约定半年还，到现在一分没还，他电话13812345678打了也不接，我想起诉他，请问怎么办",
			[]string{"借", "5万元"}, []string{"13812345678"}},
		{"我在梅河口市人民医院做的阑尾手术，术后一直发烧，后来查出来是手术时纱布落在肚子里了，又做了一次手术花了两万多，医院不认账，我要求医院赔偿医疗费和误工费",
			[]string{"医院", "赔偿"}, nil},
		{"我们村的地被征收了说好的每亩补偿三万到现在只给了一半镇政府一直拖着不给剩下的钱大家都很着急希望领导给个说法",
			[]string{"征收", "补偿"}, nil},
		{"唉，真是没办法了。我和我老公结婚十年，他天天喝酒不管家，现在要离婚，两个孩子的抚养权谁也不让，我想要孩子的抚养权，身份证号220521198001011234",
			[]string{"离婚", "抚养"}, []string{"220521198001011234", "没办法"}},
	}
	for _, tc := range cases {
		got := Summarize(tc.text, Builtin().City())
		if n := utf8.RuneCountInString(got); n == 0 || n > summaryRunes {
			t.Errorf("Summarize(%.20s…) = %q: %d runes", tc.text, got, n)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Summarize(%.20s…) = %q: lacks %q", tc.text, got, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("Summarize(%.20s…) = %q: shows %q", tc.text, got, w)
			}
		}
		if strings.HasPrefix(tc.text, got) && utf8.RuneCountInString(tc.text) > summaryRunes && !strings.HasSuffix(got, "…") {
			t.Logf("note: %q is just the beginning of the text", got)
		}
	}
	for _, short := range []string{"你好", "老板不给工资", "", "  "} {
		got := Summarize(short, Builtin().City())
		if utf8.RuneCountInString(got) > summaryRunes || strings.TrimSpace(short) != "" && got == "" {
			t.Errorf("Summarize(%q) = %q", short, got)
		}
	}
}
