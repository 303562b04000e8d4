package handlers

import "testing"

// The citizen's consents, stored in codes, read in words on the audit page.
func TestAuditDetailConsent(t *testing.T) {
	for in, want := range map[string]string{
		"notice pi-2026-12 agreed":                   "个人信息告知 pi-2026-12 同意",
		"sensitive health,minor pi-2026-12 declined": "敏感个人信息 （健康和病情、伤情；不满14岁孩子的情况） pi-2026-12 不同意",
	} {
		if got := auditDetail(in); got != want {
			t.Errorf("auditDetail(%q) = %q, want %q", in, got, want)
		}
	}
}
