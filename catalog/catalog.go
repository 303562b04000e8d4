// Package catalog holds what jiefen tells citizens about their case from
// outside the conversation: a mediator's message, status changes,
// transfers, video mediation, deadlines and the follow-up question. The
// conversation's own questions and answers are in bot/text.go. Short and
// kind, in Simplified Chinese; a wording change is one edit here.
package catalog

import (
	"fmt"
	"time"

	"jiefen/dispute"
)

// China has one time zone and no daylight saving: a fixed zone keeps the
// times shown to people independent of the host's tzdata.
var chinaTime = time.FixedZone("CST", 8*3600)

// FromMediator is how a mediator's message reads in the citizen's chat.
func FromMediator(caseID, text string) string {
	return fmt.Sprintf("【案件 %s · 调解员】\n%s", caseID, text)
}

// StatusNotice tells the citizen that their case moved; judicial is the
// state of its judicial confirmation (dispute.Judicial*, "" when no
// agreement took effect), so a resolution does not advise what was done.
func StatusNotice(caseID string, to dispute.Status, bodyName, note, judicial string) string {
	s := progress("您的案件", caseID, to, bodyName, note)
	switch to {
	case dispute.Resolved:
		s += "\n感谢您的信任。" + judicialAdvice(judicial)
	case dispute.Unresolved:
		s += "\n调解未能达成一致，您仍可依法申请仲裁、提起诉讼或申请行政复议。"
	}
	if !to.Open() {
		s += "\n\n" + AskRating
	}
	return s
}

// judicialAdvice is what a resolution says of judicial confirmation.
func judicialAdvice(judicial string) string {
	switch judicial {
	case dispute.JudicialAvailable:
		return "调解协议已生效，双方可在30日内回复“申请司法确认”，免费申请法院确认。"
	case dispute.JudicialRequested, dispute.JudicialAccepted, dispute.JudicialConfirmed:
		return "司法确认的进展会在这里告诉您。"
	case dispute.JudicialNotAvailable, dispute.JudicialRejected, dispute.JudicialExpired:
		return ""
	}
	return "如达成调解协议，可在30日内共同向法院申请司法确认。"
}

// progress is the head of a notice that a case moved: which case, where
// to, who has it and the mediator's note.
func progress(lead, caseID string, to dispute.Status, bodyName, note string) string {
	s := fmt.Sprintf("%s %s 有新进展：%s。\n承办：%s", lead, caseID, to.Name(), bodyName)
	if note != "" {
		s += "\n说明：" + note
	}
	return s
}

// NextStep tells the citizen what happens next with their case.
// acceptBy is when the body should have accepted it (zero: unknown).
func NextStep(s dispute.Status, bodyName string, acceptBy time.Time) string {
	switch s {
	case dispute.Received:
		return "正在为您转交能处理的部门。"
	case dispute.Referred:
		if !acceptBy.IsZero() {
			return fmt.Sprintf("已转交%s，预计%s前受理。", bodyName, Day(acceptBy))
		}
		return "已转交" + bodyName + "，等待受理。"
	case dispute.Accepted:
		return bodyName + "已受理，调解员会尽快联系您。"
	case dispute.Mediating:
		return "调解进行中，调解员会在这里和微信里与您联系。"
	case dispute.Resolved:
		return "调解成功。如达成调解协议，可在30日内共同向法院申请司法确认。"
	case dispute.Unresolved:
		return "调解未能达成一致，您仍可依法申请仲裁、提起诉讼或申请行政复议。"
	case dispute.Withdrawn:
		return "您已撤回此案件。"
	}
	return ""
}

// CaseLinkLine adds the case page's address to a message.
func CaseLinkLine(url string) string { return "\n查看案件进展：" + url }

// TransferNotice tells the citizen their case went to another body; they
// need not tell their story again.
func TransferNotice(caseID, bodyName, why string) string {
	s := fmt.Sprintf("您的案件 %s 已转交%s办理，您之前说的情况已一并转过去，不用重复讲述。", caseID, bodyName)
	if why != "" {
		s += "\n原因：" + why
	}
	return s
}

// VideoNotice gives the citizen the video mediation's time and link.
func VideoNotice(caseID string, start time.Time, link string, reminder bool) string {
	s := fmt.Sprintf("您的案件 %s 已安排视频调解：\n时间：%s\n进入方式：%s",
		caseID, start.In(chinaTime).Format("1月2日 15:04"), link)
	if reminder {
		s += "\n开始前30分钟会再提醒您。"
	}
	return s
}

// VideoCancelled tells the citizen a scheduled video meeting will not take place.
func VideoCancelled(start time.Time) string {
	return fmt.Sprintf("原定 %s 的视频调解取消，新的承办单位会另行安排。", start.In(chinaTime).Format("1月2日 15:04"))
}

// VideoReminder is sent 30 minutes before the video mediation.
func VideoReminder(caseID string, start time.Time, link string) string {
	return fmt.Sprintf("提醒：您的案件 %s 的视频调解将于 %s 开始，请提前准备。\n进入方式：%s",
		caseID, start.In(chinaTime).Format("15:04"), link)
}

// ExtensionNotice tells the citizen, a party to the mediation, that its
// time limit was extended and why.
func ExtensionNotice(caseID string, days int, until time.Time, reason string) string {
	return fmt.Sprintf("您的案件 %s 的调解期限延长 %d 天，至 %s。\n原因：%s", caseID, days, until.Format("1月2日"), reason)
}

// LateNotice tells the citizen, once, that their case has passed a deadline
// (to be accepted, or to be concluded) and that it is being chased.
func LateNotice(caseID string) string {
	return fmt.Sprintf("您的案件 %s 办理时间比预期长了一些，我们已督促承办单位尽快处理。给您带来不便，敬请谅解。", caseID)
}

// FollowUpQuestion asks, some days after a case was resolved, whether the
// problem really is solved; "没有" reopens the case.
func FollowUpQuestion(caseID string) string {
	return fmt.Sprintf("您的案件 %s 调解成功已有一段时间了，问题解决了吗？回复“解决了”或“没有”。", caseID)
}

// AskRating asks for a rating after a mediation ended.
const AskRating = "请为本次服务打分：回复数字 1–5（5 为最满意）。"

// Day names a date the way people say it: "12月9日（周三）".
func Day(t time.Time) string {
	t = t.In(chinaTime)
	return t.Format("1月2日") + "（周" + string([]rune("日一二三四五六")[t.Weekday()]) + "）"
}
