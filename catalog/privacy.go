package catalog

import "strings"

// NoticeVersion names the personal-information notices citizens accept in
// the chat (the general notice and the separate consent for sensitive
// information, bot/text.go). Every consent is recorded with it; change it
// whenever the wording or what is done with the information changes, and
// citizens who accepted an earlier version are asked again at their next
// new complaint.
const NoticeVersion = "pi-2026-12"

// AILabel is the explicit label on text an AI model wrote, as
// 《人工智能生成合成内容标识办法》 (in force since 2025-09-01) requires
// wherever such text is shown, with the model's registered name and its
// filing number (备案号) when the operator configured them
// (JIEFEN_AI_MODEL_NAME, JIEFEN_AI_FILING).
func AILabel(model, filing string) string {
	parts := []string{"本条由AI生成"}
	if model = strings.TrimSpace(model); model != "" {
		parts = append(parts, "模型："+model)
	}
	if filing = strings.TrimSpace(filing); filing != "" {
		parts = append(parts, "备案号："+filing)
	}
	return "（" + strings.Join(parts, "，") + "）"
}
