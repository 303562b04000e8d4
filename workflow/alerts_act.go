package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"jiefen/dispute"
	"jiefen/risk"
	"jiefen/store"
)

// What people and agencies do with alerts: read them (admins and the duty
// desk's staff), acknowledge them, close them with a note; and the duty
// desk's system receives each new alert and each rise of level, signed
// like a referral, from the durable queue.

// CanSeeAlerts is who may read and act on alerts: admins and the duty
// desk's staff (综治中心), who coordinate what no single body can.
func (w *Cases) CanSeeAlerts(u store.User) bool {
	if u.Role == store.RoleAdmin {
		return true
	}
	duty, ok := w.Table.DutyDesk()
	return ok && u.Body != "" && u.Body == duty.ID
}

// AlertOut is an alert as the API, the stream and the duty desk's
// webhook show it (the contract's fields, then more). It holds case
// numbers and counts, never a phone number or an openid.
type AlertOut struct {
	ID        string       `json:"id"`
	Level     string       `json:"level"`
	Kind      string       `json:"kind"`
	Subject   string       `json:"subject"`
	Region    string       `json:"region"`
	Type      dispute.Type `json:"type"`
	Cases     []string     `json:"cases"`
	Citizens  int          `json:"citizens"`
	OpenedAt  string       `json:"opened_at"`
	UpdatedAt string       `json:"updated_at"`
	Status    string       `json:"status"`
	Reasons   []string     `json:"reasons"`
	Trend     []int        `json:"trend"`
	AckBy     string       `json:"acknowledged_by,omitempty"`
	AckAt     string       `json:"acknowledged_at,omitempty"`
	ClosedBy  string       `json:"closed_by,omitempty"`
	ClosedAt  string       `json:"closed_at,omitempty"`
	Note      string       `json:"note,omitempty"`
}

