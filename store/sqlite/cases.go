package sqlite

import (
	"context"
	"encoding/json"
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

const caseColumns = `id, status, type, urgent, region, body, rule, assignee, video_at, video_url, summary, summary_ai, story, openid, phone, created_at, updated_at, anonymized_at, deadline, coalesce(deadline_at, 0)`

type scanner interface{ Scan(dest ...any) error }

func scanCase(row scanner) (dispute.Case, error) {
	var k dispute.Case
	var video, created, updated, anonymized, due int64
	err := row.Scan(&k.ID, &k.Status, &k.Type, &k.Urgent, &k.Region, &k.Body, &k.Rule, &k.Assignee, &video, &k.VideoURL,
		&k.Summary, &k.SummaryAI, &k.Story, &k.OpenID, &k.Phone, &created, &updated, &anonymized, &k.Deadline, &due)
	k.VideoAt, k.CreatedAt, k.UpdatedAt = store.FromUnixMS(video), store.FromUnixMS(created), store.FromUnixMS(updated)
	k.Anonymized, k.DueAt = store.FromUnixMS(anonymized), store.FromUnixMS(due)
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
	if !f.CreatedFrom.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, store.UnixMS(f.CreatedFrom))
	}
	if !f.CreatedBefore.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, store.UnixMS(f.CreatedBefore))
	}
	if !f.DueBy.IsZero() {
		// Both bounds, so cases_deadline (deadline_at > 0) can serve it.
		where = append(where, "deadline_at > 0 AND deadline_at <= ?")
		args = append(args, store.UnixMS(f.DueBy))
	}
	if sq, ok := store.ParseQuery(f.Query); ok && sq.Number == "" && len(sq.Words) > 0 {
		return s.searchCases(ctx, where, args, sq.Words, f.Body, f.Limit)
	}
	from := `cases`
	if sq, ok := store.ParseQuery(f.Query); ok {
		numbers, qargs, matches := searchNumbers(sq, f.QueryPhones)
		if !matches {
			return nil, nil
		}
		from = numbers
		args = append(qargs, args...)
	}
	q := `SELECT ` + caseColumns + ` FROM ` + from
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

const eventColumns = `id, case_id, at, kind, actor, text, media_id, status, body`

func scanEvent(row scanner) (dispute.Event, error) {
	var e dispute.Event
	var at int64
	err := row.Scan(&e.ID, &e.CaseID, &at, &e.Kind, &e.Actor, &e.Text, &e.MediaID, &e.Status, &e.Body)
	e.At = store.FromUnixMS(at)
	return e, err
}

// Events returns a case's thread in the order it was stored, which is the
// order of the ids; an unknown case has an empty thread.
func (s *Store) Events(ctx context.Context, caseID string) ([]dispute.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []dispute.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", caseID, err)
	}
	return out, nil
}

// Threads is one query: the ids (and kinds) go in as JSON arrays, which
// json_each turns into rows, so any number of cases takes one statement
// and no limit on bound parameters applies; each id is then looked up in
// events_case. Ordered by case, then id, so each thread is in the order it
// was stored.
func (s *Store) Threads(ctx context.Context, ids []string, kinds ...dispute.EventKind) (map[string][]dispute.Event, error) {
	out := map[string][]dispute.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	idDoc, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: threads: %w", err)
	}
	q := `SELECT ` + eventColumns + ` FROM events WHERE case_id IN (SELECT value FROM json_each(?1))`
	args := []any{string(idDoc)}
	if len(kinds) > 0 {
		kindDoc, err := json.Marshal(kinds)
		if err != nil {
			return nil, fmt.Errorf("sqlite: threads: %w", err)
		}
		q += ` AND kind IN (SELECT value FROM json_each(?2))`
		args = append(args, string(kindDoc))
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY case_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: threads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: threads: %w", err)
		}
		out[e.CaseID] = append(out[e.CaseID], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: threads: %w", err)
	}
	return out, nil
}
