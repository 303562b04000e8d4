package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/personal"
	"jiefen/store"
	"jiefen/workflow"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 100

// auditNames are the actions as the page names them.
var auditNames = map[string]string{
	store.AuditView:        "查看",
	store.AuditChange:      "修改",
	store.AuditSend:        "发送",
	store.AuditExport:      "导出",
	store.AuditLogin:       "登录",
	store.AuditLoginFailed: "登录失败",
	store.AuditLogout:      "退出",
	store.AuditRedact:      "删除个人信息",
	store.AuditConsent:     "市民同意",
}

var roleNames = map[string]string{store.RoleAdmin: "管理员", store.RoleSupervisor: "负责人", store.RoleMediator: "调解员", store.AuditCitizen: "市民"}

// auditRow is an entry as the page shows it.
type auditRow struct {
	store.AuditEntry
	ActionName, RoleName string
	Who                  string // the person's name; the login stays in User
}

// auditWho names who acted: a person by their display name; the machine
// (system) and the command line (cli) as they are recorded; the citizen's
// own consents as 市民.
func (c *admin) auditWho(user string) string {
	if user == store.AuditSystem || user == "cli" {
		return user
	}
	if user == store.AuditCitizen {
		return "市民"
	}
	return c.personName(user)
}

// auditFilter reads the page's filters: user, case, action, and a period
// of China dates, both days included.
func auditFilter(r *http.Request) (store.AuditFilter, error) {
	q := r.URL.Query()
	f := store.AuditFilter{User: strings.TrimSpace(q.Get("user")), CaseID: strings.TrimSpace(q.Get("case")),
		Action: q.Get("action"), Limit: auditPageSize}
	var err error
	if f.From, f.To, err = dayRange(q); err != nil {
		return f, err
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, httpError{http.StatusBadRequest, "页码不对。"}
		}
		f.Before = id
	}
	return f, nil
}

// auditPage is the audit log, for admins only: who viewed, changed,
// exported or sent what, when and from where, newest first.
func (c *admin) auditPage(w http.ResponseWriter, r *http.Request) error {
	u := current(r)
	if u.Role != store.RoleAdmin {
		return httpError{http.StatusForbidden, "审计日志仅供管理员查看。"}
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	entries, err := c.Store.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{AuditEntry: e, ActionName: auditNames[e.Action], RoleName: roleNames[e.Role], Who: c.auditWho(e.User)}
	}
	q := r.URL.Query()
	q.Del("before")
	var older string
	if len(entries) == auditPageSize {
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		older = "/console/audit?" + q.Encode()
		q.Del("before")
	}
	c.render(w, http.StatusOK, "audit.html", map[string]any{
		"User": u, "BodyName": c.bodyName(u.Body), "Rows": rows, "Older": older,
		"Newest": "/console/audit?" + q.Encode(), "Paged": f.Before != 0,
		"Q": map[string]string{"user": q.Get("user"), "case": q.Get("case"), "action": q.Get("action"),
			"from": q.Get("from"), "to": q.Get("to")},
		"Actions": auditActionOptions(),
	})
	return nil
}

type auditOption struct{ Code, Name string }

func auditActionOptions() []auditOption {
	out := make([]auditOption, len(store.AuditActions))
	for i, a := range store.AuditActions {
		out[i] = auditOption{a, auditNames[a]}
	}
	return out
}

// auditWhen shows an entry's time to the second, in China time.
func auditWhen(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04:05") }

// auditLabels put the stored details' leading words (stable codes, kept in
// English in the log so tools can read it) into the page's language; what
// follows them (statuses, body ids, case numbers) is shown as stored.
var auditLabels = []struct{ code, name string }{
	{"api case list", "接口：案件列表"}, {"api case", "接口：查看案件"},
	{"api message", "接口：发消息"}, {"api status", "接口：改状态"}, {"api decline", "接口：退回"},
	{"api transfer", "接口：转交"}, {"api video", "接口：视频调解"},
	{"case page", "案件页"}, {"thread", "案件记录"}, {"stats.csv", "导出统计"}, {"unknown name", "无此用户"},
	{"referral retry", "重新推送"}, {"retry message", "重新发送消息"}, {"quick replies", "编辑常用回复"}, {"webhook set", "设置推送"}, {"webhook removed", "移除推送"},
	{"user add", "新建账号"}, {"user disable", "停用账号"}, {"user enable", "启用账号"}, {"user password", "重设密码"},
	{"user display", "修改姓名"}, {"token create", "新建接口令牌"}, {"token revoke", "撤销接口令牌"}, {"disabled", "账号已停用"},
	{"reply", "回复市民"}, {"note", "内部备注"}, {"take", "接手"}, {"status", "改状态"},
	{"decline", "退回"}, {"transfer", "转交"}, {"assign", "分派"}, {"video", "视频调解"},
	{"type", "更正类型"}, {"extend", "延长期限"},
	{"notice", "个人信息告知"}, {"sensitive", "敏感个人信息"},
}

// auditDetail is an entry's detail as the audit page shows it.
func auditDetail(d string) string {
	for _, l := range auditLabels {
		if rest, ok := strings.CutPrefix(d, l.code); ok && (rest == "" || rest[0] == ' ') {
			words := strings.Fields(rest)
			for i, w := range words {
				switch {
				case dispute.Status(w).Valid():
					words[i] = dispute.Status(w).Name()
				case w == workflow.AuditAgreed:
					words[i] = "同意"
				case w == workflow.AuditDeclined:
					words[i] = "不同意"
				case l.code == "sensitive" && i == 0:
					words[i] = sensitiveNames(w)
				}
			}
			return strings.Join(append([]string{l.name}, words...), " ")
		}
	}
	return d
}

// sensitiveNames names the kinds of sensitive information of a consent
// ("health,minor") as citizens were told them.
func sensitiveNames(codes string) string {
	var kinds []personal.Kind
	for _, c := range strings.Split(codes, ",") {
		kinds = append(kinds, personal.Kind(c))
	}
	return "（" + personal.Names(kinds) + "）"
}
