package catalog

import (
	"fmt"
	"strings"
	"time"

	"jiefen/dispute"
)

// What the parties are told about their mediation agreement (调解协议书)
// and its judicial confirmation (司法确认).

// The words the parties reply with.
const (
	WordConfirm = "确认协议"
	WordApply   = "申请司法确认"
	WordAddress = "送达地址"
)

// AgreementTemplate is the console's starting text of a new agreement:
// the contents 人民调解法 art. 29 asks of one.
const AgreementTemplate = `一、当事人基本情况
申请人：（姓名、性别、年龄、住址）
被申请人：（姓名、性别、年龄、住址）

二、纠纷的主要事实和争议事项
（简要写明纠纷经过和双方争议的问题）

三、双方达成的协议内容
1. 
2. 

四、履行方式和期限
（如：被申请人于2026年12月31日前通过银行转账一次性支付申请人人民币××元）

五、其他
本协议经双方当事人在微信中回复“确认协议”后生效。`

// AgreementNotice sends a version of the agreement to a party: the terms,
// then how to confirm. A new version says it replaces the old one.
func AgreementNotice(caseID string, version int, terms string) string {
	head := fmt.Sprintf("【案件 %s · 调解协议（第%d版）】\n请仔细阅读以下协议内容：\n\n", caseID, version)
	if version > 1 {
		head = fmt.Sprintf("【案件 %s · 调解协议已修改为第%d版】\n之前的版本作废，之前的确认也不再有效。请仔细阅读新的内容：\n\n", caseID, version)
	}
	return head + terms + "\n\n同意以上内容，请回复“" + WordConfirm + "”。有疑问可直接回复，调解员会看到。"
}

// NoAgreement answers 确认协议 where no agreement awaits the party.
const NoAgreement = "目前没有需要您确认的调解协议。调解员拟好协议后会发给您。"

// AgreementStale refuses a confirmation naming a version a newer one replaced.
func AgreementStale(caseID string, said, current int) string {
	return fmt.Sprintf("案件 %s 的第%d版协议已被第%d版代替，请先阅读最新的第%d版，同意的话回复“%s”。", caseID, said, current, current, WordConfirm)
}

// AgreementAlreadyConfirmed answers a second 确认协议.
func AgreementAlreadyConfirmed(caseID string, version int) string {
	return fmt.Sprintf("您已确认过案件 %s 的第%d版协议，不用再次确认。", caseID, version)
}

// AgreementConfirmedWaiting thanks a party whose confirmation is not the last.
func AgreementConfirmedWaiting(caseID string, version int) string {
	return fmt.Sprintf("已记录：您确认了案件 %s 的第%d版调解协议。等对方也确认后，协议即生效，我们会告诉您。", caseID, version)
}

// AgreementSignedNotice tells every party the agreement took effect and
// what judicial confirmation gives them, or why it is not available.
func AgreementSignedNotice(caseID string, version int, due time.Time, confirmable bool, why string) string {
	s := fmt.Sprintf("案件 %s 的调解协议（第%d版）双方都已确认，现已生效，请按约定履行。", caseID, version)
	if !confirmable {
		return s + "\n\n这份协议不能申请法院司法确认：" + why
	}
	return s + fmt.Sprintf("\n\n您还可以申请法院“司法确认”：法院确认后，如果一方不履行，另一方可以直接申请法院强制执行，不用再打官司。"+
		"司法确认不收费，需要双方都申请，期限是协议生效后30日内（%s前）。\n"+
		"申请请回复“%s”。如希望法院把文书寄给您，可以一起写上地址，如“%s 通化市东昌区××路××号”。", Day(due), WordApply, WordApply)
}

// CourtNotSigned answers 申请司法确认 where no agreement took effect.
const CourtNotSigned = "您的案件还没有双方都确认的调解协议，暂时不能申请司法确认。协议生效后我们会告诉您怎么申请。"

// CourtNotAvailable answers 申请司法确认 for an agreement courts do not confirm.
func CourtNotAvailable(caseID, why string) string {
	return "案件 " + caseID + " 的调解协议不能申请司法确认：" + why
}

// CourtExpired answers 申请司法确认 after the 30 days.
func CourtExpired(caseID string) string {
	return "案件 " + caseID + " 的调解协议生效已超过30日，不能再申请司法确认了。协议仍然有效；对方不履行的，您可以向法院起诉。"
}

// CourtAlreadyApplied answers a second 申请司法确认 while the other side has not applied.
func CourtAlreadyApplied(caseID string, due time.Time) string {
	return fmt.Sprintf("您已申请案件 %s 的司法确认，正在等对方申请（%s前）。双方都申请后，我们会把材料交给法院。", caseID, Day(due))
}

// CourtApplied thanks a party whose application is not the last.
func CourtApplied(caseID string, due time.Time, address string) string {
	s := fmt.Sprintf("已记录您对案件 %s 的司法确认申请。还需要对方在%s前也回复“%s”，双方都申请后我们会把材料交给法院。", caseID, Day(due), WordApply)
	return s + addressLine(address)
}

