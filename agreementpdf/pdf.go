// Package agreementpdf renders a case's mediation agreement (调解协议书)
// as a PDF that shows Chinese on any machine: the font (Droid Sans
// Fallback cut to GB2312, Apache-2.0, see font/README.md) is embedded in
// the binary and each document carries only the glyphs it uses.
package agreementpdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

//go:embed font/DroidSansFallback-GB2312.ttf
var fontData []byte

// China has one time zone and no daylight saving.
var chinaTime = time.FixedZone("CST", 8*3600)

// Doc is what the 调解协议书 shows.
type Doc struct {
	CaseID   string
	Body     string // the mediation organisation's name
	TypeName string // the dispute type, as people call it
	Parties  []Party
	Terms    string // the version's text, drafted from the art. 29 template
	Version  int
	SHA256   string
	// Confirmations of this version, in the order given; SignedAt is when
	// the last one made it take effect (zero: not yet signed).
	Confirmations []Confirmation
	DraftedAt     time.Time // the version's time: the document's date, so the same version gives the same bytes
	SignedAt      time.Time
}

// Party is one side as the agreement names it.
type Party struct {
	Role    string // 申请人 or 被申请人
	Name    string // "" when the party gave none
	Phone   string
	Address string // 送达地址, when given
}

// Confirmation is one party's confirmation.
type Confirmation struct {
	Role string // 申请人 or 被申请人
	Name string
	At   time.Time
}

// Render makes the PDF. Its dates are the Doc's, not the clock's; the
// bytes still differ from one rendering to the next (the font subset is
// built in map order), which is why what is hashed and confirmed is the
// version's text (dispute.AgreementText), not the file.
func Render(d Doc) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	p.SetCreationDate(d.DraftedAt)
	p.SetModificationDate(d.DraftedAt)
	p.SetTitle("调解协议书 "+d.CaseID, true)
	p.SetCreator("jiefen", true)
	p.SetProducer("jiefen", true)
	p.AddUTF8FontFromBytes("cjk", "", fontData)
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	p.SetFooterFunc(func() {
		p.SetY(-14)
		p.SetFont("cjk", "", 8)
		p.CellFormat(0, 5, fmt.Sprintf("%s · 第%d版 · SHA-256 %s · 第%d页", d.CaseID, d.Version, short(d.SHA256), p.PageNo()), "", 0, "C", false, 0, "")
	})
	p.AddPage()

	p.SetFont("cjk", "", 20)
	p.CellFormat(0, 12, "人民调解协议书", "", 1, "C", false, 0, "")
	p.SetFont("cjk", "", 10)
	p.CellFormat(0, 6, "案件编号："+d.CaseID+"　　第"+fmt.Sprint(d.Version)+"版", "", 1, "C", false, 0, "")
	p.Ln(4)

	line := func(label, text string) {
		p.SetFont("cjk", "", 11)
		write(p, label+text, 6.5)
	}
	heading := func(s string) {
		p.Ln(2)
		p.SetFont("cjk", "", 13)
		p.CellFormat(0, 8, s, "", 1, "L", false, 0, "")
	}
	line("调解组织：", d.Body)
	if d.TypeName != "" {
		line("纠纷类型：", d.TypeName)
	}

	heading("当事人")
	for _, pt := range d.Parties {
		s := pt.Role + "：" + orDash(pt.Name)
		if pt.Phone != "" {
			s += "　联系电话：" + pt.Phone
		}
		if pt.Address != "" {
			s += "　送达地址：" + pt.Address
		}
		line("", s)
	}

	heading("协议内容")
	line("", d.Terms)

	heading("确认情况")
	if len(d.Confirmations) == 0 {
		line("", "尚无当事人确认本版本。")
	}
	for _, c := range d.Confirmations {
		line("", fmt.Sprintf("%s %s 于 %s 通过微信回复“确认协议”确认本协议。", c.Role, orDash(c.Name), stamp(c.At)))
	}
	if !d.SignedAt.IsZero() {
		line("", "本协议自 "+stamp(d.SignedAt)+" 各方当事人均确认之时起生效。")
	} else {
		line("", "本协议在各方当事人均确认后生效。")
	}

	heading("版本与校验")
	line("版本：", fmt.Sprintf("第%d版（%s 拟定）", d.Version, stamp(d.DraftedAt)))
	// The hash on a line of its own, in Courier (one of the PDF standard
	// fonts every reader has; hex needs no Chinese glyphs), narrow enough
	// for its 64 characters to stay on one line: text extracted from the
	// PDF (pdftotext, a court's system) then holds it whole.
	line("SHA-256：", "")
	p.SetFont("Courier", "", 10)
	p.CellFormat(0, 6, d.SHA256, "", 1, "L", false, 0, "")
	p.SetFont("cjk", "", 9)
	write(p, "校验值按“jiefen-agreement/1、案件编号、版本号、空行、协议内容”的文本计算，协议内容有任何改动，校验值即不相同。", 5)

	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return nil, fmt.Errorf("agreementpdf: %w", err)
	}
	return b.Bytes(), nil
}

// write prints text in the current font across the page's width, h
// high a line, wrapping it itself: fpdf's MultiCell breaks lines at
// spaces and, in text without any (Chinese), drops the character where
// it breaks. A line may run past the width by a closing punctuation
// mark, which never starts a line.
func write(p *fpdf.Fpdf, text string, h float64) {
	left, _, right, _ := p.GetMargins()
	width, _ := p.GetPageSize()
	width -= left + right + 2 // MultiCell's default cell margins
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		var line []rune
		for _, r := range para {
			if len(line) > 0 && p.GetStringWidth(string(append(line, r))) > width && !strings.ContainsRune(noLineStart, r) {
				p.CellFormat(0, h, string(line), "", 1, "L", false, 0, "")
				line = line[:0]
			}
			line = append(line, r)
		}
		p.CellFormat(0, h, string(line), "", 1, "L", false, 0, "")
	}
}

// noLineStart are the marks that close what comes before them.
const noLineStart = "，。、；：？！）》」』】〕”’…,.;:?!)"

func stamp(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }

func short(sha string) string {
	if len(sha) > 16 {
		return sha[:16] + "…"
	}
	return sha
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
