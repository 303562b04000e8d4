package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// Words are searched in one document per case (since schemaSearchFast):
// the tokens of its story, its summary and its searchable events, each
// piece's runs ending with the token "0" as before, so a phrase never
// runs on from one piece into the next, while "every word somewhere in
// the case" is FTS5's own AND over the document; and a token naming its
// body (bodyToken).
//
// A document's rowid is its case's place in the order Cases lists, newest
// first: the case's creation time in milliseconds times searchSlots, plus
// the case's slot among the cases created in the same millisecond. A word
// search then walks FTS5's matches by rowid, newest first, and stops at
// the limit: the first page of a word in half the cases costs that page,
// not an ORDER BY over every match (764 ms p99 at 100,000 cases before).
// search_docs says which case each document is.
//
// The document of a case is written again, whole, when an event adds to
// its text or the case goes to another body (the table is contentless: a
// row cannot be read back or appended to), which costs one read of the
// case's thread per message.

// searchSlots is how many cases created in the same millisecond can have
// a document (docKey refuses more). 2^20 keeps rowids in range until the
// year 2248.
const searchSlots = 1 << 20

// schemaSearchFast replaces the index of one row per piece of text
// (schemaSearch) by one document per case, keyed in the order cases are
// listed, and fills it from what is stored; and adds the keys that find
// numbers by their end (search_number.go).
func schemaSearchFast(ctx context.Context, tx *sql.Tx) error {
	if err := addNumberKeys(ctx, tx); err != nil {
		return err
	}
	if err := execAll(ctx, tx,
		`DROP TABLE search`,
		`DROP TABLE search_rows`,
		`CREATE VIRTUAL TABLE search USING fts5(grams, content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 0')`,
		`CREATE TABLE search_docs (
			k       INTEGER PRIMARY KEY, -- the rowid of the case's document in search
			case_id TEXT NOT NULL UNIQUE
		)`,
	); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM cases WHERE anonymized_at = 0 ORDER BY created_at, id`)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := indexCase(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// indexCase writes the search document of a case from what is stored of
// it, in the transaction that changed its text.
func indexCase(ctx context.Context, tx execer, caseID string) error {
	var story, summary, body string
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT story, summary, body, created_at FROM cases WHERE id = ? AND anonymized_at = 0`, caseID).
		Scan(&story, &summary, &body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // anonymised: not found by what it said
	}
	if err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	tokens := searchTokens(story + "\n" + summary)
	rows, err := tx.QueryContext(ctx, `SELECT kind, actor, text FROM events WHERE case_id = ? AND text <> '' ORDER BY id`, caseID)
	if err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	for rows.Next() {
		var e dispute.Event
		if err := rows.Scan(&e.Kind, &e.Actor, &e.Text); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
		}
		if store.Searchable(e) {
			tokens += searchTokens(e.Text)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	k, err := docKey(ctx, tx, caseID, created)
	if err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE rowid = ?`, k); err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	if tokens == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search (rowid, grams) VALUES (?, ?)`, k, tokens+bodyToken(body)); err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	return nil
}

// docKey is the rowid of a case's document: the one it has, or the next
// free slot of its creation millisecond.
func docKey(ctx context.Context, tx execer, caseID string, created int64) (int64, error) {
	var k int64
	err := tx.QueryRowContext(ctx, `SELECT k FROM search_docs WHERE case_id = ?`, caseID).Scan(&k)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	base := created * searchSlots
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(k) + 1, ?1) FROM search_docs WHERE k >= ?1 AND k < ?1 + ?2`,
		base, searchSlots).Scan(&k)
	if err != nil {
		return 0, err
	}
	if k >= base+searchSlots {
		return 0, fmt.Errorf("more than %d cases created in one millisecond", searchSlots)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO search_docs (k, case_id) VALUES (?, ?)`, k, caseID)
	return k, err
}

// bodyToken is the token that names a case's body in its document: a
// mediator searches their body's cases, and FTS5 intersecting the word's
// matches with the body's is far cheaper than looking up every match's
// case to read its body (a word in half the cases, a body with a tenth of
// them: 100 ms p99 at 100,000 cases, against a few). Hex, so any body name
// is one token, and longer than the bigrams and the "0" it sits among.
func bodyToken(body string) string { return "body" + hex.EncodeToString([]byte(body)) }

// matchWords is the FTS5 query of words: each the phrase of its bigrams,
// all of them in the case's document, and the body's token when the
// search is within one body.
func matchWords(words []string, body string) string {
	var phrases []string
	for _, w := range words {
		phrases = append(phrases, `"`+strings.Join(store.Bigrams(w), " ")+`"`)
	}
	if body != "" {
		phrases = append(phrases, bodyToken(body))
	}
	return strings.Join(phrases, " AND ")
}

// searchCases lists the cases whose documents have every word and that
// meet where, newest first, walking the matches in rowid order (see
// above) and stopping at limit. Cases created in the same millisecond
// are in slot order there, not by number as Cases lists them, so a full
// page is completed with the rest of its last millisecond before it is
// sorted and cut.
func (s *Store) searchCases(ctx context.Context, where []string, args []any, words []string, body string, limit int) ([]dispute.Case, error) {
	// CROSS JOIN keeps SQLite from starting with the cases of the body
	// (its index) and asking FTS5 about each: the walk starts at FTS5.
	q := `SELECT ` + caseColumns + `, d.k FROM search CROSS JOIN search_docs d ON d.k = search.rowid CROSS JOIN cases ON cases.id = d.case_id
		WHERE search MATCH ?`
	args = append([]any{matchWords(words, body)}, args...)
	for _, w := range where {
		q += ` AND ` + w
	}
	out, last, err := s.searchPage(ctx, q+` ORDER BY search.rowid DESC`, args, limit)
	if err != nil || limit <= 0 || len(out) < limit {
		sortCases(out)
		return out, err
	}
	// The rest of the last case's millisecond.
	base := last - last%searchSlots
	if last%searchSlots < 0 { // a case made before 1970
		base -= searchSlots
	}
	more, _, err := s.searchPage(ctx, q+` AND search.rowid >= ? AND search.rowid < ?`, append(args, base, last), 0)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	sortCases(out)
	return out[:limit], nil
}

func (s *Store) searchPage(ctx context.Context, q string, args []any, limit int) ([]dispute.Case, int64, error) {
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", err)
	}
	defer rows.Close()
	var out []dispute.Case
	var last int64
	for rows.Next() {
		k, err := scanCase(withKey{rows, &last})
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: search: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: search: %w", err)
	}
	return out, last, nil
}

// withKey scans a case followed by its document's rowid.
type withKey struct {
	rows *sql.Rows
	key  *int64
}

func (w withKey) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.key)...) }

// sortCases puts cases in Cases's order: newest first, then by number.
func sortCases(cs []dispute.Case) {
	slices.SortStableFunc(cs, func(a, b dispute.Case) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}
