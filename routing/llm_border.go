package routing

import (
	"net/netip"
	"net/url"
	"strings"
)

// mainlandLLMHosts are the domains of LLM services run in mainland China
// (a host is one of them or under one). DashScope's international
// endpoint (dashscope-intl.aliyuncs.com, Singapore) is not.
var mainlandLLMHosts = []string{
	"aliyuncs.com",                                     // 阿里云 DashScope / 通义千问
	"deepseek.com",                                     // DeepSeek
	"baidubce.com",                                     // 百度智能云 千帆
	"volces.com",                                       // 火山引擎 方舟 (豆包)
	"volcengine.com",                                   // 火山引擎
	"tencentcloudapi.com", "hunyuan.cloud.tencent.com", // 腾讯混元
	"xf-yun.com",      // 讯飞星火
	"stepfun.com",     // 阶跃星辰
	"baichuan-ai.com", // 百川
	"lingyiwanwu.com", // 零一万物
	"minimaxi.com",    // MiniMax (mainland)
}

// notMainlandLLMHosts are exceptions under the domains above.
var notMainlandLLMHosts = []string{"dashscope-intl.aliyuncs.com"}

// privateSuffixes name hosts on the operator's own network.
var privateSuffixes = []string{".local", ".lan", ".internal", ".localhost", ".svc", ".cluster.local", ".home.arpa"}

// LLMInMainland reports whether an LLM endpoint (JIEFEN_OPENAI_URL) keeps
// personal information in mainland China, judged by its host: a known
// mainland service (above), any .cn domain (智谱 bigmodel.cn, Moonshot
// moonshot.cn, 硅基流动 siliconflow.cn …), or a model on the operator's own
// network (loopback and private addresses, a name without dots such as a
// compose service "ollama", .local/.internal names). Anything else, such
// as api.openai.com, is treated as abroad (个人信息保护法 arts. 38–40).
// The answer is about the name only; it does not resolve it.
func LLMInMainland(rawURL string) bool {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return false
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		return a.IsLoopback() || a.IsPrivate()
	}
	if host == "localhost" || !strings.Contains(host, ".") {
		return true
	}
	for _, s := range privateSuffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	for _, h := range notMainlandLLMHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return false
		}
	}
	if strings.HasSuffix(host, ".cn") {
		return true
	}
	for _, h := range mainlandLLMHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}
