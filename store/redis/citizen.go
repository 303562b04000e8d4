package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
)

// Citizen is one HGETALL: one round trip.
func (s *Store) Citizen(ctx context.Context, openID string) (dispute.Citizen, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.citizen(openID)).Result()
	if err != nil {
		return dispute.Citizen{}, wrap(err, "citizen")
	}
	if len(m) == 0 {
		return dispute.Citizen{}, fmt.Errorf("redis: citizen: %w", store.ErrNotFound)
	}
	return citizenOf(openID, m)
}

func citizenOf(openID string, m map[string]string) (dispute.Citizen, error) {
	r := &record{m: m}
	c := dispute.Citizen{OpenID: openID, ConsentAt: r.time("c"), ConsentVersion: r.str("cv"), LastInboundAt: r.time("i"),
		WindowUntil: r.time("u"), Quota: int(r.int("q")), Sent: int(r.int("s"))}
	if r.err != nil {
		return dispute.Citizen{}, fmt.Errorf("redis: citizen: %w", r.err)
	}
	return c, nil
}

// Conversation reads the citizen and the dialog with two HGETALLs in one
// pipeline: one round trip, also on a Cluster, where both keys are in the
// transaction slot and so on one node. Someone never seen is the zero
// Citizen with OpenID set; no dialog is the zero Dialog.
func (s *Store) Conversation(ctx context.Context, openID string) (dispute.Citizen, store.Dialog, error) {
	var cit, dlg *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		cit = p.HGetAll(ctx, s.k.citizen(openID))
		dlg = p.HGetAll(ctx, s.k.dialog(openID))
		return nil
	})
	if err != nil {
		return dispute.Citizen{}, store.Dialog{}, fmt.Errorf("redis: conversation: %w", err)
	}
	c := dispute.Citizen{OpenID: openID}
	if m := cit.Val(); len(m) > 0 {
		if c, err = citizenOf(openID, m); err != nil {
			return dispute.Citizen{}, store.Dialog{}, err
		}
	}
	m := dlg.Val()
	if len(m) == 0 {
		return c, store.Dialog{}, nil
	}
	r := &record{m: m}
	d := store.Dialog{OpenID: openID, Version: r.int("v"), Step: r.str("step"), UpdatedAt: r.time("at")}
	if r.err != nil {
		return dispute.Citizen{}, store.Dialog{}, fmt.Errorf("redis: dialog: %w", r.err)
	}
	if err := json.Unmarshal([]byte(r.str("draft")), &d.Draft); err != nil {
		return dispute.Citizen{}, store.Dialog{}, fmt.Errorf("redis: dialog draft: %w", err)
	}
	return c, d, nil
}

// ReserveSend checks and counts in one script (lua/reserve.lua).
func (s *Store) ReserveSend(ctx context.Context, openID string, now time.Time) (bool, error) {
	n, err := reserveScript.Run(ctx, s.rdb, []string{s.k.citizen(openID)}, now.UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("redis: reserve send: %w", err)
	}
	return n == 1, nil
}

// CloseWindow ends the window at now, never later than it already ends
// (lua/closewindow.lua). An unknown citizen has no window to close.
func (s *Store) CloseWindow(ctx context.Context, openID string, now time.Time) error {
	if err := closeWindowScript.Run(ctx, s.rdb, []string{s.k.citizen(openID)}, now.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("redis: close window: %w", err)
	}
	return nil
}
