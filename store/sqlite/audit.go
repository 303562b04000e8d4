package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The audit log and personal-data retention (store.Audit). Entries are
// written by one statement on the writer pool, like the console's records;
// the table's triggers refuse any change to them (schemaAudit).

const auditInsert = `INSERT INTO audit (at, user, role, action, case_id, detail, addr) VALUES (?, ?, ?, ?, ?, ?, ?)`

func auditArgs(e store.AuditEntry) []any {
	return []any{store.UnixMS(e.At), e.User, e.Role, e.Action, e.CaseID, e.Detail, e.Addr}
}

// AppendAudit adds an entry; SQLite assigns its id.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if _, err := s.w.ExecContext(ctx, auditInsert, auditArgs(e)...); err != nil {
		return fmt.Errorf("sqlite: audit: %w", err)
	}
	return nil
}

// AuditLog reads the entries matching f, newest first. Paging compares
// (at, id) with the Before entry's, which an unknown id (NULL) never
// matches.
func (s *Store) AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{{"user", f.User}, {"case_id", f.CaseID}, {"action", f.Action}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.UnixMilli())
	}
	if f.Before != 0 {
		where = append(where, "(at, id) < (SELECT at, id FROM audit WHERE id = ?)")
		args = append(args, f.Before)
	}
	q := `SELECT id, at, user, role, action, case_id, detail, addr FROM audit`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Role, &e.Action, &e.CaseID, &e.Detail, &e.Addr); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		e.At = store.FromUnixMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	return out, nil
}

// EndedBefore reads the cases_retention index: ended cases not yet
// anonymised, oldest change first.
func (s *Store) EndedBefore(ctx context.Context, before time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id FROM cases
		WHERE status IN ('resolved', 'unresolved', 'withdrawn') AND anonymized_at = 0 AND updated_at < ?
		ORDER BY updated_at LIMIT ?`, before.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ended cases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: ended cases: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: ended cases: %w", err)
	}
	return out, nil
}

// Anonymize is one transaction on the single writer: the check that the
// case is ended and not yet anonymised, every clearing and the audit entry
// commit together or not at all, and a second caller finds it done.
func (s *Store) Anonymize(ctx context.Context, caseID string, e store.AuditEntry) (bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlite: anonymize %s: %w", caseID, err)
	}
	defer tx.Rollback()
	var status dispute.Status
	var anonymized int64
	err = tx.QueryRowContext(ctx, `SELECT status, anonymized_at FROM cases WHERE id = ?`, caseID).Scan(&status, &anonymized)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("sqlite: anonymize %s: %w", caseID, store.ErrNotFound)
	case err != nil:
		return false, fmt.Errorf("sqlite: anonymize %s: %w", caseID, err)
	case status.Open():
		return false, fmt.Errorf("sqlite: anonymize %s: the case is open: %w", caseID, store.ErrConflict)
	case anonymized != 0:
		return false, nil
	}
	e.CaseID = caseID
	steps := []struct {
		q    string
		args []any
	}{
		// The files first, while the thread still names them.
		{`DELETE FROM media WHERE case_id = ?1 OR media_id IN (
			SELECT media_id FROM events WHERE case_id = ?1 AND media_id <> ''
			UNION SELECT media_id FROM queue WHERE case_id = ?1 AND kind = 'fetch_media' AND media_id <> '')`, []any{caseID}},
		{`UPDATE cases SET story = '', summary = '', openid = '', phone = '', phone_key = '', video_url = '', anonymized_at = ? WHERE id = ?`,
			[]any{max(store.UnixMS(e.At), 1), caseID}},
		// A rating's text is its score and a correction's two type codes:
		// the statistics and the classifier's corpus read them.
		{`UPDATE events SET text = '', media_id = '' WHERE case_id = ? AND kind NOT IN ('rating', 'retyped')`, []any{caseID}},
		// The other parties' personal data go with the claimant's; their
		// ids, roles and statuses stay for the statistics.
		{`UPDATE parties SET name = '', phone = '', summary = '', openid = '', qr_ticket = '', qr_url = '' WHERE case_id = ?`, []any{caseID}},
		// An item still to be sent has lost its text or its payload: it
		// fails, visibly, rather than go out empty. It leaves its
		// citizen's ordering key, which names them.
		{`UPDATE queue SET
			state = CASE WHEN state IN ('pending', 'held') THEN 'failed' ELSE state END,
			last_error = CASE WHEN state IN ('pending', 'held') THEN ? ELSE last_error END,
			lease_until = 0, text = '', media_id = '', openid = '', okey = '', payload = x''
			WHERE case_id = ?`, []any{store.OutRedacted, caseID}},
		// The text leaves the search index with it: an anonymised case is
		// not found by what it said.
		{`DELETE FROM search WHERE rowid = (SELECT k FROM search_docs WHERE case_id = ?)`, []any{caseID}},
		{`DELETE FROM search_docs WHERE case_id = ?`, []any{caseID}},
		{auditInsert, auditArgs(e)},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return false, fmt.Errorf("sqlite: anonymize %s: %w", caseID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: anonymize %s: %w", caseID, err)
	}
	s.truncateWAL.Store(true)
	return true, nil
}
