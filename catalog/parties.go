package catalog

import (
	"fmt"
	"strings"

	"jiefen/dispute"
)

// The other party (被申请人): what they are told when they join, what
// their answers bring, and what the claimant is told of them. The words a
// respondent replies with are fixed by the outside contract.
const (
	WordConsent = "同意调解"
	WordDecline = "不同意"
	// WordNotPerformed is what either party says when the other does not
	// do what was agreed.
	WordNotPerformed = "对方没履行"
)

// Voluntariness is the statement of 人民调解法 arts. 17 and 23 every
// respondent reads before answering.
const Voluntariness = "人民调解遵循自愿、平等原则，不收取任何费用。您可以选择接受或者拒绝调解，调解过程中也可以随时要求终止；一方明确拒绝的，不进行调解（《人民调解法》第十七条、第二十三条）。"

// RespondentGreeting is the respondent's first message, in the passive
// reply to their scan (or on their page): the case, the body, a neutral
// summary, the statement and the two answers.
func RespondentGreeting(caseID, bodyName, summary string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "您好！%s邀请您参加一起纠纷的人民调解。\n案件编号：%s", bodyName, caseID)
	if summary != "" {
		b.WriteString("\n纠纷概况：" + summary)
	}
	b.WriteString("\n\n" + Voluntariness)
	b.WriteString("\n\n" + RespondentPrivacy)
	fmt.Fprintf(&b, "\n\n愿意参加调解，请回复“%s”；不愿意，请回复“%s”。", WordConsent, WordDecline)
	return b.String()
}

// RespondentPrivacy tells the respondent, at first contact, what is kept
// of them and who sees it (个人信息保护法 art. 17): the mediator entered
// their name and phone before they knew of the case.
const RespondentPrivacy = "【个人信息告知】您的姓名、电话和在这里的留言只用于本次调解，仅提供给承办的调解组织；案件结束后按规定期限删除联系方式。"

// RespondentAgain answers a respondent who scans the code again.
func RespondentAgain(caseID, status string) string {
	return fmt.Sprintf("您已是案件 %s 的被申请人（%s）。有什么情况直接在这里留言，调解员会看到。", caseID, status)
}

// RespondentConsented thanks a respondent who agreed.
func RespondentConsented(caseID string) string {
	return fmt.Sprintf("已记录：您同意调解案件 %s。调解员会在这里与您联系、约定调解时间；您有什么想说的，直接在这里留言即可。", caseID)
}

// RespondentDeclined acknowledges a decline, and leaves the door open.
func RespondentDeclined(caseID string) string {
	return fmt.Sprintf("已记录：您不同意调解案件 %s，我们尊重您的选择，已告知调解员和申请人。如您改变主意，回复“%s”即可。", caseID, WordConsent)
}

// RespondentAnswerSettled answers a consent or refusal sent after the
// case ended or its agreement took effect.
func RespondentAnswerSettled(caseID string) string {
	return fmt.Sprintf("案件 %s 的调解已经结束或调解协议已生效，您的这次答复不会改变结果。您的话已转给调解员；如对协议有异议，请直接联系调解员。", caseID)
}

// RespondentAsked reminds a respondent who wrote before answering.
func RespondentAsked(caseID string) string {
	return fmt.Sprintf("您的留言已转给调解员（案件 %s）。请问您是否愿意参加调解？回复“%s”或“%s”。", caseID, WordConsent, WordDecline)
}

// RespondentNoted acknowledges a respondent's message.
func RespondentNoted(caseID string) string {
	return fmt.Sprintf("已收到，已转给调解员（案件 %s）。", caseID)
}

// RespondentHelp is the help a respondent gets.
func RespondentHelp(caseID string) string {
	return fmt.Sprintf("您是案件 %s 的被申请人。直接留言，调解员会看到；回复“%s”或“%s”表明是否参加调解；回复“进度”查看进展。如要为自己的事求助，请回复“新求助”。", caseID, WordConsent, WordDecline)
}

// RespondentProgress tells a respondent where the case stands.
func RespondentProgress(caseID, status, bodyName, partyStatus string) string {
	return fmt.Sprintf("案件 %s\n状态：%s\n承办：%s\n您的答复：%s", caseID, status, bodyName, partyStatus)
}

// InviteUnknown answers a scan of a code jiefen does not know (or no
// longer: the case was deleted).
const InviteUnknown = "这个调解邀请码已失效或无法识别。如您收到过调解邀请，请联系邀请您的调解员重新发送。"