// Out is a's public form.
func Out(a store.Alert) AlertOut {
	o := AlertOut{ID: a.ID, Level: a.Level, Kind: a.Kind, Subject: a.Subject, Region: a.Region, Type: a.Type,
		Cases: a.Cases, Citizens: a.Citizens, OpenedAt: stamp(a.OpenedAt), UpdatedAt: stamp(a.UpdatedAt), Status: a.Status,
		Reasons: a.Reasons, Trend: a.Trend, AckBy: a.AckBy, AckAt: stamp(a.AckAt), ClosedBy: a.ClosedBy,
		ClosedAt: stamp(a.ClosedAt), Note: a.Note}
	if o.Cases == nil {
		o.Cases = []string{}
	}
	if o.Reasons == nil {
		o.Reasons = []string{}
	}
	if o.Trend == nil {
		o.Trend = []int{}
	}
	return o
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Alerts lists the alerts the user may see: status "open" (the default
// of the console), "closed" or "" for all.
func (w *Cases) Alerts(ctx context.Context, u store.User, status string) ([]store.Alert, error) {
	if !w.CanSeeAlerts(u) {
		return nil, refuse(Forbidden, "只有管理员和综治中心值班人员可以查看风险预警。")
	}
	if status != "" && status != store.AlertOpen && status != store.AlertClosed {
		return nil, refuse(Invalid, "status 只能是 open 或 closed。")
	}
	return w.Store.Alerts(ctx, store.AlertFilter{Status: status, Limit: 500})
}

// Alert loads one alert the user may see.
func (w *Cases) Alert(ctx context.Context, u store.User, id string) (store.Alert, error) {
	if !w.CanSeeAlerts(u) {
		return store.Alert{}, refuse(Forbidden, "只有管理员和综治中心值班人员可以查看风险预警。")
	}
	a, err := w.Store.Alert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Alert{}, refuse(NotFound, "没有这条预警。")
	}
	return a, err
}

// CaseAlerts lists the alerts holding a case: its page links their other
// cases, so the mediators of different bodies see one matter. Anyone who
// may see the case sees which alerts hold it and their case numbers.
func (w *Cases) CaseAlerts(ctx context.Context, caseID string) ([]store.Alert, error) {
	return w.Store.Alerts(ctx, store.AlertFilter{CaseID: caseID})
}

// MaxAlertNote is the longest closing note.
const MaxAlertNote = 500

// AcknowledgeAlert records that someone of the duty desk has the alert in
// hand. Audited with the change.
func (w *Cases) AcknowledgeAlert(ctx context.Context, a Actor, id string) error {
	return w.changeAlert(ctx, a, id, "acknowledged", func(al *store.Alert, now time.Time) error {
		if al.AckBy != "" {
			return nil
		}
		al.AckBy, al.AckAt = a.User.Name, now
		return nil
	})
}

// CloseAlert ends an alert with a note saying what was done; a later
// case of its cluster opens a new one.
func (w *Cases) CloseAlert(ctx context.Context, a Actor, id, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > MaxAlertNote {
		return refuse(Invalid, "请写明处置情况（最多 500 字）。")
	}
	return w.changeAlert(ctx, a, id, "closed", func(al *store.Alert, now time.Time) error {
		al.Status, al.ClosedBy, al.ClosedAt, al.Note = store.AlertClosed, a.User.Name, now, note
		if al.AckBy == "" {
			al.AckBy, al.AckAt = a.User.Name, now
		}
		return nil
	})
}

func (w *Cases) changeAlert(ctx context.Context, a Actor, id, what string, change func(*store.Alert, time.Time) error) error {
	for range maxAlertTries {
		al, err := w.Alert(ctx, a.User, id)
		if err != nil {
			return err
		}
		if al.Status == store.AlertClosed {
			return refuse(Conflict, "这条预警已经关闭。")
		}
		now := w.Now()
		before := store.EncodeAlert(al)
		if err := change(&al, now); err != nil {
			return err
		}
		if store.EncodeAlert(al) == before {
			return nil
		}
		al.UpdatedAt = now
		detail := "alert " + id + " " + what
		if a.API {
			detail = "api " + detail
		}
		entry := store.AuditEntry{At: now, User: a.User.Name, Role: a.User.Role, Action: store.AuditChange, Detail: detail, Addr: a.Addr}
		_, err = w.Store.SaveAlert(ctx, al, []store.AuditEntry{entry})
		if errors.Is(err, store.ErrConflict) {
			continue // a new case joined meanwhile: read again
		}
		return err
	}
	return errMoved
}

// alertPayload is the duty desk's webhook body: "kind":"alert" tells it
// from a case referral.
type alertPayload struct {
	Kind     string   `json:"kind"`
	Delivery string   `json:"delivery"`
	Alert    AlertOut `json:"alert"`
	Link     string   `json:"link"`
	SentAt   string   `json:"sent_at"`
}

// notifyAlert queues the alert for the duty desk's webhook when it is new
// or its level rose since the last one queued. The delivery id is the
// alert's and its level's, so a second instance (or a retry after a crash
// between queueing and recording) cannot queue it twice: the store
// refuses a delivery id it has had.
func (w *Cases) notifyAlert(ctx context.Context, a store.Alert) error {
	if risk.Rank(a.Level) <= risk.Rank(a.Notified) || len(a.Cases) == 0 {
		return nil
	}
	duty, ok := w.Table.DutyDesk()
	if !ok {
		return nil
	}
	hook, err := w.Hooks.Of(ctx, duty.ID)
	if err != nil || hook.URL == "" {
		return err
	}
	delivery := "alert-" + a.ID + "-" + a.Level
	queued, err := w.Store.ListReferrals(ctx, store.ReferralFilter{CaseID: a.Cases[0], Body: duty.ID})
	if err != nil {
		return err
	}
	already := false
	for _, r := range queued {
		already = already || r.Delivery == delivery
	}
	if !already {
		now := w.Now().UTC()
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(alertPayload{Kind: "alert", Delivery: delivery, Alert: Out(a),
			Link: strings.TrimRight(w.PublicURL, "/") + "/console/alerts/" + a.ID, SentAt: stamp(now)}); err != nil {
			return err
		}
		ref := store.Referral{Delivery: delivery, CaseID: a.Cases[0], Body: duty.ID, URL: hook.URL,
			Payload: bytes.TrimSuffix(b.Bytes(), []byte("\n")), State: store.RefPending, CreatedAt: now}
		if err := w.Store.Commit(ctx, store.Change{Referrals: []store.Referral{ref}}); err != nil {
			return err
		}
		if w.KickReferrals != nil {
			w.KickReferrals()
		}
	}
	a.Notified = a.Level
	if _, err := w.Store.SaveAlert(ctx, a, nil); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}
