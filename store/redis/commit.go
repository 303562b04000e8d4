package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// Commit applies c with one script (lua/commit.lua): one round trip. The
// dedup key, the citizen, the dialog, the cases, their indexes, assignees
// and events, the outbound queue and the referrals are all in the transaction slot, so the script
// checks everything (dedup key free, dialog version current, new cases
// new, changed cases known, a status change's From still the status, a
// claimed case still free) and only then writes; a refused Change leaves
// nothing, the dedup key included.
func (s *Store) Commit(ctx context.Context, c store.Change) error {
	// A caller that gave up must not find its Change applied later.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis: commit: %w", err)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	args, err := s.encodeChange(c)
	if err != nil {
		return err
	}
	res, err := commitScript.Run(ctx, s.rdb, []string{s.k.eventSeq()}, args...).StringSlice()
	if err != nil {
		return fmt.Errorf("redis: commit: %w", err)
	}
	switch {
	case len(res) == 1 && res[0] == "ok":
		return nil
	case len(res) == 1 && res[0] == "dup":
		return fmt.Errorf("redis: dedup key: %w", store.ErrDuplicate)
	case len(res) == 1 && res[0] == "conflict":
		return fmt.Errorf("redis: dialog of version %d: %w", c.Dialog.Version, store.ErrConflict)
	case len(res) == 2 && res[0] == "exists":
		return fmt.Errorf("redis: new case %s: the case exists", res[1])
	case len(res) == 3 && res[0] == "nocase":
		return fmt.Errorf("redis: %s for case %s: %w", res[2], res[1], store.ErrNotFound)
	case len(res) == 2 && res[0] == "taken":
		return fmt.Errorf("redis: referral delivery id %s is taken", res[1])
	case len(res) == 3 && res[0] == "moved":
		// A status change whose From or a claim whose IfFree no longer held.
		return fmt.Errorf("redis: %s of case %s: %w", res[2], res[1], store.ErrConflict)
	}
	return fmt.Errorf("redis: commit: unexpected reply %q", res)
}

