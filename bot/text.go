package bot

import (
	"fmt"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/routing"
)

// The message catalogue: every text a citizen reads comes from here, so the
// voice of the service stays one voice and a wording change is one edit.
// Short and kind, in Simplified Chinese.
const (
	txtWelcome = "您好，欢迎关注解纷服务！\n" +
		"遇到矛盾纠纷（工资拖欠、交通事故、邻里、婚姻家庭、物业、消费、征收等），直接在这里用自己的话说说情况，" +
		"我们会帮您登记并转给能解决问题的调解组织或部门，办理进展也会在这里告诉您。" +
		"登记前会请您确认个人信息的使用方式。\n如有人身危险，请立即拨打110。"

	// The notice is shown once, when it is asked for (or, after an urgent
	// case, once safety came first): not on follow and again after the story.
	txtNoticeTitle = "【个人信息告知】"
	txtNotice      = txtNoticeTitle + "为办理您的事项，我们会记录您的陈述、所在县区和联系电话，" +
		"仅提供给处理您案件的调解组织或部门，不作他用；案件结束后按规定期限删除联系方式。"
	txtNoticeAfterUrgent = txtNotice + "如不希望我们保存，可发送“撤回”。"

	txtAskConsent        = "收到，我们会认真帮您处理。\n\n" + txtNotice + "\n\n请回复“同意”继续登记；回复“不同意”则不保存您的信息。"
	txtAskConsentAgain   = "请回复“同意”继续登记；回复“不同意”则不保存您的信息。"
	txtContactKept       = "已记下。"
	txtHumanAfterConsent = "好的，请先回复“同意”，登记后马上为您转人工。"
	txtHumanConsent      = "好的，马上为您联系工作人员。\n\n" + txtNotice + "\n\n请回复“同意”，工作人员会尽快与您联系；回复“不同意”则不保存您的信息。"
	txtNoConsent         = "好的，您的信息不会被保存。如需帮助，随时再说说您的情况。"

	txtAskPhone     = "请留一个联系电话，方便调解员联系您（手机或座机均可）。不想留可回复“跳过”。"
	txtBadPhone     = "这个号码好像不太对，请再发一次手机号（11位）或座机号；不想留可回复“跳过”。"
	txtPhoneLetters = "号码里好像混进了字母。手机号是11位数字，请再发一次；不想留可回复“跳过”。"
	txtPhoneDigits  = "手机号是11位数字，您发的是%d位，请再核对一下；不想留可回复“跳过”。"
	txtAskTypeHead  = "请回复数字选择纠纷类型："

	txtHelp = "【使用帮助】\n" +
		"· 直接用文字（或语音）说说遇到的问题，我们帮您登记、转交\n" +
		"· 发送“进度”：查看您的案件办理情况\n" +
		"· 发送“撤回”：撤回正在办理的案件\n" +
		"· 发送“人工”：请工作人员联系您\n" +
		"· 发送“新求助”：反映另一个新问题\n" +
		"如有人身危险，请立即拨打110；需要急救请拨打120。"

	txtGreeting    = "您好！我是解纷服务助手。遇到什么矛盾纠纷，直接用自己的话跟我说说就行；发送“帮助”可查看使用方法。"
	txtStartNew    = "好的，请直接说说遇到了什么问题：什么时间、和谁、因为什么事。"
	txtNoCases     = "您还没有登记的案件。遇到什么问题，直接跟我说说，我来帮您登记。"
	txtUrgent      = "【紧急提醒】如果有人正处于危险中，请立即拨打110报警；有人受伤请拨打120急救！"
	txtCancelled   = "好的，已取消本次登记，您的陈述不会被保存。需要时随时再找我。"
	txtHuman       = "好的，已通知工作人员，工作时间内会尽快联系您。"
	txtPersonAsked = "市民请求人工联系"
	txtHumanNew    = "好的。请先用几句话说说遇到了什么问题，登记后会有调解员与您联系。"
	txtHumanDraft  = "好的，登记完成后会有调解员与您联系。"
	txtMediaKept   = "收到，会附在案件里。"

	txtVoiceNeedsText = "收到您的语音，调解员会收听。为了尽快帮您登记，方便的话请再用文字简单说一下遇到了什么问题。"
	txtVoiceOnCase    = "收到您的语音，已附在案件中，调解员会收听。"
	txtImageNeedsText = "收到图片，会作为证据附在案件里。请再用文字简单说说遇到了什么问题。"
	txtImageOnCase    = "收到图片，已作为证据附在案件中。"
	txtUnsupported    = "暂时只能处理文字、语音和图片。请用文字说说您的情况。"
	txtWithdrawNone   = "您目前没有可以撤回的案件。"
	txtWithdrawDone   = "案件 %s 已撤回。以后如需帮助，随时再找我。"
	txtAskRating      = "请为本次服务打分：回复数字 1–5（5 为最满意）。"
	txtRated          = "谢谢您的评价！我们会继续改进。"
	txtWithdrawKeep   = "好的，案件 %s 继续办理。"
	txtFollowUpThanks = "太好了！谢谢您告诉我们，祝您生活顺心。"
)

// askRegion offers the city's regions as a numbered menu; answerRegion
// reads a number by the same order.
func askRegion(city routing.City) string {
	var b strings.Builder
	b.WriteString("请问事情发生在哪个县区？回复数字即可：\n")
	for i, r := range city.Names() {
		fmt.Fprintf(&b, "%d. %s\n", i+1, r)
	}
	return strings.TrimRight(b.String(), "\n")
}

