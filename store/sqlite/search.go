package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jiefen/dispute"
	"jiefen/store"
)

// Search (store.CaseFilter.Query) reads two things.
//
// Words: the FTS5 table search holds the text a case has (its story and
// summary, each searchable event) as each piece's bigrams in order, one
// token each, a run of letters and digits ending with the token "0"
// (which no bigram equals, so no phrase runs on into the next run). A
// word is the phrase of its bigrams: a document has the phrase exactly
// when the word is in one of its pieces. Bigrams rather than FTS5's
// trigram tokenizer because Chinese words are mostly two characters,
// which a trigram index cannot find without scanning every row. The table
// is contentless (only the index is kept, not the text twice) and
// contentless_delete, so anonymisation can take a case's text out. How
// documents are keyed and walked: search_case.go.
//
// Numbers: case numbers and phone numbers are matched at their end, in
// an index of them reversed (search_number.go); phone numbers only within
// one body.

// schemaSearch adds the search index of one row per piece of text and
// fills it from the cases and threads already stored (replaced by
// schemaSearchFast; kept because migrations are append only).
func schemaSearch(ctx context.Context, tx *sql.Tx) error {
	if err := execAll(ctx, tx,
		`CREATE VIRTUAL TABLE search USING fts5(grams, content='', contentless_delete=1,
			tokenize='unicode61 remove_diacritics 0')`,
		`CREATE TABLE search_rows (
			id      INTEGER PRIMARY KEY, -- the rowid of the row in search
			case_id TEXT NOT NULL
		)`,
		`CREATE INDEX search_rows_case ON search_rows (case_id)`,
	); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, story, summary FROM cases WHERE anonymized_at = 0`)
	if err != nil {
		return err
	}
	type piece struct{ id, text string }
	var pieces []piece
	for rows.Next() {
		var id, story, summary string
		if err := rows.Scan(&id, &story, &summary); err != nil {
			rows.Close()
			return err
		}
		pieces = append(pieces, piece{id, story + "\n" + summary})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT case_id, kind, actor, text FROM events WHERE text <> '' ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e dispute.Event
		if err := rows.Scan(&e.CaseID, &e.Kind, &e.Actor, &e.Text); err != nil {
			rows.Close()
			return err
		}
		if store.Searchable(e) {
			pieces = append(pieces, piece{e.CaseID, e.Text})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pieces {
		if err := indexText(ctx, tx, p.id, p.text); err != nil {
			return err
		}
	}
	return nil
}

// execer is a transaction of either kind (the committer's, a migration's).
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// searchTokens is text as the search table's tokens (see above).
func searchTokens(text string) string {
	var b strings.Builder
	for _, run := range store.SearchRuns(text) {
		grams := store.Bigrams(run)
		if len(grams) == 0 {
			continue
		}
		for _, g := range grams {
			b.WriteString(g)
			b.WriteByte(' ')
		}
		b.WriteString("0 ")
	}
	return b.String()
}

// indexText adds a piece of a case's text to the search index, in the
// transaction that stores the text. It is schemaSearch's, kept as it was
// for that step; since schemaSearchFast the index is indexCase's.
func indexText(ctx context.Context, tx execer, caseID, text string) error {
	tokens := searchTokens(text)
	if tokens == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO search_rows (case_id) VALUES (?)`, caseID)
	if err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search (rowid, grams) VALUES (?, ?)`, id, tokens); err != nil {
		return fmt.Errorf("sqlite: search index of %s: %w", caseID, err)
	}
	return nil
}