// InviteTaken answers a scan of a code someone else already joined with.
const InviteTaken = "这个调解邀请已由他人使用。如您也是这起纠纷的当事人，请联系调解员为您单独发送邀请。"

// InviteWithdrawn answers a scan (or the link) of an invitation the
// mediator took back; contact is the body's phone or address ("" when the
// table gives none).
func InviteWithdrawn(bodyName, contact string) string {
	return "这个调解邀请已被调解员撤回，二维码和链接都已失效。如有疑问，请联系" + bodyName + withContact(contact) + "。"
}

// RespondentWithdrawn tells a respondent who came that the invitation was
// taken back: the case is no longer theirs to follow.
func RespondentWithdrawn(caseID, bodyName, contact string) string {
	return fmt.Sprintf("案件 %s：%s已撤回对您的调解邀请，您无需再答复；此后在这里的留言不会再转给调解员。如有疑问，请联系%s%s。如要为自己的事求助，请回复“新求助”。",
		caseID, bodyName, bodyName, withContact(contact))
}

// withContact is a body's contact in brackets, "" without one.
func withContact(contact string) string {
	if contact == "" {
		return ""
	}
	return "（" + contact + "）"
}

// InviteOwn answers a claimant who scans the code meant for the other side.
func InviteOwn(caseID string) string {
	return fmt.Sprintf("这是您的案件 %s 给对方的调解邀请码，请把它转给对方扫描；您自己不用扫。", caseID)
}

// InviteEnded answers a scan of a code whose case has ended.
func InviteEnded(caseID string) string {
	return fmt.Sprintf("案件 %s 已经结束，邀请已失效。如有疑问，请联系承办单位。", caseID)
}

// OtherRoutes are the routes besides mediation, as 人民调解法 art. 26 asks
// them to be told.
const OtherRoutes = "您仍可以依法维护自己的权益：\n1. 申请仲裁（如劳动争议可向劳动人事争议仲裁院申请）；\n2. 请有关行政机关依法处理（如投诉、申请行政复议）；\n3. 向人民法院提起诉讼。\n需要帮助可回复“人工”，或拨打12348公共法律服务热线。"

// ClaimantToldDeclined tells the claimant that the other side refused
// mediation, and the other routes (art. 26).
func ClaimantToldDeclined(caseID string) string {
	return fmt.Sprintf("您的案件 %s：对方表示不同意调解。人民调解以双方自愿为前提，对方拒绝的，调解无法进行。\n\n%s", caseID, OtherRoutes)
}

// ClaimantToldJoined tells the claimant that the other side came.
func ClaimantToldJoined(caseID string, consented bool) string {
	if consented {
		return fmt.Sprintf("您的案件 %s：对方已同意调解，调解员会与双方约定时间。", caseID)
	}
	return fmt.Sprintf("您的案件 %s：对方已收到调解邀请。", caseID)
}

// ForwardInvitation is the text a mediator sends the claimant to forward
// to the other side: who invites, why, and the link.
func ForwardInvitation(caseID, bodyName, link string) string {
	return fmt.Sprintf("您的案件 %s 需要对方参加调解。请把下面这段话转发给对方：\n\n【%s 调解邀请】您好，%s邀请您参加一起纠纷的人民调解（自愿、免费）。请打开链接查看并答复：%s", caseID, bodyName, bodyName, link)
}

// NotPerformedNoted answers a party who says the other did not perform,
// before any agreement was judicially confirmed: what the mediator will do.
func NotPerformedNoted(caseID string) string {
	return fmt.Sprintf("已记录：您反映对方没有履行（案件 %s），已提醒调解员。调解员会联系双方了解情况、督促履行；如调解协议经法院司法确认，还可以向法院申请强制执行。", caseID)
}

// RespondentStatusNotice tells a respondent who came in that the case
// moved: they take part in the mediation, so its end (or a step back to
// mediation) concerns them as much as the claimant.
func RespondentStatusNotice(caseID string, to dispute.Status, bodyName, note, judicial string) string {
	s := progress("您参与调解的案件", caseID, to, bodyName, note)
	switch to {
	case dispute.Resolved:
		s += "\n感谢您的配合。" + judicialAdvice(judicial)
	case dispute.Unresolved:
		s += "\n调解未能达成一致，本次调解结束。双方仍可依法申请仲裁或向人民法院提起诉讼。"
	case dispute.Withdrawn:
		s += "\n申请人已撤回申请，本次调解结束，感谢您的配合。"
	}
	return s
}
