package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"jiefen/store"
)

// transfer gives a case to another body. Its assignee belonged to the old
// body, so the case becomes nobody's. Like a status change, an unknown case
// fails the whole Change.
func transfer(ctx context.Context, tx *tx, tr store.TransferOp) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET body = ?, rule = ?, assignee = '', updated_at = ? WHERE id = ?`,
		tr.Body, tr.Rule, store.UnixMS(tr.At), tr.CaseID)
	if err := oneCase(res, err, "transfer", tr.CaseID); err != nil {
		return err
	}
	// The search document names the body (search_case.go).
	return indexCase(ctx, tx, tr.CaseID)
}

// retype corrects a case's type.
func retype(ctx context.Context, tx *tx, r store.RetypeOp) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET type = ?, updated_at = ? WHERE id = ?`,
		r.Type, store.UnixMS(r.At), r.CaseID)
	return oneCase(res, err, "type", r.CaseID)
}

// updateCase fills in a case's region and phone where given, and its time
// of last change; updated_at never goes back.
func updateCase(ctx context.Context, tx *tx, u store.UpdateOp) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE cases SET region = coalesce(nullif(?1, ''), region), phone = coalesce(nullif(?2, ''), phone),
			phone_key = CASE WHEN ?2 <> '' THEN ?5 ELSE phone_key END, updated_at = max(updated_at, ?3)
		WHERE id = ?4`,
		u.Region, u.Phone, store.UnixMS(u.At), u.CaseID, numberKey(u.Phone))
	return oneCase(res, err, "update", u.CaseID)
}

// scheduleVideo sets a case's video mediation, or cancels it when Start is
// zero (with no link: store.Change.Ops). The link is never part of an
// error: it may carry a meeting code.
func scheduleVideo(ctx context.Context, tx *tx, v store.VideoOp) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET video_at = ?, video_url = ?, updated_at = ? WHERE id = ?`,
		store.UnixMS(v.Start), v.URL, store.UnixMS(v.At), v.CaseID)
	return oneCase(res, err, "video", v.CaseID)
}

// oneCase checks that an UPDATE of one case found it.
func oneCase(res sql.Result, err error, what, id string) error {
	if err != nil {
		return fmt.Errorf("sqlite: %s of case %s: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %s of case %s: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: %s of case %s: %w", what, id, store.ErrNotFound)
	}
	return nil
}
