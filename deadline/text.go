package deadline

import "fmt"

// What the watcher tells citizens. The texts live here rather than with
// the bot's: the bot sets due times (SetDue), so it imports this package,
// and recognises the follow-up question when the citizen answers it.

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
