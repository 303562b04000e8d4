package sqlite

import (
	"database/sql"
	"time"
)

// Checkpoints copy the WAL back into the database file and end with an
// fsync of both. Left to SQLite, a checkpoint runs inside whichever commit
// takes the WAL past 1000 pages, and every callback waiting on that group
// commit waits out the fsync too: on a busy bot, a stall every fraction of
// a second. So the writer has automatic checkpoints off
// (wal_autocheckpoint(0)) and this goroutine runs them on a connection of
// its own. They are PASSIVE, as the automatic ones are: they copy what no
// reader still needs and never block the writer, which goes on appending
// to the WAL meanwhile. Nothing about durability changes: a commit is
// safe once in the WAL (see writerParams), checkpointed or not.
const checkpointEvery = 250 * time.Millisecond

func (s *Store) runCheckpointer(db *sql.DB) {
	defer close(s.checkpointerDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			if s.truncateWAL.Load() {
				// After an anonymisation the WAL's old frames still hold
				// the removed text: a TRUNCATE checkpoint copies everything
				// back and empties the file. It waits for the writer and
				// the readers, so it runs only then; when it cannot finish
				// (busy) the next tick tries again.
				var busy, log, done int
				if err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done); err == nil && busy == 0 {
					s.truncateWAL.Store(false)
				}
				continue
			}
			// A checkpoint that fails (the disk is full, the file is
			// locked by a backup tool) leaves everything in the WAL, where
			// readers find it; the next tick tries again.
			_, _ = db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}
