package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
)

// caseGrams is the search index's bigrams of a case's text as stored now:
// what anonymisation takes out of the index. ErrNotFound leaves it to the
// script to say so.
func (s *Store) caseGrams(ctx context.Context, id string) ([]string, error) {
	k, err := s.Case(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	events, err := s.Events(ctx, id)
	if err != nil {
		return nil, err
	}
	return store.SearchGrams(searchTexts(k, events)...), nil
}

// searchTexts is what of a case the search reads.
func searchTexts(k dispute.Case, events []dispute.Event) []string {
	texts := []string{k.Story, k.Summary}
	for _, e := range events {
		if store.Searchable(e) {
			texts = append(texts, e.Text)
		}
	}
	return texts
}

// searchVersion is the search index Open fills in for cases stored before
// it (T+"sv" holds it once done).
const searchVersion = "1"

// fillBatch is how many cases one round of fillSearch reads.
const fillBatch = 500

// fillSearch indexes the cases stored before the search index existed,
// once (T+"sv"). Its writes are ZADDs, which a Commit running meanwhile
// repeats harmlessly; an entry it makes for a case anonymised meanwhile
// finds nothing, since a search by words checks the text itself.
func (s *Store) fillSearch(ctx context.Context) error {
	done, err := s.rdb.Exists(ctx, s.k.t+"sv").Result()
	if err != nil {
		return fmt.Errorf("redis: search index: %w", err)
	}
	if done == 1 {
		return nil
	}
	for start := int64(0); ; start += fillBatch {
		ids, err := s.rdb.ZRange(ctx, s.k.caseIndex("", ""), start, start+fillBatch-1).Result()
		if err != nil {
			return fmt.Errorf("redis: search index: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		threads, err := s.Threads(ctx, ids)
		if err != nil {
			return fmt.Errorf("redis: search index: %w", err)
		}
		p := s.rdb.Pipeline()
		for _, id := range ids {
			k, err := s.Case(ctx, id)
			if err != nil {
				return fmt.Errorf("redis: search index: %w", err)
			}
			created := float64(store.UnixMS(k.CreatedAt))
			for _, g := range store.SearchGrams(searchTexts(k, threads[id])...) {
				p.ZAdd(ctx, s.k.searchGram(g), redis.Z{Score: created, Member: id})
			}
			p.ZAdd(ctx, s.k.t+"sn", redis.Z{Member: reverse(strings.ToUpper(id))})
			if k.Phone != "" {
				p.ZAdd(ctx, s.k.t+"sp", redis.Z{Member: reverse(k.Phone) + " " + id})
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			return fmt.Errorf("redis: search index: %w", err)
		}
	}
	return s.rdb.Set(ctx, s.k.t+"sv", searchVersion, 0).Err()
}
