package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiefen/dispute"
	"jiefen/store"
)

// Commit applies every part of c atomically. Commits are grouped: see
// committer.go. The dedup key is taken first, so a duplicate delivery costs
// one statement; any failure rolls the whole Change back, the key included.
func (s *Store) Commit(ctx context.Context, c store.Change) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	ops := c.Ops()
	if err := store.Check(ops); err != nil {
		return err
	}
	req := &commitReq{ctx: ctx, change: c, ops: ops, done: make(chan error, 1)}
	if err := s.hand(req); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	// Once handed over, the result is awaited even if ctx ends meanwhile:
	// the caller must know whether the Change was stored.
	return <-req.done
}

// hand gives a request to the committer.
func (s *Store) hand(req *commitReq) error {
	select {
	case s.commits <- req:
		return nil
	case <-s.closed:
		return errors.New("store closed")
	case <-req.ctx.Done():
		return req.ctx.Err()
	}
}

// apply runs the Change's ops in order (store.Change.Ops gives the one
// order both stores follow), each by the applier of its kind; the first
// failure fails the Change, which the committer then rolls back.
func apply(ctx context.Context, tx *tx, ops []store.Op) error {
	for _, op := range ops {
		if err := applyOp(ctx, tx, op); err != nil {
			return err
		}
	}
	return nil
}

func applyOp(ctx context.Context, tx *tx, op store.Op) error {
	switch o := op.(type) {
	case store.DedupOp:
		return takeDedup(ctx, tx, o)
	case store.CitizenOp:
		return upsertCitizen(ctx, tx, dispute.Citizen(o))
	case store.DialogOp:
		return saveDialog(ctx, tx, store.Dialog(o))
	case store.ThreadOp:
		return checkThread(ctx, tx, o)
	case store.SubscribeOp:
		return subscribe(ctx, tx, o)
	case store.NewCaseOp:
		return insertCase(ctx, tx, dispute.Case(o))
	case store.PartyOp:
		return insertParty(ctx, tx, dispute.Party(o))
	case store.PartyMoveOp:
		return moveParty(ctx, tx, o)
	case store.PartyQROp:
		return setPartyQR(ctx, tx, o)
	case store.StatusOp:
		return setStatus(ctx, tx, o)
	case store.UrgentOp:
		return markUrgent(ctx, tx, o.CaseID)
	case store.ClaimOp:
		return checkFree(ctx, tx, o)
	case store.TransferOp:
		return transfer(ctx, tx, o)
	case store.AssignOp:
		return assign(ctx, tx, o)
	case store.VideoOp:
		return scheduleVideo(ctx, tx, o)
	case store.RetypeOp:
		return retype(ctx, tx, o)
	case store.UpdateOp:
		return updateCase(ctx, tx, o)
	case store.EventOp:
		return insertEvent(ctx, tx, dispute.Event(o))
	case store.ReleaseOp:
		return releaseHeld(ctx, tx, o.OpenID)
	case store.EnqueueOp:
		return enqueue(ctx, tx, o)
	case store.DueOp:
		return setDue(ctx, tx, o)
	case store.AuditOp:
		if _, err := tx.ExecContext(ctx, auditInsert, auditArgs(store.AuditEntry(o))...); err != nil {
			return fmt.Errorf("sqlite: audit: %w", err)
		}
		return nil
	}
	return fmt.Errorf("sqlite: no applier for op %s", op.OpKind())
}

// takeDedup claims the key at the Change's time, o.At. A key whose time
// ran out at o.At but that Purge has not removed yet is free again, as it
// would be in a store with native expiry; the ON CONFLICT … WHERE takes it
// over, and otherwise changes no row. A TTL of 0 or less means the key
// never expires (expires_at 0).
func takeDedup(ctx context.Context, tx *tx, o store.DedupOp) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO dedup (key, reply, expires_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (key) DO UPDATE SET reply = excluded.reply, expires_at = excluded.expires_at
		WHERE dedup.expires_at <> 0 AND dedup.expires_at <= ?4`,
		o.Key, o.Reply, o.Expires(), store.UnixMS(o.At))
	if err != nil {
		return fmt.Errorf("sqlite: dedup key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: dedup key: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: dedup key: %w", store.ErrDuplicate)
	}
	return nil
}

// checkThread refuses the Change when the case's thread gained an event
// since its caller read it. Commits are serialized (committer.go), so no
// event can come between this check and the Change's own writes.
func checkThread(ctx context.Context, tx *tx, o store.ThreadOp) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events WHERE case_id = ?`, o.CaseID).Scan(&last); err != nil {
		return fmt.Errorf("sqlite: thread of %s: %w", o.CaseID, err)
	}
	if last != o.LastID {
		return fmt.Errorf("sqlite: thread of %s moved on: %w", o.CaseID, store.ErrConflict)
	}
	return nil
}

