// Package retention removes citizens' personal data a set time after their
// case ended (JIEFEN_RETENTION), keeping the anonymised record so the
// statistics still count the case. Each anonymisation is one store call
// that also writes its audit entry, so instances may run it side by side.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"jiefen/store"
)

// DefaultPeriod is how long personal data are kept after a case ends when
// JIEFEN_RETENTION is not set: three years.
const DefaultPeriod = 1095 * 24 * time.Hour

// MinPeriod guards against a unit slip ("1095s") wiping every ended case.
const MinPeriod = 24 * time.Hour

// ParsePeriod reads a retention period: a Go duration ("26280h") or a
// number of days ("1095d"), at least MinPeriod.
func ParsePeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*366 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
	}
	if d < MinPeriod {
		return 0, fmt.Errorf("%q is shorter than a day", s)
	}
	return d, nil
}

// FormatPeriod writes a period as ParsePeriod reads it, in days when whole.
func FormatPeriod(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return d.String()
}

// batch is how many cases one look for due cases returns.
const batch = 100

// Worker anonymises the cases whose retention period has run out.
type Worker struct {
	Store  store.Store
	Period time.Duration    // personal data are kept this long after a case ends
	Now    func() time.Time // the clock, injected so tests can move it
	Log    *slog.Logger
	Every  time.Duration // how often Run looks; 0: an hour
}

// Tick anonymises every case that ended more than Period before now and
// returns how many this call anonymised (another instance may have done
// some). A case that reopened meanwhile is left alone.
func (w *Worker) Tick(ctx context.Context) (int, error) {
	now := w.Now()
	entry := store.AuditEntry{At: now, User: store.AuditSystem, Action: store.AuditRedact,
		Detail: "retention " + FormatPeriod(w.Period)}
	n := 0
	for {
		ids, err := w.Store.EndedBefore(ctx, now.Add(-w.Period), batch)
		if err != nil {
			return n, err
		}
		settled := 0
		for _, id := range ids {
			done, err := w.Store.Anonymize(ctx, id, entry)
			switch {
			case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
				continue
			case err != nil:
				return n, err
			case done:
				n++
			}
			settled++
		}
		// Every case listed is now anonymised (here or elsewhere) or open
		// again, so the next look finds others; one that kept failing
		// would stop the loop rather than spin on it.
		if len(ids) < batch || settled == 0 {
			return n, nil
		}
	}
}

// Run ticks at once, then every Every, until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	every := w.Every
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := w.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("retention", "err", err)
		}
		if n > 0 {
			w.Log.Info("retention: personal data removed", "cases", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
