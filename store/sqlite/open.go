// Package sqlite is jiefen's embedded store: one SQLite file in a directory,
// for a single instance (and the demo) with nothing else to install.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"jiefen/store"
)

// FileName is the database file Open keeps in its directory.
const FileName = "jiefen.db"

// Store is the SQLite implementation of store.Store.
//
// SQLite allows one writer at a time. Rather than let concurrent writers
// collide and retry on SQLITE_BUSY, every write goes through w, a pool of
// exactly one connection, so writers queue in database/sql (honouring their
// ctx) and a Commit never meets a locked database. Reads use r: in WAL mode
// readers neither block the writer nor wait for it.
type Store struct {
	store.QueueViews // the outbound queue and the webhook outbox, over ClaimItems & co.

	w *pool
	r *pool

	commits          chan *commitReq // unbuffered: a Change handed over is always answered
	closed           chan struct{}
	committerDone    chan struct{}
	checkpoints      *sql.DB // the checkpointer's own connection
	checkpointerDone chan struct{}
	truncateWAL      atomic.Bool // set when old WAL frames hold data that must go (Anonymize)
	closeOnce        sync.Once
	notices          store.Fanout // every commit of this database happens in this process
	presence         presence     // who has a case open in the console (presence.go)
	conv             convCache
}

var _ store.Store = (*Store)(nil)

// Connection settings, applied by the driver to every new connection.
const (
	// busy_timeout covers the moments the single writer still has to wait:
	// a checkpoint, or another process holding the file (a backup tool).
	common = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	// synchronous=NORMAL in WAL mode fsyncs at checkpoints, not at every
	// commit: a committed transaction survives the process dying (a crash,
	// SIGKILL, OOM kill), because it is already in the WAL file the OS
	// holds. What it does not survive is power loss or a kernel crash,
	// which may take the last few commits with them. That is the trade we
	// accept for a commit that costs no fsync.
	//
	// _txlock=immediate takes the write lock at BEGIN, so a transaction
	// never has to upgrade a read lock halfway (where SQLite could only
	// fail it with SQLITE_BUSY).
	//
	// Checkpoints run apart from commits (checkpoint.go); journal_size_limit
	// shrinks a WAL file that grew in a burst once it is reset.
	//
	// secure_delete overwrites what a DELETE or UPDATE removes, so the
	// personal data retention takes out of a case are not left readable in
	// the file's free space (the WAL's old frames go at the next
	// truncating checkpoint: see checkpoint.go).
	writerParams = common + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate" +
		"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_pragma=secure_delete(1)"
	// query_only makes a write sent to the read pool by mistake fail loudly
	// instead of racing the writer.
	readerParams = common + "&_pragma=query_only(1)"
)

// Open opens (creating if needed) the store in dir, bringing its schema up
// to date. It refuses a database written by a newer version of jiefen.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	path := filepath.Join(dir, FileName)

	w, err := sql.Open("sqlite", path+"?"+writerParams)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	// Migrations run on the writer before any reader exists, so the WAL
	// journal mode (a property of the file) is set before readers connect.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", path+"?"+readerParams)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(16, 4*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)

	ck, err := sql.Open("sqlite", path+"?"+common)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	ck.SetMaxOpenConns(1)

	s := &Store{w: &pool{DB: w}, r: &pool{DB: r}, checkpoints: ck,
		commits: make(chan *commitReq), closed: make(chan struct{}), committerDone: make(chan struct{}),
		checkpointerDone: make(chan struct{})}
	s.QueueViews = store.QueueViews{Q: s}
	go s.runCommitter()
	go s.runCheckpointer(ck)
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Ping reads the schema version through the read pool: it fails when the
// file cannot be read, not merely when a handle exists.
func (s *Store) Ping(ctx context.Context) error {
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Probe rewrites the schema version's row, unchanged, through the writer:
// the commit appends to the WAL, so it fails when the disk is full or the
// file is read-only.
func (s *Store) Probe(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE schema_version SET version = version`); err != nil {
		return fmt.Errorf("sqlite: write probe: %w", err)
	}
	return nil
}

// Close stops the committer and the checkpointer, then closes the connections. Commits after Close fail.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		<-s.committerDone
		<-s.checkpointerDone
		// The writer closes last: closing the last connection checkpoints
		// the whole WAL into the database file.
		err = errors.Join(s.checkpoints.Close(), s.r.Close(), s.w.Close())
	})
	if err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to store.ErrNotFound, wrapping anything else.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
