package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// pool is a connection pool with a cache of prepared statements. Without
// it modernc's driver parses the SQL of every call again, which measured a
// fifth of a callback's CPU time. database/sql prepares a cached statement
// once per connection and reuses it, inside transactions too.
type pool struct {
	*sql.DB
	stmts sync.Map // query → *sql.Stmt
	// later holds queries first met inside a transaction. The writer pool
	// has one connection, which the transaction holds, so preparing then
	// would wait for ever: they run unprepared once and are prepared when
	// the transaction ends.
	later sync.Map
}

func (p *pool) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := p.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// Queries run without cancellation once started: for a cancellable ctx the
// driver starts a goroutine per query to interrupt it, which costs more
// than the few microseconds a query here takes. A ctx already done still
// fails the call.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	st, err := p.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if ctx.Err() != nil {
		// The plain call reports the context's error through the Row.
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	ctx = context.WithoutCancel(ctx)
	st, err := p.prepared(ctx, query)
	if err != nil {
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// BeginTx starts a transaction whose statements come from the cache.
func (p *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*tx, error) {
	t, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t, p: p}, nil
}

// Close closes the cached statements, then the pool.
func (p *pool) Close() error {
	p.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return p.DB.Close()
}

// tx is a transaction using the pool's prepared statements.
type tx struct {
	*sql.Tx
	p *pool
}

// cached returns the pool's statement for query bound to this transaction,
// or nil when it is not prepared yet.
func (t *tx) cached(ctx context.Context, query string) *sql.Stmt {
	if st, ok := t.p.stmts.Load(query); ok {
		return t.Tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	t.p.later.Store(query, true)
	return nil
}

func (t *tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.cached(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.cached(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.cached(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// Commit ends the transaction, then prepares what it met for the first time.
func (t *tx) Commit() error {
	err := t.Tx.Commit()
	t.p.prepareLater()
	return err
}

// Rollback ends the transaction (a no-op after Commit).
func (t *tx) Rollback() error {
	err := t.Tx.Rollback()
	t.p.prepareLater()
	return err
}

func (p *pool) prepareLater() {
	p.later.Range(func(q, _ any) bool {
		p.later.Delete(q)
		// A failure here only means the query stays unprepared for now.
		_, _ = p.prepared(context.Background(), q.(string))
		return true
	})
}
