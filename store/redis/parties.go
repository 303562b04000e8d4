package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"jiefen/dispute"
	"jiefen/store"
)

func partyOf(m map[string]string) (dispute.Party, error) {
	r := &record{m: m}
	p := dispute.Party{ID: r.str("id"), CaseID: r.str("case"), Role: dispute.Role(r.str("role")), Name: r.str("name"),
		Phone: r.str("phone"), Summary: r.str("summary"), Status: dispute.PartyStatus(r.str("status")), Scene: r.str("scene"), OpenID: r.str("openid"),
		By: r.str("by"), CreatedAt: r.time("created"), UpdatedAt: r.time("updated"),
		QRTicket: r.str("qr_ticket"), QRURL: r.str("qr_url"), QRExpires: r.time("qr_expires")}
	if r.err != nil {
		return dispute.Party{}, fmt.Errorf("redis: party %s: %w", p.ID, r.err)
	}
	return p, nil
}

// Party is one HGETALL.
func (s *Store) Party(ctx context.Context, id string) (dispute.Party, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.party(id)).Result()
	if err != nil {
		return dispute.Party{}, fmt.Errorf("redis: party %s: %w", id, err)
	}
	if len(m) == 0 {
		return dispute.Party{}, fmt.Errorf("redis: party %s: %w", id, store.ErrNotFound)
	}
	return partyOf(m)
}

// PartyByScene reads the scene index, then the party.
func (s *Store) PartyByScene(ctx context.Context, scene string) (dispute.Party, error) {
	id, err := s.rdb.HGet(ctx, s.k.scenes(), scene).Result()
	if errors.Is(err, redis.Nil) {
		return dispute.Party{}, fmt.Errorf("redis: party by scene: %w", store.ErrNotFound)
	}
	if err != nil {
		return dispute.Party{}, fmt.Errorf("redis: party by scene: %w", err)
	}
	return s.Party(ctx, id)
}

// CaseParties reads the case's index, then the parties in one pipeline.
func (s *Store) CaseParties(ctx context.Context, caseID string) ([]dispute.Party, error) {
	ids, err := s.rdb.ZRange(ctx, s.k.caseParties(caseID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: parties of %s: %w", caseID, err)
	}
	return s.parties(ctx, ids)
}

// PartiesOf reads the openid's index, latest change first (ties by id,
// descending, as ZREVRANGE orders them), then the parties.
func (s *Store) PartiesOf(ctx context.Context, openID string) ([]dispute.Party, error) {
	if openID == "" {
		return nil, nil
	}
	ids, err := s.rdb.ZRevRange(ctx, s.k.partiesOf(openID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: parties: %w", err)
	}
	return s.parties(ctx, ids)
}

func (s *Store) parties(ctx context.Context, ids []string) ([]dispute.Party, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.k.party(id))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("redis: parties: %w", err)
	}
	out := make([]dispute.Party, 0, len(ids))
	for _, c := range cmds {
		if len(c.Val()) == 0 {
			continue
		}
		p, err := partyOf(c.Val())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
