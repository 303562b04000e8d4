package redisstore

import (
	"fmt"
	"strconv"
	"strings"
)

// keys builds the key names of one prefix. The layout:
//
// P is the key prefix (WithPrefix, default "jiefen:"). Almost everything
// lives under T = P + "{" + name + "}:", name being P without its trailing
// colon, so every such key carries the same hash tag and falls in ONE
// Redis Cluster slot, "the transaction slot":
//
//	T+"cit:"+openid     hash    the citizen: c consent, cv its notice version, i last inbound, u window until, q quota, s sent
//	T+"dlg:"+openid     hash    the dialog: v version, step, draft (JSON), at; PEXPIRE store.StaleDialog
//	                            from its save (none when at is 0)
//	T+"dlgx"            zset    openid → its dialog's at (ms, the caller's clock), for Purge
//	T+"dd:"+key         string  a dedup key, holding the reply; PX = DedupTTL (none when 0)
//	T+"ddx"             zset    dedup key → expiry (ms, the Change's At + DedupTTL: the caller's
//	                            clock), which decides whether the key holds; also for Purge
//	T+"case:"+id        hash    a case: id status type urgent region body rule summary summary_ai story openid phone created updated
//	                            assignee (absent on cases stored before the console: nobody)
//	                            video_at (ms, 0: none) video_url (both absent on older cases: none)
//	                            anon (ms): when its personal data were removed; absent: kept
//	                            due (ms): when the deadline watcher acts on it next (store.DueSet),
//	                            0: nothing due; absent: never set
//	                            dl, dl_at (ms): the deadline running on it (kind, due time;
//	                            '' and 0: none; dl_at absent: never set)
//	T+"cx"              zset    every case id, score CreatedAt ms
//	T+"cx:o:"+openid    zset    the same, per citizen; "cx:s:"+status, "cx:t:"+type,
//	                            "cx:r:"+region, "cx:b:"+body likewise (the console's queues),
//	                            and "cx:a:"+user, the cases a console user has now
//	T+"due"             zset    case id → its due time (ms), for the cases with one (DueCases)
//	T+"dl"              zset    case id → its running deadline's due time (ms), for the cases
//	                            with one (CaseFilter.DueBy)
//	T+"ev:"+caseID      list    the case's thread, "<event id> <JSON>" (eventRecord), in commit order
//	T+"n:ev"            string  the event id counter (INCR)
//	T+"q:"+id           hash    a queue item (store.Item): kind lane key case openid text media
//	                            dlv (delivery id) body url payload state att nb lease err via at
//	                            done (sent or delivered at, 0: not)
//	T+"n:q"             string  the queue's id counter (INCR)
//	T+"qo:"+key         list    an ordering key's open (pending or held) ids: those already
//	                            tried first (normally one at most), then the untried, oldest
//	                            first (lua/queue.lua)
//	T+"qd:"+lane        zset    what of the lane may be claimed, and when (ms): "k:"+key for
//	                            a key (absent when a held item blocks it or none is open),
//	                            "i:"+id for a pending item without a key (the later of its
//	                            NotBefore and its lease end)
//	T+"qx"              zset    every item id, score the id
//	T+"qx:l:"+lane      zset    the same, per lane; "qx:k:"+key, "qx:c:"+caseID,
//	                            "qx:b:"+body and "qx:s:"+state likewise
//	T+"qdl"             hash    delivery id → item id, so no delivery id is used twice
//	T+"au"              hash    audit entry id → JSON (auditRecord); append only: no code
//	                            rewrites or deletes a field
//	T+"n:au"            string  the audit id counter (INCR)
//	T+"aux"             zset    every audit entry: member its id padded to 19 digits, score
//	                            its time (ms), so one instant's entries sort by id
//	T+"aux:u:"+user     zset    the same, per user; "aux:c:"+caseID and "aux:a:"+action likewise
//	T+"sg:"+bigram      zset    the search index: the cases whose story, summary or searchable
//	                            event has the bigram (store.SearchGrams), score CreatedAt ms
//	T+"sn"              zset    every case number, upper case and reversed, score 0: a lex
//	                            range finds the numbers ending with what was typed
//	T+"sp"              zset    "<phone number reversed> <case id>" for the cases with a phone
//	                            number, score 0, likewise
//	T+"sv"              string  the version of the search index Open has filled in (backfill)
//	T+"sub:"+openid     hash    template id → "<long> <uses> <refused> <at ms>": the citizen's
//	                            consent to that template's subscription notices (SubscribeOp)
//	T+"mx:"+caseID      set     the ids of the media files kept for a case (PutMedia)
//	T+"mdel"            set     media ids of anonymised cases whose files are still to delete
//	                            (media keys are outside the slot: see Anonymize)
//	T+"rk:…", "al…"     …       the risk early warning's marks and alerts: see risk.go
//
// Before the one queue, outbound items and referrals had keys of their
// own (T+"ob:"+id, "obl", "obl:"+openid, "obo:"+openid, "obd", "n:ob";
// T+"rf:"+id, "rfx", "rfx:c|b|s:"+v, "rfq", "rfd", "n:rf"). Open moves
// whatever it finds of them into the queue (lua/qmigrate.lua) and deletes
// them, in one script; upgrade every instance together, since one still
// running the old code would write keys nobody reads any more.
//
// Other keys live outside the transaction slot, each in its own slot, because they are only
// ever written alone:
//
//	P+"seq:"+day        string  NextCaseSeq's counter, expiring 3 days after its last use
//	P+"media:"+id       hash    a media file (the bulk of the bytes, spread over the cluster)
//	P+"users"           hash    console user name → JSON (userRecord); one key, so a
//	                            user is written by one HSET and Users is one HGETALL
//	P+"sess:"+idHash    hash    a console session: user csrf exp; PEXPIRE exp-now (the caller's)
//	P+"tokens"          hash    API token hash → JSON (tokenRecord): user, prefix,
//	                            created, expires, last used; one key, so a token is written, read
//	                            and revoked by one command, and a user's tokens are one
//	                            HGETALL (a city has a few hundred at most)
//	P+"tokmoved"        string  "1" once Open moved the tokens of before that hash
//	                            (P+"tok:"+hash hashes: user at) into it
//	P+"fail:"+key       zset    failed logins of key (a user name, an address):
//	                            unique member → when (ms); PEXPIRE window after the last
//	P+"hooks"           hash    body id → JSON (hookRecord): a body's webhook as an
//	                            administrator set it in the console; one key, like users
//	P+"replies"         hash    body id → JSON (repliesRecord): a body's quick replies
//	                            as set in the console
//	P+"probe"           string  "1", EX 1 minute: readiness's write probe (Probe)
//	P+"nonce:"+key      string  a signed callback URL seen (store.Nonces): "<body digest> <until ms>",
//	                            PX until its timestamp leaves the window
//	P+"pr:"+caseID      zset    who has the case open in the console (store.Presence): viewer →
//	                            until (ms, the caller's clock); PEXPIRE until the last entry ends
//
// and one pub/sub channel, P+"notices", where Commit publishes a
// store.Notice (JSON) per case it made or changed.
//
// Why one slot for the rest: the contract makes a Commit span more than one
// citizen. A dedup key must be refused whoever the duplicate claims to be
// from; a status change or an event names a case by id only, and may be on
// another citizen's case; outbound items may be for any openid; event and
// outbound ids must increase across the whole store; and ClaimOutbound must
// pick at most one item per citizen across all citizens without two
// workers taking the same one; referrals are queued with the case they
// are about, in the same Commit. Per-citizen slots would need a distributed
// transaction (locks, an intent log and a repair job) to keep that
// all-or-nothing, and the global indexes would drift whenever an instance
// died between two slots. In one slot every Commit, claim and index update
// is a single Lua script: nothing can drift, so nothing needs repairing,
// and scripts may name keys they compute (a case's key from its id) because
// every such key is in the slot of the key they were routed by.
//
// The cost is that this data sits on one Cluster shard: Cluster still gives
// failover, but not write scaling. For jiefen that is the right trade: the
// data is small text (one city's complaints), one master runs over ten
// thousand Commits a second (BenchmarkCommit on a shared 2-core box), far
// beyond what WeChat callbacks produce, and the media files, which are most of the bytes, are
// spread by their own keys. Deployments with different prefixes get
// different tags, hence (usually) different shards.
//
// Keep the server on maxmemory-policy noeviction (an evicted key would be
// lost data) and with the persistence the project needs: AOF with
// appendfsync everysec loses at most about a second of acknowledged
// messages if the server itself dies.
type keys struct {
	p string // P
	t string // T, the transaction slot's prefix
}

