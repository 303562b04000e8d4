package routing

import "testing"

func TestLLMInMainland(t *testing.T) {
	for url, want := range map[string]bool{
		"https://dashscope.aliyuncs.com/compatible-mode/v1":       true,
		"https://api.deepseek.com/v1":                             true,
		"https://qianfan.baidubce.com/v2":                         true,
		"https://open.bigmodel.cn/api/paas/v4":                    true,
		"https://api.moonshot.cn/v1":                              true,
		"https://ark.cn-beijing.volces.com/api/v3":                true,
		"https://api.siliconflow.cn/v1":                           true,
		"http://127.0.0.1:11434/v1":                               true,
		"http://localhost:8000/v1":                                true,
		"http://10.20.0.5:8000/v1":                                true,
		"http://192.168.1.20/v1":                                  true,
		"http://[::1]:8000/v1":                                    true,
		"http://ollama:11434/v1":                                  true,
		"http://vllm.internal/v1":                                 true,
		"https://api.openai.com/v1":                               false,
		"https://dashscope-intl.aliyuncs.com/compatible-mode/v1":  false,
		"https://generativelanguage.googleapis.com/v1beta/openai": false,
		"https://api.deepseek.com.evil.example/v1":                false,
		"https://notaliyuncs.com/v1":                              false,
		"http://8.8.8.8/v1":                                       false,
		"https://openrouter.ai/api/v1":                            false,
		"not a url":                                               false,
	} {
		if got := LLMInMainland(url); got != want {
			t.Errorf("LLMInMainland(%q) = %v, want %v", url, got, want)
		}
	}
}
