package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The due-time index (store.Change.Due): cases.due_at is NULL while never
// set, 0 when nothing is due, else the time (Unix ms). The partial index
// cases_due holds the cases with a time alone, so DueCases reads only
// those at or before its bound, however many cases are open.

// setDue writes a case's due time and running deadline; with IfWas, only
// if its due time still is Was (NULL counting as 0). No row: the case is
// unknown, or (IfWas) its due time moved on.
func setDue(ctx context.Context, tx *tx, o store.DueOp) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE cases SET due_at = ?1, deadline = ?5, deadline_at = ?6
		WHERE id = ?2 AND (NOT ?3 OR coalesce(due_at, 0) = ?4)`,
		store.UnixMS(o.At), o.CaseID, o.IfWas, store.UnixMS(o.Was), o.Deadline, store.UnixMS(o.DueAt))
	if err != nil {
		return fmt.Errorf("sqlite: due time of case %s: %w", o.CaseID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: due time of case %s: %w", o.CaseID, err)
	} else if n == 0 {
		return missingOr(ctx, tx, "due time", o.CaseID)
	}
	return nil
}

// DueCases reads the partial index cases_due in order.
func (s *Store) DueCases(ctx context.Context, until time.Time, limit int) ([]store.DueCase, error) {
	out, err := s.dueCases(ctx, `SELECT id, due_at FROM cases WHERE due_at > 0 AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
		until.UnixMilli(), noLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: due cases: %w", err)
	}
	return out, nil
}

// openStatuses is the SQL list of the open statuses.
var openStatuses = func() string {
	var q []string
	for _, st := range []dispute.Status{dispute.Received, dispute.Referred, dispute.Accepted, dispute.Mediating} {
		q = append(q, "'"+string(st)+"'")
	}
	return strings.Join(q, ", ")
}()

// CasesWithoutDue reads the open cases through the status index: it is
// for the watcher's first pass, not for every tick.
func (s *Store) CasesWithoutDue(ctx context.Context, limit int) ([]store.DueCase, error) {
	out, err := s.dueCases(ctx, `
		SELECT id, coalesce(due_at, 0) FROM cases WHERE (due_at IS NULL OR deadline_at IS NULL) AND status IN (`+openStatuses+`)
		ORDER BY id LIMIT ?`, noLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases without due time: %w", err)
	}
	return out, nil
}

// dueCases runs a query of (case id, due time) rows.
func (s *Store) dueCases(ctx context.Context, q string, args ...any) ([]store.DueCase, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.DueCase
	for rows.Next() {
		var d store.DueCase
		var at int64
		if err := rows.Scan(&d.CaseID, &at); err != nil {
			return nil, err
		}
		d.At = store.FromUnixMS(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// noLimit turns "0: all" into SQLite's LIMIT -1.
func noLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
