package redisstore

import (
	"context"
	"encoding/json"
	"fmt"

	"jiefen/dispute"
	"jiefen/store"
)

// Commit applies c with one script (lua/commit.lua): one round trip. The
// dedup key, the citizen, the dialog, the cases, their indexes, assignees
// and events, the outbound queue and the referrals are all in the
// transaction slot, so the script checks every op (dedup key free, dialog
// version current, new cases new, changed cases known, a status change's
// From still the status, a claimed case still free, delivery ids new) and
// only then writes; a refused Change leaves nothing, the dedup key
// included.
func (s *Store) Commit(ctx context.Context, c store.Change) error {
	// A caller that gave up must not find its Change applied later.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis: commit: %w", err)
	}
	ops := c.Ops()
	if err := store.Check(ops); err != nil {
		return err
	}
	doc, err := commitDoc(ops)
	if err != nil {
		return err
	}
	res, err := commitScript.Run(ctx, s.rdb, []string{s.k.eventSeq()}, s.k.t, s.k.notices(), doc).StringSlice()
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
		// A status change whose From, a claim whose IfFree or a thread
		// check (store.ThreadMark) no longer held.
		return fmt.Errorf("redis: %s of case %s: %w", res[2], res[1], store.ErrConflict)
	}
	return fmt.Errorf("redis: commit: unexpected reply %q", res)
}

// commitDoc is the one JSON document the script decodes: the ops, each as
// its own JSON (store.Op), in order, and the notices to publish once they
// are stored, each as the JSON a subscriber decodes. Both lists are
// arrays even when empty, never null. The ops' JSON is appended as each
// op wrote it: handing the list to json.Marshal would scan every op's
// output a second time, which costs more than the rest of the encoding.
func commitDoc(ops []store.Op) ([]byte, error) {
	doc := make([]byte, 0, 256*len(ops)+64)
	doc = append(doc, `{"ops":[`...)
	for i, op := range ops {
		b, err := op.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("redis: commit: %s: %w", op.OpKind(), err)
		}
		if i > 0 {
			doc = append(doc, ',')
		}
		doc = append(doc, b...)
	}
	notices := []string{}
	for _, n := range store.NoticesOf(ops) {
		b, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("redis: notice: %w", err)
		}
		notices = append(notices, string(b))
	}
	b, err := json.Marshal(notices)
	if err != nil {
		return nil, fmt.Errorf("redis: notice: %w", err)
	}
	doc = append(doc, `],"notices":`...)
	doc = append(doc, b...)
	return append(doc, '}'), nil
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
	Party   string            `json:"party,omitempty"`
}
