-- Commit applies one store.Change, all or nothing. Redis runs a script
-- without interruption but does not undo what it wrote before an error, so
-- every check comes before the first write: a refused Change writes nothing.
-- KEYS[1] is the event counter, there to route the script to the
-- transaction slot. ARGV[1] is T, ARGV[2] the notice channel, ARGV[3] the
-- Change as one JSON document (commitDoc in commit.go):
--
--   {"ops": [{"op": kind, field: value, …}, …], "notices": [JSON, …]}
--
-- ops in the order store.Change.Ops gives them (store/ops.go), each as its
-- MarshalJSON writes it (store/opkinds.go): every field present, every
-- number a string (times in Unix ms), no null anywhere. notices are
-- published once the Change is stored, so a notice goes out if and only if
-- it was, on every instance's subscription.
--
-- Each kind of op has one function in `kinds`, kind(o, write). Without
-- write it checks the op: it returns a refusal ({'dup'}, {'nocase', id,
-- what}, …) or nothing, and notes what the op will change in the state the
-- later checks see. With write it applies the op. All the checks run, in
-- order, before the first write. (One function per kind rather than a
-- table of a check and a write: every run of the script makes its
-- functions anew, and on the test server making a table of two functions
-- per kind took about 10 µs a run, one function per kind about 3, against
-- about 5 for decoding a callback's document.)
local T, channel = ARGV[1], ARGV[2]
local doc = cjson.decode(ARGV[3])

-- The state of the cases as the Change has left them so far, which the
-- checks must see as the SQLite store does (it applies the ops one after
-- another): known[id] says whether the case exists (stored, or made by
-- the Change); status[], assignee[] and dueat[] (the due time) follow
-- the Change's ops.
local known, status, assignee, dueat = {}, {}, {}, {}
local function exists(id)
  if known[id] == nil then known[id] = redis.call('EXISTS', T .. 'case:' .. id) == 1 end
  return known[id]
end
local function casefield(id, memo, field)
  if memo[id] == nil then memo[id] = redis.call('HGET', T .. 'case:' .. id, field) or '' end
  return memo[id]
end
local function nocase(o, what)
  if not exists(o.case) then return {'nocase', o.case, what} end
end
-- Ordering keys (key → lane) whose due time (queue.lua) is brought up
-- to date once, after all the writes.
local touched = {}
-- Delivery ids taken by the Change's own items.
local deliveries = {}

-- record is a stored JSON record (an event, an audit entry): at, the op's
-- time as the integer string it came as, then t's fields. Given to cjson
-- as a number, a time of 15 digits or more would come out in exponent
-- form, which Go does not read into an int64. t always has a field.
local function record(at, t)
  return '{"at":' .. at .. ',' .. string.sub(cjson.encode(t), 2)
end
-- opt sets t[k] to v unless v is empty, as the Go records' omitempty.
local function opt(t, k, v)
  if v ~= '' then t[k] = v end
  return t
end

-- The search index (store/search.go, keys.go): T..'sg:'..bigram, the
-- zset of the cases whose text has the bigram (score CreatedAt), from
-- the grams the ops carry (computed in Go, which knows what a letter is);
-- T..'sn', every case number upper case and reversed, and T..'sp',
-- "<phone reversed> <case id>", both scored 0 and read by lex range,
-- which finds the numbers that end with what was typed.
local function sgadd(id, created, grams)
  for _, g in ipairs(grams) do redis.call('ZADD', T .. 'sg:' .. g, created, id) end
end
local function phonekey(phone, id) return string.reverse(phone) .. ' ' .. id end

local kinds = {}

-- A key is taken while it is stored and its expiry (on the caller's
-- clock, in T.."ddx") is after the Change's time, as in the SQLite store;
-- the key's own PX only lets the server drop it once it is of no use.
kinds.dedup = function(o, write)
  if not write then
    if redis.call('EXISTS', T .. 'dd:' .. o.key) == 1 then
      local exp = redis.call('ZSCORE', T .. 'ddx', o.key)
      if not exp or tonumber(exp) > tonumber(o.at) then return {'dup'} end
    end
    return
  end
  if o.ttl ~= '0' then
    redis.call('SET', T .. 'dd:' .. o.key, o.reply, 'PX', o.ttl)
    redis.call('ZADD', T .. 'ddx', o.exp, o.key)
  else
    -- An entry left by an earlier, expiring holder of the key would make
    -- Purge delete this one, which must hold for ever.
    redis.call('SET', T .. 'dd:' .. o.key, o.reply)
    redis.call('ZREM', T .. 'ddx', o.key)
  end
end

-- The thread's newest item is "<id> <JSON>"; its id must still be the
-- one the caller read (0: an empty thread). Checked before any write, so
-- the Change's own events are not yet there.
kinds.thread = function(o, write)
  if write then return end
  local last = redis.call('LINDEX', T .. 'ev:' .. o.case, -1)
  local id = 0
  if last then id = tonumber(string.match(last, '^(%d+)')) end
  if id ~= tonumber(o.last) then return {'moved', o.case, 'thread'} end
end

kinds.citizen = function(o, write)
  if not write then return end
  redis.call('HSET', T .. 'cit:' .. o.openid, 'c', o.consent, 'cv', o.consent_version, 'i', o.inbound, 'u', o.window,
    'q', o.quota, 's', o.sent)
end

kinds.dialog = function(o, write)
  local k = T .. 'dlg:' .. o.openid
  if not write then
    if tonumber(redis.call('HGET', k, 'v') or '0') ~= tonumber(o.v) then return {'conflict'} end
    return
  end
  redis.call('HSET', k, 'v', tostring(tonumber(o.v) + 1), 'step', o.step, 'draft', o.draft, 'at', o.at)
  -- life is relative (ms): the key goes by itself that long after the
  -- save on the server's clock, which a caller's clock that is behind (a
  -- test's fake one) cannot cut short. The caller's time of the save is
  -- kept in T.."dlgx", for Purge to judge at its own now. 0: a dialog
  -- without a time, which never goes.
  if o.life ~= '0' then
    redis.call('PEXPIRE', k, o.life)
    redis.call('ZADD', T .. 'dlgx', o.at, o.openid)
  else
    redis.call('PERSIST', k)
    redis.call('ZREM', T .. 'dlgx', o.openid)
  end
end

-- A citizen's consent to a template's subscription notices: one field
-- of T.."sub:"..openid per template, "<long> <uses> <refused> <at>"
-- (subscription.go reads it). An accept of a long-term template stands,
-- of a one-time template adds a use; a refusal clears both.
kinds.subscribe = function(o, write)
  if not write then return end
  local k = T .. 'sub:' .. o.openid
  local long, uses = 0, 0
  local cur = redis.call('HGET', k, o.tpl)
  if cur then
    local l, n = string.match(cur, '^(%d+) (%d+)')
    long, uses = tonumber(l), tonumber(n)
  end
  local refused = 0
  if not o.accept then
    long, uses, refused = 0, 0, 1
  elseif o.long then
    long = 1
  else
    uses = uses + 1
  end
  redis.call('HSET', k, o.tpl, long .. ' ' .. uses .. ' ' .. refused .. ' ' .. o.at)
end

local casefields = {'id', 'status', 'type', 'urgent', 'region', 'body', 'rule', 'summary', 'summary_ai', 'story',
  'openid', 'phone', 'created', 'updated', 'assignee', 'video_at', 'video_url'}
kinds.case = function(o, write)
  if not write then
    if known[o.id] or redis.call('EXISTS', T .. 'case:' .. o.id) == 1 then return {'exists', o.id} end
    known[o.id], status[o.id], assignee[o.id] = true, o.status, o.assignee
    return
  end
  local args = {}
  for _, f in ipairs(casefields) do
    local v = o[f]
    if f == 'urgent' then v = o.urgent and '1' or '0' end
    if f == 'summary_ai' then v = o.summary_ai and '1' or '0' end
    args[#args + 1] = f
    args[#args + 1] = v
  end
  redis.call('HSET', T .. 'case:' .. o.id, unpack(args))
  local id, created = o.id, o.created
  redis.call('ZADD', T .. 'cx', created, id)
  redis.call('ZADD', T .. 'cx:o:' .. o.openid, created, id)
  redis.call('ZADD', T .. 'cx:s:' .. o.status, created, id)
  redis.call('ZADD', T .. 'cx:t:' .. o.type, created, id)
  redis.call('ZADD', T .. 'cx:r:' .. o.region, created, id)
  redis.call('ZADD', T .. 'cx:b:' .. o.body, created, id)
  if o.assignee ~= '' then redis.call('ZADD', T .. 'cx:a:' .. o.assignee, created, id) end
  sgadd(id, created, o.grams)
  redis.call('ZADD', T .. 'sn', 0, string.reverse(string.upper(id)))
  if o.phone ~= '' then redis.call('ZADD', T .. 'sp', 0, phonekey(o.phone, id)) end
end

-- Parties (store/parties.go): T..'pty:'..id a hash, T..'ptc:'..case the
-- case's party ids (score created), T..'pto:'..openid the parties an
-- openid joined as (score updated), T..'pts' scene → party id. pstatus[]
-- follows the Change's ops as status[] does for cases (false: unknown).
local pstatus, pscenes = {}, {}
local function partystatus(id)
  if pstatus[id] == nil then pstatus[id] = redis.call('HGET', T .. 'pty:' .. id, 'status') or false end
  return pstatus[id]
end
local partyfields = {'id', 'case', 'role', 'name', 'phone', 'summary', 'status', 'scene', 'openid', 'by', 'created',
  'updated', 'qr_ticket', 'qr_url', 'qr_expires'}
kinds.party = function(o, write)
  if not write then
    if not exists(o.case) then return {'nocase', o.case, 'party'} end
    if partystatus(o.id) or pscenes[o.scene] or redis.call('HEXISTS', T .. 'pts', o.scene) == 1 then
      return {'moved', o.case, 'party'}
    end
    pstatus[o.id], pscenes[o.scene] = o.status, true
    return
  end
  local args = {}
  for _, f in ipairs(partyfields) do
    args[#args + 1] = f
    args[#args + 1] = o[f]
  end
  redis.call('HSET', T .. 'pty:' .. o.id, unpack(args))
  redis.call('ZADD', T .. 'ptc:' .. o.case, o.created, o.id)
  redis.call('HSET', T .. 'pts', o.scene, o.id)
  if o.openid ~= '' then redis.call('ZADD', T .. 'pto:' .. o.openid, o.updated, o.id) end
end

kinds.party_move = function(o, write)
  if not write then
    local cur = partystatus(o.party)
    if not cur then return {'nocase', o.party, 'party'} end
    if o.from ~= '' and cur ~= o.from then return {'moved', o.party, 'party'} end
    pstatus[o.party] = o.to
    return
  end
  local k = T .. 'pty:' .. o.party
  local old = redis.call('HGET', k, 'openid') or ''
  local openid = old
  if o.openid ~= '' then openid = o.openid end
  if old ~= '' and old ~= openid then redis.call('ZREM', T .. 'pto:' .. old, o.party) end
  redis.call('HSET', k, 'status', o.to, 'updated', o.at, 'openid', openid)
  if openid ~= '' then redis.call('ZADD', T .. 'pto:' .. openid, o.at, o.party) end
end

kinds.party_qr = function(o, write)
  if not write then
    if not partystatus(o.party) then return {'nocase', o.party, 'party QR'} end
    return
  end
  redis.call('HSET', T .. 'pty:' .. o.party, 'qr_ticket', o.ticket, 'qr_url', o.url, 'qr_expires', o.expires)
end

-- A From is compared with the status as the Change has left it so far,
-- as the SQLite store's UPDATE … WHERE status = From sees it.
kinds.status = function(o, write)
  if not write then
    if not exists(o.case) then return {'nocase', o.case, 'status'} end
    if o.from ~= '' and casefield(o.case, status, 'status') ~= o.from then return {'moved', o.case, 'status'} end
    status[o.case] = o.to
    return
  end
  local k = T .. 'case:' .. o.case
  local f = redis.call('HMGET', k, 'status', 'created')
  redis.call('ZREM', T .. 'cx:s:' .. f[1], o.case)
  redis.call('ZADD', T .. 'cx:s:' .. o.to, f[2], o.case)
  redis.call('HSET', k, 'status', o.to, 'updated', o.at)
end

kinds.urgent = function(o, write)
  if not write then return nocase(o, 'urgency') end
  redis.call('HSET', T .. 'case:' .. o.case, 'urgent', '1')
end

-- A claim writes nothing: it refuses a case someone other than its user
-- has. Claims come before the Change's transfers and assignments, so it
-- sees the assignee before them (for a case the Change makes, as made). A
-- case stored before assignees existed has no field: nobody's.
kinds.claim = function(o, write)
  if write then return end
  if not exists(o.case) then return {'nocase', o.case, 'claim'} end
  local cur = casefield(o.case, assignee, 'assignee')
  if cur ~= '' and cur ~= o.user then return {'moved', o.case, 'claim'} end
end

-- A transfer leaves the case nobody's (its assignee was of the old body).
kinds.transfer = function(o, write)
  if not write then
    if not exists(o.case) then return {'nocase', o.case, 'transfer'} end
    assignee[o.case] = ''
    return
  end
  local k = T .. 'case:' .. o.case
  local f = redis.call('HMGET', k, 'body', 'assignee', 'created')
  redis.call('ZREM', T .. 'cx:b:' .. f[1], o.case)
  redis.call('ZADD', T .. 'cx:b:' .. o.body, f[3], o.case)
  if f[2] and f[2] ~= '' then redis.call('ZREM', T .. 'cx:a:' .. f[2], o.case) end
  redis.call('HSET', k, 'body', o.body, 'rule', o.rule, 'assignee', '', 'updated', o.at)
end

-- A case is in the index of its current assignee only; nobody's cases
-- ('') have no index. A case stored before assignees existed has no field.
kinds.assign = function(o, write)
  if not write then
    if not exists(o.case) then return {'nocase', o.case, 'assignment'} end
    assignee[o.case] = o.user
    return
  end
  local k = T .. 'case:' .. o.case
  local f = redis.call('HMGET', k, 'assignee', 'created')
  if f[1] and f[1] ~= '' then redis.call('ZREM', T .. 'cx:a:' .. f[1], o.case) end
  if o.user ~= '' then redis.call('ZADD', T .. 'cx:a:' .. o.user, f[2], o.case) end
  redis.call('HSET', k, 'assignee', o.user, 'updated', o.at)
end

-- A cancelled video comes with start 0 and no link (store.Change.Ops).
kinds.video = function(o, write)
  if not write then return nocase(o, 'video') end
  redis.call('HSET', T .. 'case:' .. o.case, 'video_at', o.start, 'video_url', o.url, 'updated', o.at)
end

-- A type correction moves the case between the type indexes.
kinds.retype = function(o, write)
  if not write then return nocase(o, 'type') end
  local k = T .. 'case:' .. o.case
  local f = redis.call('HMGET', k, 'type', 'created')
  redis.call('ZREM', T .. 'cx:t:' .. f[1], o.case)
  redis.call('ZADD', T .. 'cx:t:' .. o.type, f[2], o.case)
  redis.call('HSET', k, 'type', o.type, 'updated', o.at)
end

-- Region and phone where given; updated never goes back (as in SQLite).
kinds.update = function(o, write)
  if not write then return nocase(o, 'update') end
  local k = T .. 'case:' .. o.case
  local f = redis.call('HMGET', k, 'region', 'created', 'updated', 'phone')
  if o.phone ~= '' and o.phone ~= f[4] then
    if f[4] and f[4] ~= '' then redis.call('ZREM', T .. 'sp', phonekey(f[4], o.case)) end
    redis.call('ZADD', T .. 'sp', 0, phonekey(o.phone, o.case))
  end
  if o.region ~= '' and o.region ~= f[1] then
    redis.call('ZREM', T .. 'cx:r:' .. (f[1] or ''), o.case)
    redis.call('ZADD', T .. 'cx:r:' .. o.region, f[2], o.case)
    redis.call('HSET', k, 'region', o.region)
  end
  if o.phone ~= '' then redis.call('HSET', k, 'phone', o.phone) end
  if tonumber(o.at) > tonumber(f[3] or '0') then redis.call('HSET', k, 'updated', o.at) end
end

-- An event is stored as "<id> <JSON>" (eventRecord in commit.go).
kinds.event = function(o, write)
  if not write then return nocase(o, 'event') end
  local id = redis.call('INCR', KEYS[1])
  local r = {kind = o.kind, actor = o.actor}
  opt(r, 'text', o.text)
  opt(r, 'media', o.media)
  opt(r, 'status', o.status)
  opt(r, 'body', o.body)
  opt(r, 'party', o.party)
  redis.call('RPUSH', T .. 'ev:' .. o.case, id .. ' ' .. record(o.at, r))
  if #o.grams > 0 then sgadd(o.case, redis.call('HGET', T .. 'case:' .. o.case, 'created'), o.grams) end
end

-- Released before the new items are queued (the op order): both end up
-- pending, and the held ones, being older, still go out first.
kinds.release = function(o, write)
  if not write or o.key == '' then return end
  for _, id in ipairs(redis.call('LRANGE', T .. 'qo:' .. o.key, 0, -1)) do
    local k = T .. 'q:' .. id
    if redis.call('HGET', k, 'state') == 'held' then
      redis.call('HSET', k, 'state', 'pending')
      redis.call('ZREM', T .. 'qx:s:held', id)
      redis.call('ZADD', T .. 'qx:s:pending', id, id)
    end
  end
  touched[o.key] = o.lane
end

-- A new item is untried and the newest: with a key, it goes at the end of
-- the key's open list, which keeps the order queue.lua describes; without
-- one, it is due on its own at its NotBefore. An item that needs a case
-- (a referral) needs one that exists; a delivery id is what the agency
-- dedups by: never two alike, in this Change or across the store
-- (T.."qdl").
kinds.enqueue = function(o, write)
  if not write then
    if o.needcase and not exists(o.case) then return {'nocase', o.case, o.kind} end
    if o.delivery ~= '' then
      if deliveries[o.delivery] or redis.call('HEXISTS', T .. 'qdl', o.delivery) == 1 then return {'taken', o.delivery} end
      deliveries[o.delivery] = true
    end
    return
  end
  local id = redis.call('INCR', T .. 'n:q')
  redis.call('HSET', T .. 'q:' .. id, 'kind', o.kind, 'lane', o.lane, 'key', o.key, 'case', o.case,
    'openid', o.openid, 'text', o.text, 'media', o.media, 'dlv', o.delivery, 'body', o.body, 'url', o.url,
    'payload', o.payload, 'state', 'pending', 'att', 0, 'nb', o.nb, 'lease', 0, 'err', '', 'via', '',
    'at', o.at, 'done', 0)
  redis.call('ZADD', T .. 'qx', id, id)
  redis.call('ZADD', T .. 'qx:l:' .. o.lane, id, id)
  redis.call('ZADD', T .. 'qx:s:pending', id, id)
  if o.case ~= '' then redis.call('ZADD', T .. 'qx:c:' .. o.case, id, id) end
  if o.body ~= '' then redis.call('ZADD', T .. 'qx:b:' .. o.body, id, id) end
  if o.delivery ~= '' then redis.call('HSET', T .. 'qdl', o.delivery, id) end
  if o.key ~= '' then
    redis.call('ZADD', T .. 'qx:k:' .. o.key, id, id)
    redis.call('RPUSH', T .. 'qo:' .. o.key, id)
    touched[o.key] = o.lane
  else
    redis.call('ZADD', T .. 'qd:' .. o.lane, o.nb, 'i:' .. id)
  end
end

-- An audit entry is stored as its JSON (auditRecord in audit.go).
kinds.audit = function(o, write)
  if not write then return end
  local r = {user = o.user, action = o.action}
  opt(r, 'role', o.role)
  opt(r, 'case', o.case)
  opt(r, 'detail', o.detail)
  opt(r, 'addr', o.addr)
  audit(T, o.at, record(o.at, r), o.user, o.case, o.action)
end

-- The due-time index: the case's field due ('0': nothing due; absent:
-- never set) and the zset T.."due" of the cases with a time. With ifwas,
-- the op applies only if the due time is still was, as the ops before it
-- left it (absent counting as 0). It leaves updated as it is. The running
-- deadline goes with it: the fields dl (its kind, '' for none) and dl_at
-- ('0': none; absent: never set), and the zset T.."dl" of the running
-- deadlines by due time, which the overdue list reads (cases.lua).
kinds.due = function(o, write)
  if not write then
    if not exists(o.case) then return {'nocase', o.case, 'due time'} end
    if o.ifwas and (tonumber(casefield(o.case, dueat, 'due')) or 0) ~= tonumber(o.was) then
      return {'moved', o.case, 'due time'}
    end
    dueat[o.case] = o.at
    return
  end
  redis.call('HSET', T .. 'case:' .. o.case, 'due', o.at, 'dl', o.deadline, 'dl_at', o.due_at)
  if o.at ~= '0' then
    redis.call('ZADD', T .. 'due', o.at, o.case)
  else
    redis.call('ZREM', T .. 'due', o.case)
  end
  if o.due_at ~= '0' then
    redis.call('ZADD', T .. 'dl', o.due_at, o.case)
  else
    redis.call('ZREM', T .. 'dl', o.case)
  end
end

-- Checks, in the order the SQLite store meets them.
for _, o in ipairs(doc.ops) do
  local kind = kinds[o.op]
  if not kind then return {'badop', tostring(o.op)} end
  local refused = kind(o, false)
  if refused then return refused end
end
-- Writes.
for _, o in ipairs(doc.ops) do kinds[o.op](o, true) end
for key, lane in pairs(touched) do qkeydue(T, lane, key) end
for _, note in ipairs(doc.notices) do redis.call('PUBLISH', channel, note) end
return {'ok'}
