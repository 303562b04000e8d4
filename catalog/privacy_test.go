package catalog

import "testing"

func TestAILabel(t *testing.T) {
	for _, c := range []struct{ model, filing, want string }{
		{"", "", "（本条由AI生成）"},
		{"通义千问", "", "（本条由AI生成，模型：通义千问）"},
		{"DeepSeek", "Beijing-DeepSeek-2024", "（本条由AI生成，模型：DeepSeek，备案号：Beijing-DeepSeek-2024）"},
	} {
		if got := AILabel(c.model, c.filing); got != c.want {
			t.Errorf("AILabel(%q, %q) = %q, want %q", c.model, c.filing, got, c.want)
		}
	}
}
