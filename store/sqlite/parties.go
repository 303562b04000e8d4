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

const partyColumns = `id, case_id, role, name, phone, summary, status, scene, openid, invited_by, created_at, updated_at, qr_ticket, qr_url, qr_expires`

func scanParty(row scanner) (dispute.Party, error) {
	var p dispute.Party
	var created, updated, expires int64
	err := row.Scan(&p.ID, &p.CaseID, &p.Role, &p.Name, &p.Phone, &p.Summary, &p.Status, &p.Scene, &p.OpenID, &p.By,
		&created, &updated, &p.QRTicket, &p.QRURL, &expires)
	p.CreatedAt, p.UpdatedAt, p.QRExpires = store.FromUnixMS(created), store.FromUnixMS(updated), store.FromUnixMS(expires)
	return p, err
}

// insertParty: the foreign key refuses a party of an unknown case, the
// primary key and the scene's UNIQUE a taken id or scene.
func insertParty(ctx context.Context, tx *tx, p dispute.Party) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO parties (`+partyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.CaseID, p.Role, p.Name, p.Phone, p.Summary, p.Status, p.Scene, p.OpenID, p.By,
		store.UnixMS(p.CreatedAt), store.UnixMS(p.UpdatedAt), p.QRTicket, p.QRURL, store.UnixMS(p.QRExpires))
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlite: party %s of case %s: %w", p.ID, p.CaseID, store.ErrNotFound)
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("sqlite: party %s: id or scene taken: %w", p.ID, store.ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: party %s: %w", p.ID, err)
	}
	return nil
}

// moveParty changes the status (and binds the openid, when given) only
// while From holds; no row changed means an unknown party or a moved one.
func moveParty(ctx context.Context, tx *tx, m store.PartyMoveOp) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE parties SET status = ?1, updated_at = ?2, openid = CASE WHEN ?3 = '' THEN openid ELSE ?3 END
		WHERE id = ?4 AND (?5 = '' OR status = ?5)`,
		m.To, store.UnixMS(m.At), m.OpenID, m.PartyID, m.From)
	if err != nil {
		return fmt.Errorf("sqlite: party %s: %w", m.PartyID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: party %s: %w", m.PartyID, err)
	} else if n > 0 {
		return nil
	}
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM parties WHERE id = ?`, m.PartyID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: party %s: %w", m.PartyID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: party %s: %w", m.PartyID, err)
	}
	return fmt.Errorf("sqlite: party %s is no longer %s: %w", m.PartyID, m.From, store.ErrConflict)
}

func setPartyQR(ctx context.Context, tx *tx, q store.PartyQROp) error {
	res, err := tx.ExecContext(ctx, `UPDATE parties SET qr_ticket = ?, qr_url = ?, qr_expires = ? WHERE id = ?`,
		q.Ticket, q.URL, store.UnixMS(q.Expires), q.PartyID)
	if err != nil {
		return fmt.Errorf("sqlite: QR of party %s: %w", q.PartyID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: QR of party %s: %w", q.PartyID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: QR of party %s: %w", q.PartyID, store.ErrNotFound)
	}
	return nil
}

// Party returns one party by id.
func (s *Store) Party(ctx context.Context, id string) (dispute.Party, error) {
	p, err := scanParty(s.r.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE id = ?`, id))
	if err != nil {
		return dispute.Party{}, notFound(err, "party "+id)
	}
	return p, nil
}

// PartyByScene finds a party by its QR scene (UNIQUE, hence indexed).
func (s *Store) PartyByScene(ctx context.Context, scene string) (dispute.Party, error) {
	p, err := scanParty(s.r.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE scene = ?`, scene))
	if err != nil {
		return dispute.Party{}, notFound(err, "party by scene")
	}
	return p, nil
}

// CaseParties reads parties_case.
func (s *Store) CaseParties(ctx context.Context, caseID string) ([]dispute.Party, error) {
	return s.parties(ctx, `SELECT `+partyColumns+` FROM parties WHERE case_id = ? ORDER BY created_at, id`, caseID)
}

// PartiesOf reads parties_openid.
func (s *Store) PartiesOf(ctx context.Context, openID string) ([]dispute.Party, error) {
	if openID == "" {
		return nil, nil
	}
	return s.parties(ctx, `SELECT `+partyColumns+` FROM parties WHERE openid = ? ORDER BY updated_at DESC, id DESC`, openID)
}

func (s *Store) parties(ctx context.Context, q string, arg string) ([]dispute.Party, error) {
	rows, err := s.r.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("sqlite: parties: %w", err)
	}
	defer rows.Close()
	var out []dispute.Party
	for rows.Next() {
		p, err := scanParty(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: parties: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: parties: %w", err)
	}
	return out, nil
}