func askType() string {
	var b strings.Builder
	b.WriteString(txtAskTypeHead + "\n")
	for i, t := range dispute.Types {
		fmt.Fprintf(&b, "%d. %s\n", i+1, t.Name())
	}
	return strings.TrimRight(b.String(), "\n")
}

func askConfirm(d draftView) string {
	phone := "未留"
	if d.Phone != "" {
		phone = d.Phone
	}
	return fmt.Sprintf("请确认登记信息：\n类型：%s\n县区：%s\n电话：%s\n将转交：%s\n\n回复 1 确认提交；回复 2 修改纠纷类型；回复“取消”放弃登记。",
		d.Type.Name(), orDash(d.Region), phone, d.BodyName)
}

func caseCreated(c caseView) string {
	return fmt.Sprintf("登记成功！您的案件编号：%s\n已转交：%s\n预计%s前受理，受理后会在这里通知您。"+
		"\n如有补充，直接发在这里即可；发送“进度”可随时查看。", c.ID, c.BodyName, day(c.AcceptBy))
}

func humanCreated(c caseView) string {
	return fmt.Sprintf("已为您转人工，案件编号：%s\n承办：%s\n工作人员会在工作时间尽快在这里联系您。"+
		"\n您可以先把情况发在这里。", c.ID, c.BodyName)
}

// day names a date the way people say it: "12月9日（周三）".
func day(t time.Time) string {
	t = t.In(chinaTime)
	return t.Format("1月2日") + "（周" + string([]rune("日一二三四五六")[t.Weekday()]) + "）"
}

// askDetails is the one short question after a message that tells too
// little to register (the nth such message in a row).
func askDetails(n int) string {
	if n <= 1 {
		return "好的，请具体说说遇到了什么事：什么时间、和谁、因为什么？"
	}
	return "能再具体一点吗？比如“工地老板欠我三个月工资”“楼上漏水淹了我家”。说清楚是什么事，我们才能转给合适的部门。"
}

func detailsRecorded(caseID, region, phone string) string {
	var got []string
	if region != "" {
		got = append(got, "所在的县区（"+region+"）")
	}
	if phone != "" {
		got = append(got, "联系电话")
	}
	return fmt.Sprintf("已记录您的%s，补充到案件 %s，工作人员会尽快联系您。", strings.Join(got, "和"), caseID)
}

func alreadyFiled(caseID string) string {
	return fmt.Sprintf("案件 %s 已登记成功，无需再次确认。有进展会在这里通知您；要补充情况，直接发在这里即可。", caseID)
}

func joinedEnded(caseID, bodyName string) string {
	return fmt.Sprintf("已收到，已转给办理案件 %s 的%s，工作人员会看到并回复您。如要反映新的问题，请发送“新求助”。", caseID, bodyName)
}

func withdrawNoMatch(ref string) string {
	return "没有找到编号为“" + ref + "”的办理中案件。发送“进度”可查看您的案件编号。"
}

func urgentCreated(c caseView) string {
	to := c.BodyName
	if c.DutyDesk != "" {
		to = c.DutyDesk + "和" + c.BodyName
	}
	s := txtUrgent + fmt.Sprintf("\n\n已为您紧急登记，案件编号：%s，已转交%s。", c.ID, to)
	if c.Region == "" {
		s += "\n方便时请告诉我们您在哪个县区、联系电话，直接发在这里即可。"
	}
	return s
}

func urgentOnCase(caseID, dutyDesk string) string {
	if dutyDesk == "" {
		return txtUrgent + fmt.Sprintf("\n\n已在案件 %s 中标记紧急。", caseID)
	}
	return txtUrgent + fmt.Sprintf("\n\n已在案件 %s 中标记紧急，并通报%s。", caseID, dutyDesk)
}

func joinedThread(caseID string) string {
	return fmt.Sprintf("已收到，已补充到案件 %s，调解员会看到。如要反映新的问题，请发送“新求助”。", caseID)
}

func askWithdraw(caseID string) string {
	return fmt.Sprintf("确定撤回案件 %s 吗？回复 1 确定撤回，回复 2 继续办理。", caseID)
}

func withdrawWhich(ids []string) string {
	return "您有多个正在办理的案件，请发送“撤回 案件编号”，例如“撤回 " + ids[0] + "”。\n" + strings.Join(ids, "\n")
}

func progressList(lines []string) string {
	return "您的案件：\n" + strings.Join(lines, "\n\n")
}

func orDash(s string) string {
	if s == "" {
		return "未知"
	}
	return s
}

// FromMediator is how a mediator's message reads in the citizen's chat.
func FromMediator(caseID, text string) string {
	return fmt.Sprintf("【案件 %s · 调解员】\n%s", caseID, text)
}

// StatusNotice tells the citizen that their case moved.
func StatusNotice(caseID string, to dispute.Status, bodyName, note string) string {
	s := fmt.Sprintf("您的案件 %s 有新进展：%s。\n承办：%s", caseID, to.Name(), bodyName)
	if note != "" {
		s += "\n说明：" + note
	}
	switch to {
	case dispute.Resolved:
		s += "\n感谢您的信任。如达成调解协议，可在30日内共同向法院申请司法确认。"
	case dispute.Unresolved:
		s += "\n调解未能达成一致，您仍可依法申请仲裁、提起诉讼或申请行政复议。"
	}
	if !to.Open() {
		s += "\n\n" + txtAskRating
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
			return fmt.Sprintf("已转交%s，预计%s前受理。", bodyName, day(acceptBy))
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

// followUpReopened answers "没有" to the follow-up question.
func followUpReopened(caseID, bodyName string) string {
	return fmt.Sprintf("很抱歉问题还没有解决。案件 %s 已重新交给%s继续调解，调解员会尽快联系您。", caseID, bodyName)
}
