package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/catalog"
	"jiefen/dispute"
	"jiefen/store"
)

// MaxReply keeps a message within one customer-service message (the
// platform's limit is about 2048 bytes).
const MaxReply = 600

// RetryMessage sends again a message to the case's citizen that the
// platform refused for good (a failed queue item of this case): whoever
// may write to the case may, once the cause (an unfollowed account
// followed again, a platform fault) is gone.
func (w *Cases) RetryMessage(ctx context.Context, a Actor, id string, item int64) error {
	k, err := w.writable(ctx, a, id)
	if err != nil {
		return err
	}
	items, err := w.Store.Outbounds(ctx, k.OpenID)
	if err != nil {
		return err
	}
	for _, o := range items {
		if o.ID != item || o.CaseID != k.ID {
			continue
		}
		if o.State != store.OutFailed {
			return refuse(Conflict, "这条消息不是发送失败的状态，无需重发。")
		}
		if err := w.Store.RetryItem(ctx, item, w.Now()); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return refuse(Conflict, "这条消息刚被重发过。")
			}
			return err
		}
		if w.Kick != nil {
			w.Kick()
		}
		// The retry is its own store write; the entry follows it.
		return w.commit(ctx, a, store.Change{}, store.AuditSend, k.ID, "retry message "+strconv.FormatInt(item, 10))
	}
	return ErrNotFound
}

// LastFromCitizen is the id of the latest message the citizen sent on a
// thread, 0 for none.
func LastFromCitizen(events []dispute.Event) int64 {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == dispute.MessageIn {
			return events[i].ID
		}
	}
	return 0
}

// maxNote bounds an internal note.
const maxNote = 2000

// ErrNewMessage refuses a reply written before the citizen's latest
// message: the mediator reads it first.
var ErrNewMessage = refuse(Conflict, "市民刚发来新消息，请看过后再发送。")

// Reply sends text to the case's citizen: on the thread and in the
// outbound queue together. The duty desk may reply on urgent cases it sees.
// seen is the id of the citizen's latest message the writer had on screen
// (0: unknown, no check): a reply drafted while the citizen wrote again is
// refused with ErrNewMessage, so it is not sent past what they just said.
func (w *Cases) Reply(ctx context.Context, a Actor, id, text string, seen int64) error {
	k, err := w.writable(ctx, a, id)
	if err != nil {
		return err
	}
	if seen > 0 {
		events, err := w.Store.Events(ctx, k.ID)
		if err != nil {
			return err
		}
		if LastFromCitizen(events) > seen {
			return ErrNewMessage
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return refuse(Invalid, "消息不能为空。")
	}
	if utf8.RuneCountInString(text) > MaxReply {
		return refuse(Invalid, fmt.Sprintf("消息太长了，请分几条发送（每条最多 %d 字）。", MaxReply))
	}
	now := w.Now()
	ch := store.Change{
		Events:   []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.MessageOut, Actor: a.name(), Text: text}},
		Outbound: []store.Outbound{{OpenID: k.OpenID, CaseID: k.ID, Kind: store.OutText, Text: catalog.FromMediator(k.ID, text), NotBefore: now, CreatedAt: now}},
	}
	return w.commit(ctx, a, ch, store.AuditSend, k.ID, "reply")
}

// Note records an internal note: never sent to the citizen.
func (w *Cases) Note(ctx context.Context, a Actor, id, text string) error {
	k, err := w.writable(ctx, a, id)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > maxNote {
		return refuse(Invalid, fmt.Sprintf("备注不能为空，最多 %d 字。", maxNote))
	}
	ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: w.Now(), Kind: dispute.Note, Actor: a.name(), Text: text}}}
	return w.commit(ctx, a, ch, store.AuditChange, k.ID, "note")
}

// AfterEnd is how long after a case's last change (its end, or a word
// since) it still takes the citizen's words, from the chat and from its
// page alike, rather than their starting anew.
const AfterEnd = 30 * 24 * time.Hour

// TakesWords reports whether a case takes the citizen's words at now:
// while it is open, and for AfterEnd after it ended; never once its
// personal data were removed.
func TakesWords(k dispute.Case, now time.Time) bool {
	return k.Anonymized.IsZero() && (k.Status.Open() || now.Sub(k.UpdatedAt) <= AfterEnd)
}

// CitizenMayWrite reports whether the case's page still takes the
// citizen's words (TakesWords, now).
func (w *Cases) CitizenMayWrite(k dispute.Case) bool { return TakesWords(k, w.Now()) }

// CitizenWrite adds what the citizen wrote on their case page (reached by
// the signed link, which is the only key) to the thread: the mediator
// sees it live, as if it came through the chat. On a case that ended
// lately it also brings the case back to the top of its body's queue.
func (w *Cases) CitizenWrite(ctx context.Context, k dispute.Case, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > MaxReply {
		return refuse(Invalid, fmt.Sprintf("留言不能为空，最多 %d 字。", MaxReply))
	}
	if err := notAnonymized(k); err != nil {
		return err
	}
	now := w.Now()
	if !w.CitizenMayWrite(k) {
		return refuse(Conflict, "案件已办结较久，如有新的问题，请在公众号里发送“新求助”。")
	}
	ch := store.Change{Events: []dispute.Event{{CaseID: k.ID, At: now, Kind: dispute.MessageIn, Actor: "citizen", Text: text}}}
	if !k.Status.Open() {
		ch.Updates = []store.CaseUpdate{{CaseID: k.ID, At: now}}
	}
	if err := w.Store.Commit(ctx, ch); err != nil {
		return err
	}
	w.WatchLogged(ctx, ch)
	return nil
}
