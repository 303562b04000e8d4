package routing

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// What the LLM is sent holds no name, phone, ID or bank number or address
// of the complaint; the answer's placeholders come back as the citizen's
// words in the summary (with phone and ID numbers masked as every summary).
func TestLLMSeesNoPersonalDetails(t *testing.T) {
	const story = "我叫王秀英，住在柳河县幸福小区3号楼2单元501室，包工头刘德胜拖欠我三个月工资12000元，" +
		"工资卡6222021234567890128一分没到，我电话13912345678，身份证220524198503120027"
	srv := newStandIn(t, answer(`{"type":"labor","urgent":false,"region":"柳河县","summary":"【姓名2】拖欠【姓名1】三个月工资12000元","missing":["【姓名2】的单位"]}`))
	l := newTestLLM(t, srv.URL+"/v1", &stubLocal{res: localWage})
	a, err := l.Analyze(context.Background(), story)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(srv.lastBody())
	sent := string(raw)
	for _, secret := range []string{"王秀英", "刘德胜", "幸福小区", "501", "6222021234567890128", "13912345678", "220524198503120027", "1391234", "2205241985"} {
		if strings.Contains(sent, secret) {
			t.Errorf("the LLM was sent %q", secret)
		}
	}
	for _, kept := range []string{"柳河县", "三个月工资12000元", "【电话1】", "【身份证1】", "【银行卡1】", "【地址1】"} {
		if !strings.Contains(sent, kept) {
			t.Errorf("the LLM was not sent %q", kept)
		}
	}
	if a.Summary != "刘德胜拖欠王秀英三个月工资12000元" || !a.SummaryAI {
		t.Errorf("summary %q (AI %v), want the names back and the AI mark", a.Summary, a.SummaryAI)
	}
	if len(a.Missing) != 1 || a.Missing[0] != "刘德胜的单位" {
		t.Errorf("missing = %v", a.Missing)
	}
	// The extractive summary is not the AI's.
	if b := l.localAnalysis(localWage, story); b.SummaryAI {
		t.Error("the local summary is marked as the AI's")
	}
}
