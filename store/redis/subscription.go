package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jiefen/store"
)

// Subscriptions is one HGETALL of the citizen's T.."sub:" hash, written
// by Commit (lua/commit.lua, kinds.subscribe).
func (s *Store) Subscriptions(ctx context.Context, openID string) ([]store.Subscription, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.subs(openID)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: subscriptions: %w", err)
	}
	out := make([]store.Subscription, 0, len(m))
	for tpl, v := range m {
		f := strings.Fields(v)
		if len(f) != 4 {
			return nil, fmt.Errorf("redis: subscriptions: malformed record")
		}
		uses, _ := strconv.Atoi(f[1])
		at, _ := strconv.ParseInt(f[3], 10, 64)
		out = append(out, store.Subscription{OpenID: openID, TemplateID: tpl, Long: f[0] == "1", Uses: uses,
			Refused: f[2] == "1", At: store.FromUnixMS(at)})
	}
	slices.SortFunc(out, func(a, b store.Subscription) int { return strings.Compare(a.TemplateID, b.TemplateID) })
	return out, nil
}

// UseSubscription checks and spends in one script (lua/usesub.lua).
func (s *Store) UseSubscription(ctx context.Context, openID, templateID string) error {
	if err := useSubScript.Run(ctx, s.rdb, []string{s.k.subs(openID)}, templateID).Err(); err != nil {
		return fmt.Errorf("redis: use subscription: %w", err)
	}
	return nil
}
