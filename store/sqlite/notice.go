package sqlite

import (
	"context"

	"jiefen/store"
)

// Subscribe delivers the notices of this process's commits: an embedded
// store has no other writer.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Notice, error) {
	return s.notices.Subscribe(ctx.Done()), nil
}