func insertCase(ctx context.Context, tx *tx, k dispute.Case) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO cases (id, status, type, urgent, region, body, rule, assignee, video_at, video_url,
			summary, summary_ai, story, openid, phone, created_at, updated_at, id_key, phone_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Status, k.Type, k.Urgent, k.Region, k.Body, k.Rule, k.Assignee, store.UnixMS(k.VideoAt), k.VideoURL,
		k.Summary, k.SummaryAI, k.Story, k.OpenID, k.Phone, store.UnixMS(k.CreatedAt), store.UnixMS(k.UpdatedAt),
		numberKey(k.ID), numberKey(k.Phone))
	if err != nil {
		return fmt.Errorf("sqlite: new case %s: %w", k.ID, err)
	}
	return indexCase(ctx, tx, k.ID)
}

// setStatus fails with ErrNotFound for an unknown case: a status change
// that silently went nowhere would hide a bug in the caller. With From set
// it changes the case only if it still has that status, and fails with
// ErrConflict otherwise; the whole Change is then rolled back (apply's
// caller), so an accept and a decline of the same referral cannot both
// happen. From is compared with the status as the Change has left it so
// far: after its new cases and its earlier status changes.
func setStatus(ctx context.Context, tx *tx, sc store.StatusOp) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?1, updated_at = ?2 WHERE id = ?3 AND (?4 = '' OR status = ?4)`,
		sc.To, store.UnixMS(sc.At), sc.CaseID, sc.From)
	if err != nil {
		return fmt.Errorf("sqlite: status of case %s: %w", sc.CaseID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: status of case %s: %w", sc.CaseID, err)
	}
	if n == 0 {
		// No row: either there is no such case, or it has moved on.
		return missingOr(ctx, tx, "status", sc.CaseID)
	}
	return nil
}

// missingOr tells why a conditional UPDATE of a case changed nothing:
// ErrNotFound when the case does not exist, ErrConflict when its state
// was not the one required.
func missingOr(ctx context.Context, tx *tx, what, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?`, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s of case %s: %w", what, id, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: %s of case %s: %w", what, id, err)
	}
	return fmt.Errorf("sqlite: %s of case %s: %w", what, id, store.ErrConflict)
}

// checkFree refuses a claim (IfFree) of a case someone other than a.User
// has, with ErrConflict, and of an unknown case with ErrNotFound. Claims
// come before the Change's transfers and assignments (store.Change.Ops),
// so it sees the assignee as it was before them (for a case the Change
// creates, as created): neither a transfer (which leaves the case
// nobody's) nor another assignment in the same Change frees a case for a
// claim. The check and the assignment are in one transaction on the
// single writer, so no other claim comes between them.
func checkFree(ctx context.Context, tx *tx, a store.ClaimOp) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = ?1 AND assignee IN ('', ?2)`, a.CaseID, a.User).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return missingOr(ctx, tx, "claim", a.CaseID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: claim of case %s: %w", a.CaseID, err)
	}
	return nil
}

func markUrgent(ctx context.Context, tx *tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET urgent = 1 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: urgency of case %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: urgency of case %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: urgency of case %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// assign gives a case to a user ("" to nobody). Like a status change, an
// unknown case fails the whole Change.
func assign(ctx context.Context, tx *tx, a store.AssignOp) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET assignee = ?, updated_at = ? WHERE id = ?`,
		a.User, store.UnixMS(a.At), a.CaseID)
	if err != nil {
		return fmt.Errorf("sqlite: assignment of case %s: %w", a.CaseID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: assignment of case %s: %w", a.CaseID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: assignment of case %s: %w", a.CaseID, store.ErrNotFound)
	}
	return nil
}

// insertEvent leaves the id to SQLite, which makes it increase; the
// foreign key rejects an event for a case that does not exist.
func insertEvent(ctx context.Context, tx *tx, e dispute.Event) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO events (case_id, at, kind, actor, text, media_id, status, body, party) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.CaseID, store.UnixMS(e.At), e.Kind, e.Actor, e.Text, e.MediaID, e.Status, e.Body, e.Party)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("sqlite: event for case %s: %w", e.CaseID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: event for case %s: %w", e.CaseID, err)
	}
	if store.Searchable(e) {
		return indexCase(ctx, tx, e.CaseID)
	}
	return nil
}
