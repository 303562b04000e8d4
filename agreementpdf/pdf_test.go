package agreementpdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The agreement PDF carries its text in Chinese, readable by any PDF
// reader: pdftotext (poppler) finds the case number, the parties, the
// terms, the version's hash, whatever fonts the machine has.
func TestPDFTextHoldsTermsPartiesAndCaseNumber(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (Debian poppler-utils) is not installed; scripts/test installs it")
	}
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	d := Doc{
		CaseID: "JF20261201-0007", Body: "柳河县乡镇（街道）人民调解委员会", TypeName: "合同与借贷纠纷",
		Parties: []Party{{Role: "申请人", Name: "王某", Phone: "13912345678", Address: "柳河县柳河镇示例路1号"},
			{Role: "被申请人", Name: "刘某", Phone: "13812345678"}},
		Terms:   "一、当事人基本情况：王某，刘某。\n二、纠纷主要事实：刘某欠王某装修款八千元。\n三、协议内容：刘某于2026年12月31日前一次性支付王某八千元。\n四、履行方式和期限：银行转账，2026年12月31日前。",
		Version: 2, SHA256: strings.Repeat("ab", 32),
		Confirmations: []Confirmation{{Role: "申请人", Name: "王某", At: at}, {Role: "被申请人", Name: "刘某", At: at.Add(time.Hour)}},
		DraftedAt:     at.Add(-time.Hour), SignedAt: at.Add(time.Hour),
	}
	pdf, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("PDF of %d bytes", len(pdf))
	if len(pdf) > 200<<10 {
		t.Errorf("PDF of %d bytes: the font is not subset", len(pdf))
	}
	file := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"人民调解协议书", "JF20261201-0007", "柳河县乡镇（街道）人民调解委员会", "申请人：王某", "被申请人：刘某",
		"13812345678", "刘某于2026年12月31日前一次性支付王某八千元", "第2版", strings.Repeat("ab", 32), "确认本协议", "起生效"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q in:\n%s", want, out)
		}
	}
	// The hash on one line, whole: someone searching the text for it
	// finds it.
	if !strings.Contains(string(out), strings.Repeat("ab", 32)) {
		t.Errorf("pdftotext breaks the sha256 across lines:\n%s", out)
	}
}

// Lines of Chinese longer than the page wraps without losing a character
// (fpdf's own wrapping drops the one where it breaks), and characters
// outside the embedded font's GB2312 set stay in the text.
func TestPDFWrapsChineseWithoutLosingCharacters(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (Debian poppler-utils) is not installed; scripts/test installs it")
	}
	terms := strings.Repeat("甲方于每月五日前向乙方支付抚养费一千元，", 9) + "王堃签字。"
	pdf, err := Render(Doc{CaseID: "JF20261201-0008", Terms: terms, DraftedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	text := strings.Join(strings.Fields(string(out)), "")
	if !strings.Contains(text, terms) {
		t.Errorf("the terms lost characters:\n%s", out)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "，") || strings.HasPrefix(l, "。") {
			t.Errorf("a line starts with a closing mark: %q", l)
		}
	}
}
