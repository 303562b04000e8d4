package workflow

import (
	"context"
	"strings"
	"time"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// remindBefore is how long before a video mediation the citizen is reminded.
const remindBefore = 30 * time.Minute

// Video sets the video mediation, tells the citizen the time and link now,
// and queues a reminder for remindBefore the start. An accepted case moves
// to mediating with it.
func (w *Cases) Video(ctx context.Context, a Actor, id string, start time.Time, link string) error {
	k, err := w.acting(ctx, a, id)
	if err != nil {
		return err
	}
	now := w.Now()
	if !start.After(now) {
		return refuse(Invalid, "视频调解时间要在现在之后。")
	}
	link = strings.TrimSpace(link)
	if link == "" {
		if w.VideoURL == "" {
			return refuse(Invalid, "请填写视频会议链接。")
		}
		link = strings.ReplaceAll(w.VideoURL, "{case}", k.ID)
	}
	if !strings.HasPrefix(link, "https://") {
		return refuse(Invalid, "视频链接要以 https:// 开头。")
	}
	if !k.Status.Open() {
		return refuse(Conflict, "已结束的案件不能安排调解。")
	}
	remindAt := start.Add(-remindBefore)
	loc := w.Table.Calendar().Location()
	ch := store.Change{
		Video: []store.VideoSchedule{{CaseID: k.ID, Start: start, URL: link, At: now}},
		Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.Video, Actor: a.name(),
			Text: start.In(loc).Format("2006-01-02 15:04") + " " + link}},
	}
	ch.Tell(k, catalog.VideoNotice(k.ID, start, link, remindAt.After(now)), now)
	// The respondents who came in WeChat (and did not refuse) are told
	// and reminded alike; those who came by the page read it there.
	came, err := w.cameParties(ctx, k.ID)
	if err != nil {
		return err
	}
	to := []string{k.OpenID}
	for _, p := range came {
		if p.OpenID != "" && p.Status != dispute.PartyDeclined {
			ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: p.OpenID, CaseID: k.ID, Kind: store.OutText,
				Text: catalog.VideoNotice(k.ID, start, link, remindAt.After(now)), NotBefore: now, CreatedAt: now})
			to = append(to, p.OpenID)
		}
	}
	if remindAt.After(now) {
		// A durable reminder: the queue holds it until its time, across
		// restarts, without holding back what is due before it. Its
		// scheduled start rides along, so a reminder for a time since
		// changed is dropped when due.
		for _, o := range to {
			ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: o, CaseID: k.ID, Kind: store.OutVideoReminder,
				Text: catalog.VideoReminder(k.ID, start, link), MediaID: start.UTC().Format(time.RFC3339), NotBefore: remindAt, CreatedAt: now})
		}
	}
	if k.Status == dispute.Accepted {
		ch.Statuses = []store.StatusChange{{CaseID: k.ID, To: dispute.Mediating, At: now, From: dispute.Accepted}}
		ch.Events = append(ch.Events, dispute.Event{CaseID: k.ID, At: now, Kind: dispute.StatusSet, Actor: a.name(), Status: dispute.Mediating})
	}
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "video")
}

// VideoForJoiner is what a respondent who joins after a video mediation
// was scheduled is told of it ("" when none is coming), with their
// reminder queued as those present when it was scheduled got theirs.
func VideoForJoiner(ch *store.Change, k dispute.Case, openID string, now time.Time) string {
	if k.VideoAt.IsZero() || !k.VideoAt.After(now) || k.VideoURL == "" {
		return ""
	}
	remindAt := k.VideoAt.Add(-remindBefore)
	if remindAt.After(now) {
		ch.Outbound = append(ch.Outbound, store.Outbound{OpenID: openID, CaseID: k.ID, Kind: store.OutVideoReminder,
			Text: catalog.VideoReminder(k.ID, k.VideoAt, k.VideoURL), MediaID: k.VideoAt.UTC().Format(time.RFC3339), NotBefore: remindAt, CreatedAt: now})
	}
	return catalog.VideoNotice(k.ID, k.VideoAt, k.VideoURL, remindAt.After(now))
}
