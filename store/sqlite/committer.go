package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"jiefen/store"
)

// Group commit. SQLite has one writer; when every callback ran its own
// transaction, callbacks queued for the writer connection, and a goroutine
// preempted while holding it stalled all the others (p99 grew with load).
// Instead one goroutine takes whatever Changes are waiting, up to
// maxBatch, and applies them in a single transaction, each inside its own
// SAVEPOINT: a Change that fails (a duplicate, a stale dialog) is rolled
// back alone, the others are kept. A lone Change is applied at once, so
// grouping adds no waiting. A Change is reported stored only after the
// transaction holding it has committed.
const maxBatch = 64

// commitReq is a Change to commit, or (seqDay set) a case number to take.
type commitReq struct {
	ctx    context.Context
	change store.Change
	ops    []store.Op // change's, checked
	seqDay string
	seq    int64 // the number taken, once done
	done   chan error
}

// apply runs the request's statements in the batch's transaction.
func (r *commitReq) apply(ctx context.Context, t *tx) error {
	if r.seqDay != "" {
		return takeSeq(ctx, t, r)
	}
	return apply(ctx, t, r.ops)
}

func (s *Store) runCommitter() {
	defer close(s.committerDone)
	for {
		var first *commitReq
		select {
		case first = <-s.commits:
		case <-s.closed:
			return
		}
		batch := s.fill([]*commitReq{first})
		if len(batch) > 1 {
			// Others are committing too: let the goroutines about to hand
			// over their Change run once, so they join this transaction
			// rather than wait for the next one.
			runtime.Gosched()
			batch = s.fill(batch)
		}
		s.commitBatch(batch)
	}
}

// fill adds the Changes already waiting, without blocking.
func (s *Store) fill(batch []*commitReq) []*commitReq {
	for len(batch) < maxBatch {
		select {
		case r := <-s.commits:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

func (s *Store) commitBatch(batch []*commitReq) {
	errs, err := s.tryBatch(batch, false)
	if errors.Is(err, errRedo) {
		// Some Change failed (a duplicate delivery, a stale dialog): redo
		// the batch with a savepoint around each, so only the failing ones
		// are rolled back. Failures are rare, so the common case pays for
		// no savepoints.
		errs, err = s.tryBatch(batch, true)
	}
	for i, r := range batch {
		if err != nil {
			r.done <- err
			continue
		}
		if errs[i] == nil && r.seqDay == "" {
			s.conv.committed(r.change)
			s.notices.Publish(store.NoticesOf(r.ops))
		}
		r.done <- errs[i]
	}
}

// errRedo asks for the batch to be run again with savepoints.
var errRedo = errors.New("sqlite: redo batch with savepoints")

// tryBatch applies the batch in one transaction and commits it. Without
// savepoints, the first failing Change rolls everything back (errRedo),
// unless it is alone, when its error is its own.
func (s *Store) tryBatch(batch []*commitReq, savepoints bool) ([]error, error) {
	errs := make([]error, len(batch))
	// The transaction outlives any one caller's ctx: a caller that gives
	// up must not abort the others' Changes.
	ctx := context.Background()
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	defer t.Rollback()
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("sqlite: commit: %w", err)
			continue
		}
		if savepoints {
			errs[i] = s.applyOne(ctx, t, r)
			continue
		}
		if err := r.apply(ctx, t); err != nil {
			if len(batch) == 1 {
				return nil, err
			}
			return nil, errRedo
		}
	}
	if err := t.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return errs, nil
}

// applyOne applies one Change inside a savepoint of the batch's transaction.
func (s *Store) applyOne(ctx context.Context, t *tx, r *commitReq) error {
	if _, err := t.ExecContext(ctx, `SAVEPOINT jf_change`); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	err := r.apply(ctx, t)
	if err != nil {
		if _, rerr := t.ExecContext(ctx, `ROLLBACK TO jf_change`); rerr != nil {
			return fmt.Errorf("sqlite: commit: %w (rolling back: %v)", err, rerr)
		}
	}
	if _, rerr := t.ExecContext(ctx, `RELEASE jf_change`); rerr != nil && err == nil {
		err = fmt.Errorf("sqlite: commit: %w", rerr)
	}
	return err
}
