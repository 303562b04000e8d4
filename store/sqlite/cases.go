package sqlite

import (
	"context"
	"fmt"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// NextCaseSeq counts per day in one upsert made by the committer, inside
// the group transaction of whatever Changes are waiting: a case number
// costs no transaction of its own, and the single writer still makes two
// callers unable to read the same number. The number is returned once that
// transaction has committed, so a number handed out survives a crash.
func (s *Store) NextCaseSeq(ctx context.Context, day string) (int64, error) {
	req := &commitReq{ctx: ctx, seqDay: day, done: make(chan error, 1)}
	if err := s.hand(req); err != nil {
		return 0, fmt.Errorf("sqlite: case sequence of %s: %w", day, err)
	}
	if err := <-req.done; err != nil {
		return 0, fmt.Errorf("sqlite: case sequence of %s: %w", day, err)
	}
	return req.seq, nil
}

// takeSeq is NextCaseSeq's statement, run by the committer.
func takeSeq(ctx context.Context, tx *tx, r *commitReq) error {
	return tx.QueryRowContext(ctx, `
		INSERT INTO case_seq (day, seq) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET seq = seq + 1
		RETURNING seq`, r.seqDay).Scan(&r.seq)
}

const caseColumns = `id, status, type, urgent, region, body, rule, assignee, video_at, video_url, summary, story, openid, phone, created_at, updated_at, anonymized_at`

type scanner interface{ Scan(dest ...any) error }

func scanCase(row scanner) (dispute.Case, error) {
	var k dispute.Case
	var video, created, updated, anonymized int64
	err := row.Scan(&k.ID, &k.Status, &k.Type, &k.Urgent, &k.Region, &k.Body, &k.Rule, &k.Assignee, &video, &k.VideoURL,
		&k.Summary, &k.Story, &k.OpenID, &k.Phone, &created, &updated, &anonymized)
	k.VideoAt, k.CreatedAt, k.UpdatedAt = store.FromUnixMS(video), store.FromUnixMS(created), store.FromUnixMS(updated)
	k.Anonymized = store.FromUnixMS(anonymized)
	return k, err
}

// Case returns one case by its number.
func (s *Store) Case(ctx context.Context, id string) (dispute.Case, error) {
	k, err := scanCase(s.r.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if err != nil {
		return dispute.Case{}, notFound(err, "case "+id)
	}
	return k, nil
}

// Cases returns the cases matching every set field of f, newest first
// (by CreatedAt, then by number), so Limit keeps the most recent ones.
func (s *Store) Cases(ctx context.Context, f store.CaseFilter) ([]dispute.Case, error) {
	var where []string
	var args []any
	for _, c := range []struct {
		col string
		val string
	}{
		{"openid", f.OpenID},
		{"status", string(f.Status)},
		{"type", string(f.Type)},
		{"region", f.Region},
		{"body", f.Body},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if !f.UpdatedSince.IsZero() {
		where = append(where, "updated_at >= ?")
		args = append(args, store.UnixMS(f.UpdatedSince))
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	defer rows.Close()
	var out []dispute.Case
	for rows.Next() {
		k, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: cases: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	return out, nil
}

// Events returns a case's thread in the order it was stored, which is the
// order of the ids; an unknown case has an empty thread.
func (s *Store) Events(ctx context.Context, caseID string) ([]dispute.Event, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, case_id, at, kind, actor, text, media_id, status, body FROM events WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []dispute.Event
	for rows.Next() {
		var e dispute.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Kind, &e.Actor, &e.Text, &e.MediaID, &e.Status, &e.Body); err != nil {
			return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
		}
		e.At = store.FromUnixMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
	}
	return out, nil
}