func newKeys(prefix string) (keys, error) {
	name := strings.TrimSuffix(prefix, ":")
	if name == "" {
		return keys{}, fmt.Errorf("redis: empty key prefix")
	}
	if strings.ContainsAny(prefix, "{}") {
		// A brace in the prefix would change which part of every key is
		// the hash tag, and so split the transaction slot.
		return keys{}, fmt.Errorf("redis: key prefix %q: braces are not allowed", prefix)
	}
	return keys{p: prefix, t: prefix + "{" + name + "}:"}, nil
}

func (k keys) citizen(openID string) string  { return k.t + "cit:" + openID }
func (k keys) dialog(openID string) string   { return k.t + "dlg:" + openID }
func (k keys) dedup(key string) string       { return k.t + "dd:" + key }
func (k keys) dedupExpiry() string           { return k.t + "ddx" }
func (k keys) caseKey(id string) string      { return k.t + "case:" + id }
func (k keys) events(caseID string) string   { return k.t + "ev:" + caseID }
func (k keys) due() string                   { return k.t + "due" }
func (k keys) eventSeq() string              { return k.t + "n:ev" }
func (k keys) item(id int64) string          { return k.t + "q:" + strconv.FormatInt(id, 10) }
func (k keys) itemSeq() string               { return k.t + "n:q" }
func (k keys) queueDue(lane string) string   { return k.t + "qd:" + lane }
func (k keys) caseSeq(day string) string     { return k.p + "seq:" + day }
func (k keys) auditSeq() string              { return k.t + "n:au" }
func (k keys) mediaToDelete() string         { return k.t + "mdel" }
func (k keys) caseMedia(id string) string    { return k.t + "mx:" + id }
func (k keys) media(id string) string        { return k.p + "media:" + id }
func (k keys) notices() string               { return k.p + "notices" }
func (k keys) users() string                 { return k.p + "users" }
func (k keys) session(idHash string) string  { return k.p + "sess:" + idHash }
func (k keys) tokens() string                { return k.p + "tokens" }
func (k keys) oldToken(hash string) string   { return k.p + "tok:" + hash }
func (k keys) tokensMoved() string           { return k.p + "tokmoved" }
func (k keys) failures(key string) string    { return k.p + "fail:" + key }
func (k keys) hooks() string                 { return k.p + "hooks" }
func (k keys) replies() string               { return k.p + "replies" }
func (k keys) probe() string                 { return k.p + "probe" } // readiness's write probe
func (k keys) nonce(key string) string       { return k.p + "nonce:" + key }
func (k keys) searchGram(g string) string    { return k.t + "sg:" + g }
func (k keys) presence(caseID string) string { return k.p + "pr:" + caseID }
func (k keys) subs(openID string) string     { return k.t + "sub:" + openID }

// caseIndex is the zset of the cases whose field (o, s, t, r, b, a; ""
// for all cases) has value v. The scripts build the same names.
func (k keys) caseIndex(field, v string) string {
	if field == "" {
		return k.t + "cx"
	}
	return k.t + "cx:" + field + ":" + v
}

// queueIndex is the zset of the items whose field (l lane, k key, c
// case, b body, s state; "" for all items) has value v. The scripts build
// the same names.
func (k keys) queueIndex(field, v string) string {
	if field == "" {
		return k.t + "qx"
	}
	return k.t + "qx:" + field + ":" + v
}

// auditIndex is the zset of the audit entries whose field (u user, c
// case, a action; "" for all entries) has value v. audit.lua builds the
// same names.
func (k keys) auditIndex(field, v string) string {
	if field == "" {
		return k.t + "aux"
	}
	return k.t + "aux:" + field + ":" + v
}
