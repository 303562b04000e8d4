// Package queue runs the store's queue (store.Queue): a Worker claims the
// due items of one lane and hands each to the handler of its kind. The
// delivery logic lives with the handlers (bot for WeChat calls, referral
// for signed webhooks); what is here is the loop they share: claim, run
// the batch, record each outcome, wait for a kick or the next poll.
package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"jiefen/store"
)

// Handler delivers one claimed item and says what became of it. It must
// not block past ctx: the lease runs meanwhile.
type Handler func(ctx context.Context, it store.Item) store.ItemResult

// Worker delivers one lane of the queue. Items live in the store until
// finished, so a crash or a destination that is down delays them but
// loses none: a claimed item whose worker died is claimed again when its
// lease runs out (and may then go out twice: destinations dedup).
type Worker struct {
	Store    store.Queue
	Lane     string
	Handlers map[string]Handler // by item kind; an item of another kind fails
	Now      func() time.Time   // nil: time.Now
	Log      *slog.Logger       // nil: slog.Default()
	Poll     time.Duration      // how often Run looks for due items without a kick; 0: a second
	Lease    time.Duration      // how long a claimed item is ours; 0: a minute
	Batch    int                // items claimed at once; 0: 16

	once sync.Once
	kick chan struct{}
}

const (
	defaultLease = time.Minute
	defaultBatch = 16
)

func (w *Worker) init() {
	w.once.Do(func() { w.kick = make(chan struct{}, 1) })
}

// Kick wakes Run: something was queued.
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done. An item in flight when ctx ends is
// finished or left leased, to be claimed again.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	poll := w.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Warn("queue", "lane", w.Lane, "err", err)
		}
		if n == w.batch() {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-t.C:
		}
	}
}

// RunOnce claims one batch of due items, delivers them concurrently and
// records the outcomes; it returns how many it took. Concurrency keeps
// order: a claim gives at most one item per ordering key, and items
// without a key are independent, so one slow destination holds up no
// other.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	lease := w.Lease
	if lease <= 0 {
		lease = defaultLease
	}
	items, err := w.Store.ClaimItems(ctx, w.Lane, w.now(), lease, w.batch())
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(items))
	for i, it := range items {
		wg.Go(func() {
			r := w.handle(ctx, it)
			if r.At.IsZero() {
				r.At = w.now()
			}
			// Recorded with its own context: a delivered item must be
			// marked so even while shutting down, or it goes out again.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			errs[i] = w.Store.FinishItem(fctx, it.ID, r)
		})
	}
	wg.Wait()
	return len(items), errors.Join(errs...)
}

func (w *Worker) handle(ctx context.Context, it store.Item) store.ItemResult {
	h := w.Handlers[it.Kind]
	if h == nil {
		w.log().Error("queue item of unknown kind", "lane", w.Lane, "id", it.ID, "kind", it.Kind)
		return store.ItemResult{State: store.QFailed, Err: "unknown kind " + it.Kind}
	}
	return h(ctx, it)
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return defaultBatch
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}
