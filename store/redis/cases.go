package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
)

// caseSeqTTL is how long a day's counter outlives its last use. A day is
// only numbered on that day, so three days cover any time zone and clock
// skew; the counter must not vanish while its day can still be asked for,
// or numbers would be given twice.
const caseSeqTTL = 3 * 24 * time.Hour

// NextCaseSeq is INCR and EXPIRE in one MULTI: one round trip, one key.
func (s *Store) NextCaseSeq(ctx context.Context, day string) (int64, error) {
	var incr *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, s.k.caseSeq(day))
		p.Expire(ctx, s.k.caseSeq(day), caseSeqTTL)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redis: case sequence of %s: %w", day, err)
	}
	return incr.Val(), nil
}

// caseOf decodes a case hash.
func caseOf(r *record) (dispute.Case, error) {
	k := dispute.Case{
		ID: r.str("id"), Status: dispute.Status(r.str("status")), Type: dispute.Type(r.str("type")),
		Urgent: r.str("urgent") == "1", Region: r.str("region"), Body: r.str("body"), Rule: r.str("rule"),
		Summary: r.str("summary"), SummaryAI: r.str("summary_ai") == "1", Story: r.str("story"), OpenID: r.str("openid"), Phone: r.str("phone"),
		CreatedAt: r.time("created"), UpdatedAt: r.time("updated"),
		// Absent from cases stored before assignees existed: nobody's.
		Assignee: r.str("assignee"),
		// Absent from cases stored before video mediation: none.
		VideoAt: r.optTime("video_at"), VideoURL: r.str("video_url"),
		// Absent while the personal data are kept.
		Anonymized: r.optTime("anon"),
		// Absent until a due time is set with them: none known.
		Deadline: r.str("dl"), DueAt: r.optTime("dl_at"),
	}
	return k, r.err
}

// Case is one HGETALL.
func (s *Store) Case(ctx context.Context, id string) (dispute.Case, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.caseKey(id)).Result()
	if err != nil {
		return dispute.Case{}, wrap(err, "case "+id)
	}
	if len(m) == 0 {
		return dispute.Case{}, fmt.Errorf("redis: case %s: %w", id, store.ErrNotFound)
	}
	k, err := caseOf(&record{m: m})
	if err != nil {
		return dispute.Case{}, fmt.Errorf("redis: case %s: %w", id, err)
	}
	return k, nil
}

// Cases returns the cases matching every set field of f, newest first (by
// CreatedAt, then by number), so Limit keeps the most recent ones. One
// script (lua/cases.lua) intersects the indexes and reads the cases: one
// round trip. It walks the smallest index named, so a citizen's cases or
// a status queue cost what that index holds, not the whole store.
func (s *Store) Cases(ctx context.Context, f store.CaseFilter) ([]dispute.Case, error) {
	idx := []string{s.k.caseIndex("", "")}
	for _, c := range []struct{ field, v string }{
		{"o", f.OpenID}, {"s", string(f.Status)}, {"t", string(f.Type)}, {"r", f.Region}, {"b", f.Body},
	} {
		if c.v != "" {
			idx = append(idx, s.k.caseIndex(c.field, c.v))
		}
	}
	if len(idx) > 1 {
		idx = idx[1:] // every case is in the filters' indexes already
	}
	var since int64
	if !f.UpdatedSince.IsZero() {
		since = store.UnixMS(f.UpdatedSince)
	}
	search := []any{"", "", "", ""}
	if q, ok := store.ParseQuery(f.Query); ok {
		switch {
		case q.Number != "":
			search = []any{"n", reverse(q.Number), reverse(q.Digits), f.QueryPhones}
		case len(q.Words) == 0:
			return nil, nil
		default:
			// The words' bigrams are indexes every case found is in.
			search = []any{"w", "", "", ""}
			for _, g := range store.SearchGrams(q.Words...) {
				idx = append(idx, s.k.searchGram(g))
			}
			for _, w := range q.Words {
				search = append(search, w)
			}
		}
	}
	args := append([]any{s.k.t, max(f.Limit, 0), since,
		store.UnixMS(f.CreatedFrom), store.UnixMS(f.CreatedBefore), store.UnixMS(f.DueBy)}, search...)
	res, err := casesScript.Run(ctx, s.rdb, idx, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("redis: cases: %w", err)
	}
	out := make([]dispute.Case, 0, len(res))
	for _, v := range res {
		fields, _ := v.([]any)
		r, err := pairs(fields)
		if err != nil {
			return nil, fmt.Errorf("redis: cases: %w", err)
		}
		k, err := caseOf(r)
		if err != nil {
			return nil, fmt.Errorf("redis: cases: %w", err)
		}
		out = append(out, k)
	}
	return out, nil
}

// reverse reverses an ASCII string (the search's numbers): the index
// holds numbers reversed, so a number's end is a prefix, found by a lex
// range.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// Events is one LRANGE; an unknown case has an empty thread.
func (s *Store) Events(ctx context.Context, caseID string) ([]dispute.Event, error) {
	items, err := s.rdb.LRange(ctx, s.k.events(caseID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: events of %s: %w", caseID, err)
	}
	out := make([]dispute.Event, 0, len(items))
	for _, it := range items {
		e, err := eventOf(caseID, it)
		if err != nil {
			return nil, fmt.Errorf("redis: events of %s: %w", caseID, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// eventOf decodes a thread's item, "<id> <JSON>" (eventRecord).
func eventOf(caseID, item string) (dispute.Event, error) {
	idText, body, _ := strings.Cut(item, " ")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return dispute.Event{}, fmt.Errorf("id %q: %w", idText, err)
	}
	var e eventRecord
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return dispute.Event{}, err
	}
	return dispute.Event{ID: id, CaseID: caseID, At: store.FromUnixMS(e.At), Kind: e.Kind,
		Actor: e.Actor, Text: e.Text, MediaID: e.MediaID, Status: e.Status, Body: e.Body}, nil
}

// threadBatch is how many threads one run of lua/threads.lua reads: the
// server runs nothing else meanwhile, so a statistics request over a
// hundred thousand cases is many short runs, not one long one.
const threadBatch = 500

// Threads runs lua/threads.lua on a batch of cases at a time, which keeps
// the events of the kinds asked for: what comes over the wire is what the
// caller uses.
func (s *Store) Threads(ctx context.Context, ids []string, kinds ...dispute.EventKind) (map[string][]dispute.Event, error) {
	out := map[string][]dispute.Event{}
	for len(ids) > 0 {
		n := min(len(ids), threadBatch)
		batch := ids[:n]
		ids = ids[n:]
		args := make([]any, 0, 2+len(kinds)+n)
		args = append(args, s.k.t, len(kinds))
		for _, k := range kinds {
			args = append(args, string(k))
		}
		for _, id := range batch {
			args = append(args, id)
		}
		res, err := threadsScript.Run(ctx, s.rdb, []string{s.k.eventSeq()}, args...).Slice()
		if err != nil {
			return nil, fmt.Errorf("redis: threads: %w", err)
		}
		if len(res) != len(batch) {
			return nil, fmt.Errorf("redis: threads: %d answers for %d cases", len(res), len(batch))
		}
		for i, v := range res {
			items, _ := v.([]any)
			for _, it := range items {
				text, _ := it.(string)
				e, err := eventOf(batch[i], text)
				if err != nil {
					return nil, fmt.Errorf("redis: threads: events of %s: %w", batch[i], err)
				}
				out[batch[i]] = append(out[batch[i]], e)
			}
		}
	}
	return out, nil
}
