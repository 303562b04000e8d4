package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jiefen/store"
)

// The risk early warning (store.Risk). Marks are one row each, read by
// the (subject, at) and (citizen, at) indexes. An alert is saved in one
// transaction on the single writer: the version check, the row, its cases
// and the audit entries commit together, and the partial unique index
// alerts_open_key refuses a second open alert of one key even from a
// caller that skipped the check.

// PutRiskMark is one upsert.
func (s *Store) PutRiskMark(ctx context.Context, m store.RiskMark) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO risk_marks (case_id, citizen, subject, link, at, rec) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id) DO UPDATE SET citizen = excluded.citizen, subject = excluded.subject,
			link = excluded.link, at = excluded.at, rec = excluded.rec`,
		m.CaseID, m.Citizen, m.Subject, m.Link, store.UnixMS(m.At), store.EncodeRiskMark(m))
	if err != nil {
		return fmt.Errorf("sqlite: risk mark of %s: %w", m.CaseID, err)
	}
	return nil
}

// RiskMarks reads the marks of ids.
func (s *Store) RiskMarks(ctx context.Context, ids []string) (map[string]store.RiskMark, error) {
	out := map[string]store.RiskMark{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	ms, err := s.marks(ctx, `SELECT rec FROM risk_marks WHERE case_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
	for _, m := range ms {
		out[m.CaseID] = m
	}
	return out, err
}

// MarksOfSubject reads the subject index's range.
func (s *Store) MarksOfSubject(ctx context.Context, subject string, from, to time.Time) ([]store.RiskMark, error) {
	if subject == "" {
		return nil, nil
	}
	// "subject <> ''" lets SQLite use the partial index, which it cannot
	// prove fits a subject given as a parameter.
	return s.marks(ctx, `SELECT rec FROM risk_marks WHERE subject = ? AND subject <> '' AND at BETWEEN ? AND ? ORDER BY at, case_id`,
		subject, store.UnixMS(from), store.UnixMS(to))
}

// ActiveSubjects is one read of the subject index.
func (s *Store) ActiveSubjects(ctx context.Context, keys []string, from, to time.Time) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{store.UnixMS(from), store.UnixMS(to)}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT subject FROM risk_marks WHERE subject <> '' AND at BETWEEN ? AND ?
		AND subject IN (?`+strings.Repeat(",?", len(keys)-1)+`) ORDER BY subject`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: active subjects: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("sqlite: active subjects: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// MarksOfCitizen reads the citizen index's range.
func (s *Store) MarksOfCitizen(ctx context.Context, citizen string, from, to time.Time) ([]store.RiskMark, error) {
	return s.marks(ctx, `SELECT rec FROM risk_marks WHERE citizen = ? AND at BETWEEN ? AND ? ORDER BY at, case_id`,
		citizen, store.UnixMS(from), store.UnixMS(to))
}

// MarksLinkedTo is one range of the link index.
func (s *Store) MarksLinkedTo(ctx context.Context, key string, from, to time.Time) ([]store.RiskMark, error) {
	if key == "" {
		return nil, nil
	}
	return s.marks(ctx, `SELECT rec FROM risk_marks WHERE link = ? AND link <> '' AND at BETWEEN ? AND ? ORDER BY at, case_id`,
		key, store.UnixMS(from), store.UnixMS(to))
}

func (s *Store) marks(ctx context.Context, q string, args ...any) ([]store.RiskMark, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: risk marks: %w", err)
	}
	defer rows.Close()
	var out []store.RiskMark
	for rows.Next() {
		var rec string
		if err := rows.Scan(&rec); err != nil {
			return nil, fmt.Errorf("sqlite: risk marks: %w", err)
		}
		m, err := store.DecodeRiskMark(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: risk marks: %w", err)
	}
	return out, nil
}

// SaveAlert checks and writes in one immediate transaction.
func (s *Store) SaveAlert(ctx context.Context, a store.Alert, audit []store.AuditEntry) (store.Alert, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return store.Alert{}, fmt.Errorf("sqlite: save alert: %w", err)
	}
	defer tx.Rollback()
	if a.Version == 0 {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM alerts WHERE key = ? AND status = 'open'`, a.Key).Scan(&id)
		if err == nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert: key taken by alert %d: %w", id, store.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return store.Alert{}, fmt.Errorf("sqlite: save alert: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alerts (key, status, version, rec) VALUES (?, ?, 1, ?)`,
			a.Key, a.Status, store.EncodeAlert(a))
		if err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert: %w", err)
		}
		a.ID, a.Version = strconv.FormatInt(id, 10), 1
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET key = ?, status = ?, version = version + 1, rec = ? WHERE id = ? AND version = ?`,
			a.Key, a.Status, store.EncodeAlert(a), a.ID, a.Version)
		if err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert %s: %w", a.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert %s: %w", a.ID, err)
		} else if n == 0 {
			return store.Alert{}, fmt.Errorf("sqlite: save alert %s: changed meanwhile: %w", a.ID, store.ErrConflict)
		}
		a.Version++
	}
	for _, c := range a.Cases {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO alert_cases (case_id, alert_id) VALUES (?, ?)`, c, a.ID); err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert %s: %w", a.ID, err)
		}
	}
	for _, e := range audit {
		if _, err := tx.ExecContext(ctx, auditInsert, auditArgs(e)...); err != nil {
			return store.Alert{}, fmt.Errorf("sqlite: save alert %s: audit: %w", a.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return store.Alert{}, fmt.Errorf("sqlite: save alert %s: %w", a.ID, err)
	}
	s.notices.Publish([]store.Notice{{Alert: a.ID}})
	return a, nil
}

const alertColumns = `id, version, rec`

func scanAlert(row scanner) (store.Alert, error) {
	var id, version int64
	var rec string
	if err := row.Scan(&id, &version, &rec); err != nil {
		return store.Alert{}, err
	}
	a, err := store.DecodeAlert(rec)
	a.ID, a.Version = strconv.FormatInt(id, 10), version
	return a, err
}

// OpenAlert reads the open alert of key through the partial index.
func (s *Store) OpenAlert(ctx context.Context, key string) (store.Alert, error) {
	a, err := scanAlert(s.r.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE key = ? AND status = 'open'`, key))
	if err != nil {
		return store.Alert{}, notFound(err, "open alert")
	}
	return a, nil
}

// Alert reads one alert.
func (s *Store) Alert(ctx context.Context, id string) (store.Alert, error) {
	a, err := scanAlert(s.r.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = ?`, id))
	if err != nil {
		return store.Alert{}, notFound(err, "alert "+id)
	}
	return a, nil
}

// Alerts lists by id, newest first.
func (s *Store) Alerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error) {
	q := `SELECT ` + alertColumns + ` FROM alerts WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Key != "" {
		q += ` AND key = ?`
		args = append(args, f.Key)
	}
	if f.CaseID != "" {
		q += ` AND id IN (SELECT alert_id FROM alert_cases WHERE case_id = ?)`
		args = append(args, f.CaseID)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: alerts: %w", err)
	}
	defer rows.Close()
	var out []store.Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: alerts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: alerts: %w", err)
	}
	return out, nil
}
