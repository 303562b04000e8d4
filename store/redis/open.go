// Package redisstore is jiefen's shared store: every instance of the bot
// talks to one Redis (a single server, a Sentinel-managed master or a
// Cluster), held to the same contract as the embedded SQLite store
// (store/storetest).
//
// Everything a Commit touches lives in one Cluster slot and is written by
// one Lua script (see keys for the layout and why); the queue is
// hashes, lists and a due-time sorted set, claimed by a script with a lease
// (see queue.go).
//
// Round trips of a typical inbound text turn: Conversation 1 (two HGETALLs
// in one pipeline), Cases by OpenID 1 (EVALSHA), Commit 1 (EVALSHA): three
// in all, checked by TestTurnRoundTrips. Every other method is one round
// trip too, except Purge with a backlog (one per thousand keys).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "jiefen:"

// Store is the Redis implementation of store.Store. It is safe for
// concurrent use, and any number of Stores (in any number of processes)
// may share one Redis and prefix.
type Store struct {
	store.QueueViews // the outbound queue and the webhook outbox, over ClaimItems & co.

	rdb redis.UniversalClient
	k   keys
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*config)

type config struct {
	prefix string
}

// WithPrefix sets the prefix of every key (default "jiefen:"), so that
// several deployments, or tests, can share a server without meeting. It
// must not be empty nor contain braces (they would move the hash tag).
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// Open connects to the Redis at url, checks that it answers and loads the
// scripts. The URL forms:
//
//	redis://[user:password@]host[:port][/db][?option=value&…]
//	rediss://…                                  the same over TLS
//	redis+sentinel://[user:password@]host:port[,host:port…][/db]?master=NAME[&sentinel_username=U&sentinel_password=P][&…]
//	rediss+sentinel://…                         the same over TLS
//	redis+cluster://[user:password@]host:port[,host:port…][?…]
//	rediss+cluster://…                          the same over TLS
//
// host:port defaults to localhost:6379 and db to 0. In the Sentinel form the
// hosts are the sentinels, user:password are the credentials of the Redis
// servers and sentinel_username/sentinel_password those of the sentinels
// (when they have any). A cluster has no databases, so its form takes no
// /db. Options are go-redis's, named in snake case (dial_timeout=3s,
// read_timeout=2s, pool_size=20, skip_verify=true, …); an unknown one is an
// error. IPv6 hosts are written in brackets: [::1]:6379.
//
// Errors never show the password.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg := config{prefix: DefaultPrefix}
	for _, o := range opts {
		o(&cfg)
	}
	k, err := newKeys(cfg.prefix)
	if err != nil {
		return nil, err
	}
	rdb, err := newClient(url)
	if err != nil {
		return nil, err
	}
	s := &Store{rdb: rdb, k: k}
	if err := s.Ping(ctx); err != nil {
		rdb.Close()
		return nil, err
	}
	if err := loadScripts(ctx, rdb); err != nil {
		rdb.Close()
		return nil, err
	}
	s.QueueViews = store.QueueViews{Q: s}
	if err := s.fillSearch(ctx); err != nil {
		rdb.Close()
		return nil, err
	}
	if err := s.migrateQueue(ctx); err != nil {
		rdb.Close()
		return nil, err
	}
	if err := s.moveTokens(ctx); err != nil {
		rdb.Close()
		return nil, err
	}
	return s, nil
}

// Ping reports whether the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// Probe sets a short-lived key: Redis refuses writes (not PING) when it is
// out of memory under noeviction or cannot persist (MISCONF).
func (s *Store) Probe(ctx context.Context) error {
	if err := s.rdb.Set(ctx, s.k.probe(), "1", time.Minute).Err(); err != nil {
		return fmt.Errorf("redis: write probe: %w", err)
	}
	return nil
}

// Close closes the connections. The data stays on the server.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redis: close: %w", err)
	}
	return nil
}

// wrap prefixes err and maps redis.Nil (a missing key) to store.ErrNotFound.
func wrap(err error, what string) error {
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("redis: %s: %w", what, err)
}

// migrateQueue moves what the outbound queue and the webhook outbox of
// before the one queue left in Redis into the queue (lua/qmigrate.lua);
// a store with none of their keys costs one EXISTS.
func (s *Store) migrateQueue(ctx context.Context) error {
	n, err := s.rdb.Exists(ctx, s.k.t+"obl", s.k.t+"rfx").Result()
	if err != nil {
		return fmt.Errorf("redis: migrate queue: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := migrateScript.Run(ctx, s.rdb, []string{s.k.itemSeq()}, s.k.t).Err(); err != nil {
		return fmt.Errorf("redis: migrate queue: %w", err)
	}
	return nil
}
