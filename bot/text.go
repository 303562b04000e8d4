package bot

import (
	"fmt"
	"strings"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/personal"
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
		"仅提供给处理您案件的调解组织或部门，不作他用；案件结束后按规定期限删除联系方式。" +
		"涉及健康、孩子等敏感信息时，会另外征求您的同意。"
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

	txtGreeting   = "您好！我是解纷服务助手。遇到什么矛盾纠纷，直接用自己的话跟我说说就行；发送“帮助”可查看使用方法。"
	txtStartNew   = "好的，请直接说说遇到了什么问题：什么时间、和谁、因为什么事。"
	txtNoCases    = "您还没有登记的案件。遇到什么问题，直接跟我说说，我来帮您登记。"
	txtUrgent     = "【紧急提醒】如果有人正处于危险中，请立即拨打110报警；有人受伤请拨打120急救！"
	txtCancelled  = "好的，已取消本次登记，您的陈述不会被保存。需要时随时再找我。"
	txtHuman      = "好的，已通知工作人员，工作时间内会尽快联系您。"
	txtHumanNew   = "好的。请先用几句话说说遇到了什么问题，登记后会有调解员与您联系。"
	txtHumanDraft = "好的，登记完成后会有调解员与您联系。"
	txtMediaKept  = "收到，会附在案件里。"

	txtVoiceNeedsText = "收到您的语音，调解员会收听。为了尽快帮您登记，方便的话请再用文字简单说一下遇到了什么问题。"
	txtVoiceOnCase    = "收到您的语音，已附在案件中，调解员会收听。"
	txtImageNeedsText = "收到图片，会作为证据附在案件里。请再用文字简单说说遇到了什么问题。"
	txtImageOnCase    = "收到图片，已作为证据附在案件中。"
	txtUnsupported    = "暂时只能处理文字、语音和图片。请用文字说说您的情况。"
	txtWithdrawNone   = "您目前没有可以撤回的案件。"
	txtWithdrawDone   = "案件 %s 已撤回。以后如需帮助，随时再找我。"
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
		"\n如有补充，直接发在这里即可；发送“进度”可随时查看。", c.ID, c.BodyName, catalog.Day(c.AcceptBy))
}

func humanCreated(c caseView) string {
	return fmt.Sprintf("已为您转人工，案件编号：%s\n承办：%s\n工作人员会在工作时间尽快在这里联系您。"+
		"\n您可以先把情况发在这里。", c.ID, c.BodyName)
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

// passedToMediator tells a citizen in the middle of an intake that words
// answering a mediator went to that mediator's case.
func passedToMediator(caseID string) string {
	return "这句话已转给案件 " + caseID + " 的调解员。"
}

// otherCaseHint tells a citizen with several open cases how to write
// about another one than the case their words joined.
func otherCaseHint(other string) string {
	return "您还有其他案件在办理。如果这条是说另一个案件，请在留言前写上它的编号再发一次，例如“" + other + " 您要说的话”。"
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

// followUpReopened answers "没有" to the follow-up question.
func followUpReopened(caseID, bodyName string) string {
	return fmt.Sprintf("很抱歉问题还没有解决。案件 %s 已重新交给%s继续调解，调解员会尽快联系您。", caseID, bodyName)
}

// The separate consent for sensitive information (bot/sensitive.go): what
// kind, why it is needed, who receives it, and what happens if the citizen
// says no. catalog.NoticeVersion changes with this wording.
func askSensitive(kinds []personal.Kind, bodyName string) string {
	return "您说的情况涉及" + quoted(kinds) + "。这类信息比较敏感，需要单独问一下您是否同意：\n" +
		"· 为什么需要：调解员要据此了解事情经过和损失，才能帮您调解\n" +
		"· 谁会看到：只提供给" + bodyName + "，不作他用，案件结束后按期限删除\n" +
		"· 您可以不同意：这些内容不保存、不转交，其余情况照常登记转交，调解员联系您时您可以再决定说不说\n\n" +
		"请回复“同意”或“不同意”。"
}

func askSensitiveAgain(kinds []personal.Kind) string {
	if len(kinds) == 0 {
		return "请回复“同意”或“不同意”。"
	}
	return "涉及" + quoted(kinds) + "的内容，是否同意提供给承办单位？请回复“同意”或“不同意”。"
}

func askSensitiveLater(caseID string, kinds []personal.Kind, bodyName string) string {
	return "您这条留言涉及" + quoted(kinds) + "，比较敏感，转给调解员之前需要单独问一下您（案件 " + caseID + "）：\n" +
		"· 为什么需要：调解员要据此了解情况，才能帮您调解\n" +
		"· 谁会看到：只提供给" + bodyName + "，不作他用，案件结束后按期限删除\n" +
		"· 您可以不同意：这些内容不保存、不转交，留言的其余部分照常转给调解员\n\n" +
		"请回复“同意”或“不同意”。"
}

func sensitiveDeclinedLater(kinds []personal.Kind) string {
	return "好的，涉及" + quoted(kinds) + "的内容不会保存，也不会转交；留言的其余部分已转给调解员。"
}

func sensitiveDeclined(kinds []personal.Kind) string {
	return "好的，涉及" + quoted(kinds) + "的内容不会保存，也不会转交。其余情况照常登记。"
}

// txtSensitiveAllDeclined stands for a story that was all sensitive
// details the citizen declined to pass on.
const txtSensitiveAllDeclined = "（市民未同意提供涉及敏感个人信息的内容，具体情况请与市民联系了解）"

// quoted names kinds for a sentence: “健康和病情、伤情”“不满14岁孩子的情况”.
func quoted(kinds []personal.Kind) string {
	var b strings.Builder
	for _, k := range kinds {
		b.WriteString("“" + k.Name() + "”")
	}
	return b.String()
}