// encodeChange lays c out as the script's ARGV: fixed fields, then each
// list as its length followed by its items' fields (see lua/commit.lua).
// Times go as Unix ms, the dedup expiry counted from the Change's At as
// the SQLite store counts it.
func (s *Store) encodeChange(c store.Change) ([]any, error) {
	args := []any{s.k.t}
	ttl, expiry := int64(0), int64(0)
	if c.DedupTTL > 0 {
		// At least a millisecond: PX 0 is an error, and a TTL below a
		// millisecond is not "no expiry".
		ttl = max(c.DedupTTL.Milliseconds(), 1)
		expiry = store.UnixMS(c.At) + ttl
	}
	args = append(args, c.Dedup, ttl, c.Reply, expiry, store.UnixMS(c.At))

	if ct := c.Citizen; ct != nil {
		args = append(args, "1", ct.OpenID, store.UnixMS(ct.ConsentAt), store.UnixMS(ct.LastInboundAt), store.UnixMS(ct.WindowUntil), ct.Quota, ct.Sent)
	} else {
		args = append(args, "0")
	}
	if d := c.Dialog; d != nil {
		draft, err := json.Marshal(d.Draft)
		if err != nil {
			return nil, fmt.Errorf("redis: dialog draft: %w", err)
		}
		// The key goes by itself StaleDialog after its last change
		// (store.Purge's rule). UpdatedAt is the saving caller's now, so the
		// lifetime is StaleDialog from the save, given as a relative PEXPIRE:
		// a PEXPIREAT at UpdatedAt+StaleDialog would put the caller's clock
		// against the server's, and a clock that is behind (a test's fake
		// one) would have the server drop a dialog the moment it is saved.
		// What the caller's clock says is kept in the T+"dlgx" index, for
		// Purge to judge at its own now.
		var ttl int64
		if !d.UpdatedAt.IsZero() {
			ttl = store.StaleDialog.Milliseconds()
		}
		args = append(args, "1", d.OpenID, d.Version, d.Step, draft, store.UnixMS(d.UpdatedAt), ttl)
	} else {
		args = append(args, "0")
	}

	args = append(args, len(c.NewCases))
	for _, k := range c.NewCases {
		args = append(args, k.ID, string(k.Status), string(k.Type), boolArg(k.Urgent), k.Region, k.Body,
			k.Rule, k.Summary, k.Story, k.OpenID, k.Phone, store.UnixMS(k.CreatedAt), store.UnixMS(k.UpdatedAt), k.Assignee,
			store.UnixMS(k.VideoAt), k.VideoURL)
	}
	args = append(args, len(c.Statuses))
	for _, sc := range c.Statuses {
		// From last, so the fields before it keep their places.
		args = append(args, sc.CaseID, string(sc.To), store.UnixMS(sc.At), string(sc.From))
	}
	args = append(args, len(c.Events))
	for _, e := range c.Events {
		b, err := json.Marshal(eventRecord{At: store.UnixMS(e.At), Kind: e.Kind, Actor: e.Actor, Text: e.Text,
			MediaID: e.MediaID, Status: e.Status, Body: e.Body})
		if err != nil {
			return nil, fmt.Errorf("redis: event: %w", err)
		}
		args = append(args, e.CaseID, b)
	}
	args = append(args, c.ReleaseHeld)
	args = append(args, len(c.Outbound))
	for _, o := range c.Outbound {
		args = append(args, o.OpenID, o.CaseID, o.Kind, o.Text, o.MediaID, store.UnixMS(o.NotBefore), store.UnixMS(o.CreatedAt))
	}
	// Published by the script after its writes: a notice goes out if and
	// only if the Change was stored, on every instance's subscription.
	notices := c.Notices()
	args = append(args, s.k.notices(), len(notices))
	for _, n := range notices {
		b, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("redis: notice: %w", err)
		}
		args = append(args, b)
	}
	args = append(args, len(c.MarkUrgent))
	for _, id := range c.MarkUrgent {
		args = append(args, id)
	}
	args = append(args, len(c.Assign))
	for _, a := range c.Assign {
		// IfFree last, as From above.
		args = append(args, a.CaseID, a.User, store.UnixMS(a.At), boolArg(a.IfFree))
	}
	// Lists added later go last, so the layout above stays as it was.
	args = append(args, len(c.Transfers))
	for _, tr := range c.Transfers {
		args = append(args, tr.CaseID, tr.Body, tr.Rule, store.UnixMS(tr.At))
	}
	args = append(args, len(c.Video))
	for _, v := range c.Video {
		args = append(args, v.CaseID, store.UnixMS(v.Start), videoURL(v.Start, v.URL), store.UnixMS(v.At))
	}
	args = append(args, len(c.Retype))
	for _, r := range c.Retype {
		args = append(args, r.CaseID, string(r.Type), store.UnixMS(r.At))
	}
	args = append(args, len(c.Referrals))
	for _, r := range c.Referrals {
		if r.Delivery == "" {
			return nil, fmt.Errorf("redis: referral of case %s: no delivery id", r.CaseID)
		}
		args = append(args, r.Delivery, r.CaseID, r.Body, r.URL, r.Payload, store.UnixMS(r.NotBefore), store.UnixMS(r.CreatedAt))
	}
	args = append(args, len(c.Updates))
	for _, u := range c.Updates {
		args = append(args, u.CaseID, u.Region, u.Phone, store.UnixMS(u.At))
	}
	args = append(args, len(c.Audit))
	for _, e := range c.Audit {
		rec, err := auditJSON(e)
		if err != nil {
			return nil, fmt.Errorf("redis: audit: %w", err)
		}
		args = append(args, store.UnixMS(e.At), rec, e.User, e.CaseID, e.Action)
	}
	return args, nil
}

// videoURL is the link kept with a video start: none without a start, so a
// cancelled video leaves no stale link behind.
func videoURL(start time.Time, url string) string {
	if start.IsZero() {
		return ""
	}
	return url
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// eventRecord is an event as stored in its case's list, after its id. The
// case id is the list's, and At is Unix ms like every other time here.
type eventRecord struct {
	At      int64             `json:"at"`
	Kind    dispute.EventKind `json:"kind"`
	Actor   string            `json:"actor"`
	Text    string            `json:"text,omitempty"`
	MediaID string            `json:"media,omitempty"`
	Status  dispute.Status    `json:"status,omitempty"`
	Body    string            `json:"body,omitempty"` // absent from events stored before it existed: none
}