// CourtSent tells every party the application went to the court.
// Without online delivery (the court has no webhook) the mediator hands
// the papers in: the parties are told so, not that the court has them.
func CourtSent(caseID, court string, online bool) string {
	if !online {
		return fmt.Sprintf("案件 %s：双方都已申请司法确认，申请已记录。调解员会把调解协议和申请材料递交%s，法院受理后会在这里告诉您。", caseID, court)
	}
	return fmt.Sprintf("案件 %s：双方都已申请司法确认，调解协议和申请材料已提交%s。法院一般在3日内决定是否受理，受理后15日内作出决定，结果会在这里告诉您。", caseID, court)
}

// CourtSentToYou is CourtSent for the party whose reply completed the application.
func CourtSentToYou(caseID, court, address string, online bool) string {
	return CourtSent(caseID, court, online) + addressLine(address)
}

// CourtNoCourt tells a party no court could be found; the mediator helps.
func CourtNoCourt(caseID string) string {
	return "案件 " + caseID + "：双方都已申请司法确认。系统暂时没有找到受理法院，调解员会联系您办理。"
}

// CourtInProgress answers 申请司法确认 once the application is with the court.
func CourtInProgress(caseID string) string {
	return "案件 " + caseID + " 的司法确认申请已提交法院，请耐心等待，结果会在这里告诉您。"
}

func addressLine(address string) string {
	if address == "" {
		return "\n如希望法院把文书寄给您，请回复“" + WordAddress + " ＋ 您的地址”。"
	}
	return "\n法院文书送达地址：" + address + "。"
}

// AddressRecorded answers 送达地址.
func AddressRecorded(caseID, address string) string {
	return "已记录案件 " + caseID + " 的送达地址：" + address + "。如申请已提交法院，调解员会把新地址转告法院。"
}

// AddressMissing answers 送达地址 without an address.
const AddressMissing = "请在“送达地址”后面写上能收到法院文书的地址，如“送达地址 通化市东昌区××路××号”。"

// CourtReminder reminds a party who has not applied of the 30 days. It
// starts with what matters: outside the chat's window it goes as a
// template message, which shows its first words.
func CourtReminder(caseID string, due time.Time, daysLeft int) string {
	return fmt.Sprintf("司法确认申请期限还剩%d天（%s前）：案件 %s 的调解协议，如需申请法院司法确认，请回复“%s”。司法确认不收费，确认后对方不履行可直接申请强制执行；不需要可以不理会。", daysLeft, Day(due), caseID, WordApply)
}

// CourtLapsed tells the parties the 30 days ended without both applying.
func CourtLapsed(caseID string) string {
	return "司法确认申请期限已过：案件 " + caseID + " 的调解协议生效已满30日，双方没有都申请司法确认。协议仍然有效；对方不履行的，您可以向法院起诉。"
}

// CourtAnswer tells every party the court's answer, the fact first (it
// may go as a template message, which shows the first words).
func CourtAnswer(caseID, court, status, number, reason string) string {
	switch status {
	case "accepted":
		return fmt.Sprintf("法院已受理司法确认申请，案号%s。案件 %s：%s一般在15日内作出决定，请留意法院的联系。", number, caseID, court)
	case "confirmed":
		s := fmt.Sprintf("法院已裁定调解协议有效。案件 %s：%s已确认调解协议有效", caseID, court)
		if number != "" {
			s += "（" + number + "）"
		}
		return s + "。如果对方不履行，您可以向这家法院申请强制执行，期限为2年，从协议约定的最后履行日的次日起算。"
	}
	return fmt.Sprintf("法院驳回了司法确认申请。案件 %s：%s驳回了申请，原因：%s\n"+
		"协议没有被法院确认。您可以回复“人工”请调解员重新调解、修改协议，也可以向法院提起诉讼。", caseID, court, orNone(reason))
}

// Enforcement is the route for a party whose counterpart does not perform
// a judicially confirmed agreement (民事诉讼法 art. 250: within 2 years of
// the last day of performance).
func Enforcement(caseID, court, number string) string {
	s := "案件 " + caseID + " 的调解协议已经法院司法确认"
	if number != "" {
		s += "（" + number + "）"
	}
	return s + "，可以强制执行。对方不履行的，您可以带上身份证和法院的确认裁定书，向" + court +
		"申请强制执行。申请期限为2年，从协议约定的最后履行日的次日起算。"
}

// NotPerformedConfirmed answers a party who says the other did not
// perform a judicially confirmed agreement: the enforcement route.
func NotPerformedConfirmed(caseID, route string) string {
	return "已记录：您反映对方没有履行（案件 " + caseID + "），已告知调解员。\n\n" + route
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "（法院未写明）"
	}
	return s
}

// JudicialStatusName is a judicial confirmation's status as people say it
// (dispute.Judicial* codes).
func JudicialStatusName(status string) string {
	return map[string]string{
		dispute.JudicialAvailable: "可申请（双方回复“申请司法确认”）", dispute.JudicialNotAvailable: "不能申请",
		dispute.JudicialRequested: "已提交法院", dispute.JudicialAccepted: "法院已受理", dispute.JudicialConfirmed: "法院已确认有效",
		dispute.JudicialRejected: "法院驳回", dispute.JudicialExpired: "已过30日期限",
	}[status]
}
