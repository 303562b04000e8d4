package handlers

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one row of a chart.
type bar struct {
	Key   string // the code or id counted, for tests and tools reading the page
	Label string // what people read
	N     int
}

// Chart geometry, in pixels. Labels sit right-aligned left of the bars;
// the widest body name (16 characters) fits labelWidth at fontSize.
const (
	chartWidth = 680
	labelWidth = 230
	barSpace   = 380
	rowHeight  = 26
	fontSize   = 13
	maxLabel   = 17 // runes; longer labels are cut, the full one is the tooltip
)

// barChart draws horizontal bars as inline SVG, for pages that carry no
// script and load nothing from elsewhere (the console's CSP). Every piece
// of text is escaped here, which is what makes the template.HTML safe;
// colours are presentation attributes, since the CSP forbids inline styles.
func barChart(id, title string, bars []bar) template.HTML {
	esc := html.EscapeString
	rows := max(len(bars), 1)
	height := rows*rowHeight + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		esc(id), chartWidth, height, chartWidth, height, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" fill="#5f6368">本期没有案件</text></svg>`, labelWidth, rowHeight-6, fontSize)
		return template.HTML(b.String())
	}
	top := 0
	for _, x := range bars {
		top = max(top, x.N)
	}
	for i, x := range bars {
		y := 4 + i*rowHeight
		w := 0
		if top > 0 {
			w = x.N * barSpace / top
		}
		if x.N > 0 {
			w = max(w, 1) // a case is never drawn as nothing
		}
		base := y + rowHeight/2 + fontSize/2 - 2
		fmt.Fprintf(&b, `<g data-key="%s" data-n="%d"><title>%s：%d</title>`, esc(x.Key), x.N, esc(x.Label), x.N)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" text-anchor="end" fill="#1f2328">%s</text>`,
			labelWidth-8, base, fontSize, esc(cut(x.Label, maxLabel)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="#4a7bb7"/>`, labelWidth, y+3, w, rowHeight-6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" fill="#1f2328">%d</text></g>`, labelWidth+w+6, base, fontSize, x.N)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// cut shortens s to n runes, marking the cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
