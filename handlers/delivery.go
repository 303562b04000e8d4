package handlers

import (
	"regexp"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// What became of each message the thread says went to the citizen: the
// thread records what was said, the outbound queue what the platform did
// with it, and a mediator must not read "sent" where the platform held or
// refused it.

// markDelivery pairs each outgoing message of a case's thread with the
// queue item that carried it (in order: the same text, or the mediator's
// text as the citizen reads it, or a part of a long reply) and writes the
// item's state on it. A message without an item was the passive reply to
// the citizen's own message, delivered with it.
func markDelivery(views []eventView, items []store.Outbound, k dispute.Case, cit dispute.Citizen, now time.Time) {
	var queue []store.Outbound
	for _, o := range items {
		if o.CaseID == k.ID && o.Kind != store.OutFetchMedia {
			queue = append(queue, o)
		}
	}
	next := 0
	for i := range views {
		e := &views[i]
		if e.Kind != dispute.MessageOut {
			continue
		}
		for j := next; j < len(queue); j++ {
			if carries(queue[j], e.Event, k.ID) {
				e.Delivery, e.DeliveryClass = deliveryText(queue[j], cit, now)
				if queue[j].State == store.OutFailed {
					e.RetryID = queue[j].ID
				}
				next = j + 1
				break
			}
		}
	}
}

func carries(o store.Outbound, e dispute.Event, caseID string) bool {
	return o.Text == e.Text || o.Text == catalog.FromMediator(caseID, e.Text) ||
		(e.Actor == "bot" && o.Text != "" && strings.Contains(e.Text, o.Text))
}

// deliveryText says an item's state in words, with the reason when it did
// not go out.
func deliveryText(o store.Outbound, cit dispute.Citizen, now time.Time) (text, class string) {
	switch o.State {
	case store.OutSent:
		switch o.Via {
		case "template":
			return "已通过模板消息送达（附案件页链接）", "sent"
		case "subscribe":
			return "已通过订阅通知送达（附案件页链接）", "sent"
		}
		return "已送达", "sent"
	case store.OutHeld:
		why := "5条消息额度已用完"
		if !now.Before(cit.WindowUntil) {
			why = "距市民上次发消息已超过48小时"
		}
		if strings.Contains(o.LastError, "no subscription") {
			// Subscription notices are offered: a consent would carry it too.
			return "未发出：" + why + "，且市民未订阅通知；市民下次发消息或订阅通知后自动发出", "held"
		}
		return "未发出：" + why + "，市民下次发消息后自动发出", "held"
	case store.OutFailed:
		return "发送失败：" + platformError(o.LastError), "failed"
	}
	if o.LastError != "" {
		return "发送中，正在重试（" + platformError(o.LastError) + "）", "pending"
	}
	return "发送中", "pending"
}

// platformError puts the platform's refusal in words a mediator can act
// on; the stored error never holds the message's text.
func platformError(err string) string {
	m := errcodeRe.FindStringSubmatch(err)
	if m == nil {
		return "平台暂时无法送达"
	}
	if words, ok := errcodeWords[m[1]]; ok {
		return words
	}
	return "平台拒绝（错误码 " + m[1] + "）"
}

var errcodeRe = regexp.MustCompile(`errcode[ =:]*(-?\d+)`)

var errcodeWords = map[string]string{
	"45015": "超出48小时回复时限", "45047": "超出消息条数限制", "43004": "市民已取消关注公众号",
	"40003": "市民账号无效", "45002": "消息太长", "40001": "平台凭证失效", "42001": "平台凭证过期", "-1": "平台繁忙",
}
