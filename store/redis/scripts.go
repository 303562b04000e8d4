package redisstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts. Each runs atomically on the server, which is what makes
// Commit all-or-nothing and claims, reservations and counters race-free
// across instances. due.lua holds helpers the outbound scripts share,
// referral.lua those of the referral scripts, and audit.lua the append
// of an audit entry; each is put in front of its
// scripts, since Redis scripts cannot include one another.
var (
	//go:embed lua/due.lua
	dueLua string
	//go:embed lua/commit.lua
	commitLua string
	//go:embed lua/claim.lua
	claimLua string
	//go:embed lua/finish.lua
	finishLua string
	//go:embed lua/outbounds.lua
	outboundsLua string
	//go:embed lua/cases.lua
	casesLua string
	//go:embed lua/reserve.lua
	reserveLua string
	//go:embed lua/closewindow.lua
	closeWindowLua string
	//go:embed lua/purge.lua
	purgeLua string
	//go:embed lua/failure.lua
	failureLua string
	//go:embed lua/referral.lua
	referralLua string
	//go:embed lua/rfclaim.lua
	rfClaimLua string
	//go:embed lua/rffinish.lua
	rfFinishLua string
	//go:embed lua/rfretry.lua
	rfRetryLua string
	//go:embed lua/rflist.lua
	rfListLua string
	//go:embed lua/audit.lua
	auditLua string
	//go:embed lua/auditappend.lua
	auditAppendLua string
	//go:embed lua/auditlog.lua
	auditLogLua string
	//go:embed lua/ended.lua
	endedLua string
	//go:embed lua/anonymize.lua
	anonymizeLua string
	//go:embed lua/threads.lua
	threadsLua string
	//go:embed lua/undue.lua
	undueLua string
)

var (
	commitScript      = redis.NewScript(dueLua + auditLua + commitLua)
	claimScript       = redis.NewScript(dueLua + claimLua)
	finishScript      = redis.NewScript(dueLua + finishLua)
	outboundsScript   = redis.NewScript(dueLua + outboundsLua)
	casesScript       = redis.NewScript(casesLua)
	reserveScript     = redis.NewScript(reserveLua)
	closeWindowScript = redis.NewScript(closeWindowLua)
	purgeScript       = redis.NewScript(purgeLua)
	failureScript     = redis.NewScript(failureLua)
	rfClaimScript     = redis.NewScript(referralLua + rfClaimLua)
	rfFinishScript    = redis.NewScript(referralLua + rfFinishLua)
	rfRetryScript     = redis.NewScript(referralLua + rfRetryLua)
	rfListScript      = redis.NewScript(referralLua + rfListLua)
	auditAppendScript = redis.NewScript(auditLua + auditAppendLua)
	auditLogScript    = redis.NewScript(auditLogLua)
	endedScript       = redis.NewScript(endedLua)
	anonymizeScript   = redis.NewScript(dueLua + referralLua + auditLua + anonymizeLua)
	undueScript       = redis.NewScript(undueLua)
	threadsScript     = redis.NewScript(threadsLua)

	allScripts = []*redis.Script{commitScript, claimScript, finishScript, outboundsScript,
		casesScript, reserveScript, closeWindowScript, purgeScript, failureScript,
		rfClaimScript, rfFinishScript, rfRetryScript, rfListScript,
		auditAppendScript, auditLogScript, endedScript, anonymizeScript, undueScript, threadsScript}
)

// loadScripts puts every script in the server's cache (on every master of
// a cluster), so the first Commit is one EVALSHA like all the others. A
// server that lost its cache (a restart, a failover) is still served:
// Script.Run falls back to EVAL on NOSCRIPT.
func loadScripts(ctx context.Context, rdb redis.UniversalClient) error {
	for _, s := range allScripts {
		if err := s.Load(ctx, rdb).Err(); err != nil {
			return fmt.Errorf("redis: load scripts: %w", err)
		}
	}
	return nil
}
