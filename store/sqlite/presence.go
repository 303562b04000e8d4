package sqlite

import (
	"context"
	"slices"
	"sync"
	"time"

	"jiefen/store"
)

// Presence (store.Presence) is kept in this process's memory: the
// embedded store has one process, so every console page is served here,
// and who has a case open is worth nothing after a restart (the pages
// reconnect and announce themselves again). Nothing is written to disk.
type presence struct {
	mu    sync.Mutex
	cases map[string]map[string]time.Time // case → viewer → until
}

// Present records viewer until until and drops the case's entries expired at now.
func (s *Store) Present(ctx context.Context, caseID, viewer string, until, now time.Time) error {
	s.presence.mu.Lock()
	if s.presence.cases == nil {
		s.presence.cases = map[string]map[string]time.Time{}
	}
	vs := s.presence.cases[caseID]
	if vs == nil {
		vs = map[string]time.Time{}
		s.presence.cases[caseID] = vs
	}
	_, had := vs[viewer]
	changed := !had
	vs[viewer] = until
	for v, u := range vs {
		if !u.After(now) {
			delete(vs, v)
			changed = true
		}
	}
	s.presence.mu.Unlock()
	if changed {
		s.notices.Publish([]store.Notice{{CaseID: caseID, Presence: true}})
	}
	return nil
}

// Absent removes viewer's entry.
func (s *Store) Absent(ctx context.Context, caseID, viewer string) error {
	s.presence.mu.Lock()
	vs := s.presence.cases[caseID]
	_, had := vs[viewer]
	delete(vs, viewer)
	if len(vs) == 0 {
		delete(s.presence.cases, caseID)
	}
	s.presence.mu.Unlock()
	if had {
		s.notices.Publish([]store.Notice{{CaseID: caseID, Presence: true}})
	}
	return nil
}

// Viewers lists the case's entries unexpired at now.
func (s *Store) Viewers(ctx context.Context, caseID string, now time.Time) ([]string, error) {
	s.presence.mu.Lock()
	defer s.presence.mu.Unlock()
	var out []string
	for v, u := range s.presence.cases[caseID] {
		if u.After(now) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out, nil
}
