package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The audit log and personal-data retention (store.Audit). The log is a
// hash of entries and sorted-set indexes in the transaction slot (see
// keys), written only by audit.lua's append: there is no code path that
// rewrites or deletes an entry. It is in the slot so Anonymize can append
// its entry in the same script that clears the case.

// auditRecord is an entry as stored, under its id.
type auditRecord struct {
	At     int64  `json:"at"`
	User   string `json:"user"`
	Role   string `json:"role,omitempty"`
	Action string `json:"action"`
	CaseID string `json:"case,omitempty"`
	Detail string `json:"detail,omitempty"`
	Addr   string `json:"addr,omitempty"`
}

func auditJSON(e store.AuditEntry) ([]byte, error) {
	return json.Marshal(auditRecord{At: store.UnixMS(e.At), User: e.User, Role: e.Role, Action: e.Action,
		CaseID: e.CaseID, Detail: e.Detail, Addr: e.Addr})
}

// AppendAudit is one script (lua/auditappend.lua): the id, the entry and
// its indexes at once.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	rec, err := auditJSON(e)
	if err != nil {
		return fmt.Errorf("redis: audit: %w", err)
	}
	err = auditAppendScript.Run(ctx, s.rdb, []string{s.k.auditSeq()},
		s.k.t, store.UnixMS(e.At), rec, e.User, e.CaseID, e.Action).Err()
	if err != nil {
		return fmt.Errorf("redis: audit: %w", err)
	}
	return nil
}

// AuditLog intersects the indexes of the filter's fields in one script
// (lua/auditlog.lua), walking the smallest within the time range.
func (s *Store) AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	idx := []string{s.k.auditIndex("", "")}
	for _, c := range []struct{ field, v string }{{"u", f.User}, {"c", f.CaseID}, {"a", f.Action}} {
		if c.v != "" {
			idx = append(idx, s.k.auditIndex(c.field, c.v))
		}
	}
	if len(idx) > 1 {
		idx = idx[1:] // every entry is in the filters' indexes already
	}
	lo, hi := "-inf", "+inf"
	if !f.From.IsZero() {
		lo = strconv.FormatInt(f.From.UnixMilli(), 10)
	}
	if !f.To.IsZero() {
		hi = "(" + strconv.FormatInt(f.To.UnixMilli(), 10)
	}
	res, err := auditLogScript.Run(ctx, s.rdb, idx, s.k.t, lo, hi, f.Before, max(f.Limit, 0)).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: audit log: %w", err)
	}
	if len(res)%2 != 0 {
		return nil, fmt.Errorf("redis: audit log: odd reply of %d", len(res))
	}
	out := make([]store.AuditEntry, 0, len(res)/2)
	for i := 0; i < len(res); i += 2 {
		id, ok := res[i].(int64)
		body, ok2 := res[i+1].(string)
		if !ok || !ok2 {
			return nil, fmt.Errorf("redis: audit log: entry %d: unexpected reply", i/2)
		}
		var r auditRecord
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("redis: audit log: entry %d: %w", id, err)
		}
		out = append(out, store.AuditEntry{ID: id, At: store.FromUnixMS(r.At), User: r.User, Role: r.Role,
			Action: r.Action, CaseID: r.CaseID, Detail: r.Detail, Addr: r.Addr})
	}
	return out, nil
}

// endedBatch is how many cases one EndedBefore script looks at, so no
// script holds the server for long however many old cases there are.
const endedBatch = 1000

// EndedBefore walks the ended statuses' indexes in batches
// (lua/ended.lua). Cases moving meanwhile may be missed by this call;
// the retention worker comes back to them.
func (s *Store) EndedBefore(ctx context.Context, before time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, st := range []dispute.Status{dispute.Resolved, dispute.Unresolved, dispute.Withdrawn} {
		for off := 0; ; off += endedBatch {
			res, err := endedScript.Run(ctx, s.rdb, []string{s.k.caseIndex("s", string(st))},
				s.k.t, before.UnixMilli(), off, endedBatch).Slice()
			if err != nil {
				return nil, fmt.Errorf("redis: ended cases: %w", err)
			}
			if len(res) == 0 {
				return nil, fmt.Errorf("redis: ended cases: empty reply")
			}
			for _, v := range res[1:] {
				if id, ok := v.(string); ok && !seen[id] {
					seen[id] = true
					out = append(out, id)
					if len(out) == limit {
						return out, nil
					}
				}
			}
			if n, _ := res[0].(int64); n < endedBatch {
				break
			}
		}
	}
	return out, nil
}

// Anonymize clears the case in one script (lua/anonymize.lua), then
// deletes the media files it listed: their keys are outside the slot, so
// the script leaves their ids in a set that this (or any later) call
// empties. A call that died in between leaves the ids for the next.
func (s *Store) Anonymize(ctx context.Context, caseID string, e store.AuditEntry) (bool, error) {
	e.CaseID = caseID
	rec, err := auditJSON(e)
	if err != nil {
		return false, fmt.Errorf("redis: anonymize %s: %w", caseID, err)
	}
	grams, err := s.caseGrams(ctx, caseID)
	if err != nil {
		return false, fmt.Errorf("redis: anonymize %s: %w", caseID, err)
	}
	args := []any{s.k.t, caseID, max(store.UnixMS(e.At), 1), store.UnixMS(e.At), rec, e.User, e.Action, store.OutRedacted}
	for _, g := range grams {
		args = append(args, g)
	}
	res, err := anonymizeScript.Run(ctx, s.rdb, []string{s.k.caseKey(caseID)}, args...).Text()
	if err != nil {
		return false, fmt.Errorf("redis: anonymize %s: %w", caseID, err)
	}
	switch res {
	case "nocase":
		return false, fmt.Errorf("redis: anonymize %s: %w", caseID, store.ErrNotFound)
	case "open":
		return false, fmt.Errorf("redis: anonymize %s: the case is open: %w", caseID, store.ErrConflict)
	case "ok", "done":
	default:
		return false, fmt.Errorf("redis: anonymize %s: unexpected reply %q", caseID, res)
	}
	if err := s.deleteRedactedMedia(ctx); err != nil {
		return false, fmt.Errorf("redis: anonymize %s: %w", caseID, err)
	}
	return res == "ok", nil
}

// deleteRedactedMedia deletes the files whose ids Anonymize set aside,
// each key alone (they are in different slots), forgetting an id only
// once its file is gone.
func (s *Store) deleteRedactedMedia(ctx context.Context) error {
	ids, err := s.rdb.SMembers(ctx, s.k.mediaToDelete()).Result()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.rdb.Del(ctx, s.k.media(id)).Err(); err != nil {
			return err
		}
		if err := s.rdb.SRem(ctx, s.k.mediaToDelete(), id).Err(); err != nil {
			return err
		}
	}
	return nil
}
