package redisstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts. Each runs atomically on the server, which is what makes
// Commit all-or-nothing and claims, reservations and counters race-free
// across instances. queue.lua holds helpers the queue scripts share, and
// audit.lua the append of an audit entry; each is put in front of its
// scripts, since Redis scripts cannot include one another.
var (
	//go:embed lua/queue.lua
	queueLua string
	//go:embed lua/commit.lua
	commitLua string
	//go:embed lua/qclaim.lua
	claimLua string
	//go:embed lua/qfinish.lua
	finishLua string
	//go:embed lua/qretry.lua
	retryLua string
	//go:embed lua/qlist.lua
	listLua string
	//go:embed lua/qmigrate.lua
	migrateLua string
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
	//go:embed lua/tokenused.lua
	tokenUsedLua string
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
	//go:embed lua/nonce.lua
	nonceLua string
	//go:embed lua/usesub.lua
	useSubLua string
	//go:embed lua/alertsave.lua
	alertSaveLua string
)

var (
	commitScript      = redis.NewScript(queueLua + auditLua + commitLua)
	claimScript       = redis.NewScript(queueLua + claimLua)
	finishScript      = redis.NewScript(queueLua + finishLua)
	retryScript       = redis.NewScript(queueLua + retryLua)
	listScript        = redis.NewScript(queueLua + listLua)
	migrateScript     = redis.NewScript(queueLua + migrateLua)
	casesScript       = redis.NewScript(casesLua)
	reserveScript     = redis.NewScript(reserveLua)
	closeWindowScript = redis.NewScript(closeWindowLua)
	purgeScript       = redis.NewScript(purgeLua)
	failureScript     = redis.NewScript(failureLua)
	tokenUsedScript   = redis.NewScript(tokenUsedLua)
	auditAppendScript = redis.NewScript(auditLua + auditAppendLua)
	auditLogScript    = redis.NewScript(auditLogLua)
	endedScript       = redis.NewScript(endedLua)
	anonymizeScript   = redis.NewScript(queueLua + auditLua + anonymizeLua)
	undueScript       = redis.NewScript(undueLua)
	threadsScript     = redis.NewScript(threadsLua)
	nonceScript       = redis.NewScript(nonceLua)
	useSubScript      = redis.NewScript(useSubLua)
	alertSaveScript   = redis.NewScript(auditLua + alertSaveLua)

	allScripts = []*redis.Script{commitScript, claimScript, finishScript, retryScript, listScript, migrateScript,
		casesScript, reserveScript, closeWindowScript, purgeScript, failureScript, tokenUsedScript,
		auditAppendScript, auditLogScript, endedScript, anonymizeScript, undueScript, threadsScript, nonceScript, useSubScript, alertSaveScript}
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
