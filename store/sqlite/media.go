package sqlite

import (
	"context"
	"fmt"

	"jiefen/store"
)

// PutMedia stores a file, replacing one kept under the same id: fetching
// the same media again (a retried download) must not fail.
func (s *Store) PutMedia(ctx context.Context, m store.Media) error {
	data := m.Data
	if data == nil {
		data = []byte{}
	}
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO media (media_id, openid, case_id, content_type, data, at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (media_id) DO UPDATE SET openid = excluded.openid, case_id = excluded.case_id,
			content_type = excluded.content_type, data = excluded.data, at = excluded.at`,
		m.MediaID, m.OpenID, m.CaseID, m.ContentType, data, store.UnixMS(m.At))
	if err != nil {
		return fmt.Errorf("sqlite: put media: %w", err)
	}
	return nil
}

// Media returns a stored file.
func (s *Store) Media(ctx context.Context, mediaID string) (store.Media, error) {
	m := store.Media{MediaID: mediaID}
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT openid, case_id, content_type, data, at FROM media WHERE media_id = ?`,
		mediaID).Scan(&m.OpenID, &m.CaseID, &m.ContentType, &m.Data, &at)
	if err != nil {
		return store.Media{}, notFound(err, "media")
	}
	m.At = store.FromUnixMS(at)
	return m, nil
}
