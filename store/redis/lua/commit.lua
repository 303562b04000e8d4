-- Commit applies one store.Change, all or nothing. Redis runs a script
-- without interruption but does not undo what it wrote before an error, so
-- every check comes before the first write: a refused Change writes nothing.
-- KEYS[1] is the event counter, there to route the script to the
-- transaction slot; ARGV is laid out by encodeChange (commit.go).
local T = ARGV[1]
local n = 1
local function nxt() n = n + 1; return ARGV[n] end
local function take(width)
  local r = {}
  for j = 1, width do r[j] = nxt() end
  return r
end
local function list(width)
  local out = {}
  for i = 1, tonumber(nxt()) do out[i] = take(width) end
  return out
end

local dedup = nxt()
local ttl = tonumber(nxt())
local reply = nxt()
local expiry = nxt()
local at = nxt()
local citizen, dialog
if nxt() == '1' then citizen = take(6) end
if nxt() == '1' then dialog = take(6) end
local cases = list(16)
local statuses = list(4) -- case, to, at, from ('' for any)
local events = list(2)
local release = nxt()
local outs = list(7)
local channel = nxt()
local notices = list(1)
local urgent = list(1)
local assigns = list(4) -- case, user, at, if free ('1')
local transfers = list(4)
local videos = list(4)
local retypes = list(3) -- case, type, at
local refs = list(7) -- delivery, case, body, url, payload, NotBefore, created
local updates = list(4) -- case, region ('' keeps), phone ('' keeps), at
local audits = list(5) -- at, JSON, user, case, action

-- Checks, in the order the SQLite store meets them.
-- A key is taken while it is stored and its expiry (on the caller's
-- clock, in T.."ddx") is after the Change's time, as in the SQLite store;
-- the key's own PX only lets the server drop it once it is of no use.
if dedup ~= '' and redis.call('EXISTS', T .. 'dd:' .. dedup) == 1 then
  local exp = redis.call('ZSCORE', T .. 'ddx', dedup)
  if not exp or tonumber(exp) > tonumber(at) then return {'dup'} end
end
if dialog then
  local v = redis.call('HGET', T .. 'dlg:' .. dialog[1], 'v') or '0'
  if tonumber(v) ~= tonumber(dialog[2]) then return {'conflict'} end
end
local known = {}
-- The status and assignee of the cases this Change creates, which the
-- checks below must see as the SQLite store does (it inserts them first).
local status, assignee = {}, {}
for _, c in ipairs(cases) do
  if known[c[1]] or redis.call('EXISTS', T .. 'case:' .. c[1]) == 1 then return {'exists', c[1]} end
  known[c[1]] = true
  status[c[1]], assignee[c[1]] = c[2], c[14]
end
local function exists(id)
  if not known[id] then known[id] = redis.call('EXISTS', T .. 'case:' .. id) == 1 end
  return known[id]
end
-- A From is compared with the status as the Change has left it so far
-- (its new cases, its earlier status changes), as the SQLite store's
-- UPDATE … WHERE status = From sees it: status[] follows the Change.
for _, s in ipairs(statuses) do
  if not exists(s[1]) then return {'nocase', s[1], 'status'} end
  if status[s[1]] == nil then status[s[1]] = redis.call('HGET', T .. 'case:' .. s[1], 'status') end
  if s[4] ~= '' and status[s[1]] ~= s[4] then return {'moved', s[1], 'status'} end
  status[s[1]] = s[2]
end
for _, e in ipairs(events) do
  if not exists(e[1]) then return {'nocase', e[1], 'event'} end
end
for _, u in ipairs(urgent) do
  if not exists(u[1]) then return {'nocase', u[1], 'urgency'} end
end
-- A claim (IfFree) is checked against the assignee before this Change's
-- transfers and assignments (for a case it creates, as created), as in
-- the SQLite store: neither a transfer nor another assignment of the same
-- Change frees a case for a claim. assignee[] is not updated here. A case
-- stored before assignees existed has no field: nobody's.
for _, a in ipairs(assigns) do
  if not exists(a[1]) then return {'nocase', a[1], 'assignment'} end
  if a[4] == '1' then
    local cur = assignee[a[1]] or redis.call('HGET', T .. 'case:' .. a[1], 'assignee') or ''
    if cur ~= '' and cur ~= a[2] then return {'moved', a[1], 'claim'} end
  end
end
for _, tr in ipairs(transfers) do
  if not exists(tr[1]) then return {'nocase', tr[1], 'transfer'} end
end
for _, v in ipairs(videos) do
  if not exists(v[1]) then return {'nocase', v[1], 'video'} end
end
for _, r in ipairs(retypes) do
  if not exists(r[1]) then return {'nocase', r[1], 'type'} end
end
for _, u in ipairs(updates) do
  if not exists(u[1]) then return {'nocase', u[1], 'update'} end
end
-- A delivery id is what the agency dedups by: never two alike, in this
-- Change or across the store (T.."rfd").
local deliveries = {}
for _, r in ipairs(refs) do
  if not exists(r[2]) then return {'nocase', r[2], 'referral'} end
  if deliveries[r[1]] or redis.call('HEXISTS', T .. 'rfd', r[1]) == 1 then return {'taken', r[1]} end
  deliveries[r[1]] = true
end

-- Writes.
if dedup ~= '' then
  if ttl > 0 then
    redis.call('SET', T .. 'dd:' .. dedup, reply, 'PX', ttl)
    redis.call('ZADD', T .. 'ddx', expiry, dedup)
  else
    -- An entry left by an earlier, expiring holder of the key would make
    -- Purge delete this one, which must hold for ever.
    redis.call('SET', T .. 'dd:' .. dedup, reply)
    redis.call('ZREM', T .. 'ddx', dedup)
  end
end
if citizen then
  redis.call('HSET', T .. 'cit:' .. citizen[1], 'c', citizen[2], 'i', citizen[3], 'u', citizen[4],
    'q', citizen[5], 's', citizen[6])
end
if dialog then
  redis.call('HSET', T .. 'dlg:' .. dialog[1], 'v', tonumber(dialog[2]) + 1, 'step', dialog[3],
    'draft', dialog[4], 'at', dialog[5])
  -- dialog[6] is the lifetime (ms, relative: see encodeChange), 0 for
  -- a dialog without a time, which never goes.
  if dialog[6] ~= '0' then
    redis.call('PEXPIRE', T .. 'dlg:' .. dialog[1], dialog[6])
    redis.call('ZADD', T .. 'dlgx', dialog[5], dialog[1])
  else
    redis.call('PERSIST', T .. 'dlg:' .. dialog[1])
    redis.call('ZREM', T .. 'dlgx', dialog[1])
  end
end
local fields = {'id', 'status', 'type', 'urgent', 'region', 'body', 'rule', 'summary', 'story',
  'openid', 'phone', 'created', 'updated', 'assignee', 'video_at', 'video_url'}
for _, c in ipairs(cases) do
  local args = {}
  for j, f in ipairs(fields) do
    args[#args + 1] = f
    args[#args + 1] = c[j]
  end
  redis.call('HSET', T .. 'case:' .. c[1], unpack(args))
  local id, created = c[1], c[12]
  redis.call('ZADD', T .. 'cx', created, id)
  redis.call('ZADD', T .. 'cx:o:' .. c[10], created, id)
  redis.call('ZADD', T .. 'cx:s:' .. c[2], created, id)
  redis.call('ZADD', T .. 'cx:t:' .. c[3], created, id)
  redis.call('ZADD', T .. 'cx:r:' .. c[5], created, id)
  redis.call('ZADD', T .. 'cx:b:' .. c[6], created, id)
  if c[14] ~= '' then redis.call('ZADD', T .. 'cx:a:' .. c[14], created, id) end
end
for _, s in ipairs(statuses) do
  local k = T .. 'case:' .. s[1]
  local f = redis.call('HMGET', k, 'status', 'created')
  redis.call('ZREM', T .. 'cx:s:' .. f[1], s[1])
  redis.call('ZADD', T .. 'cx:s:' .. s[2], f[2], s[1])
  redis.call('HSET', k, 'status', s[2], 'updated', s[3])
end
for _, u in ipairs(urgent) do redis.call('HSET', T .. 'case:' .. u[1], 'urgent', '1') end
-- Transfers before assignments, as in the SQLite store: a transfer leaves
-- the case nobody's (its assignee was of the old body), and an assignment
-- in the same Change then gives it to someone of the new body.
for _, tr in ipairs(transfers) do
  local k = T .. 'case:' .. tr[1]
  local f = redis.call('HMGET', k, 'body', 'assignee', 'created')
  redis.call('ZREM', T .. 'cx:b:' .. f[1], tr[1])
  redis.call('ZADD', T .. 'cx:b:' .. tr[2], f[3], tr[1])
  if f[2] and f[2] ~= '' then redis.call('ZREM', T .. 'cx:a:' .. f[2], tr[1]) end
  redis.call('HSET', k, 'body', tr[2], 'rule', tr[3], 'assignee', '', 'updated', tr[4])
end
-- A case is in the index of its current assignee only; nobody's cases
-- ('') have no index. A case stored before assignees existed has no field.
for _, a in ipairs(assigns) do
  local k = T .. 'case:' .. a[1]
  local f = redis.call('HMGET', k, 'assignee', 'created')
  if f[1] and f[1] ~= '' then redis.call('ZREM', T .. 'cx:a:' .. f[1], a[1]) end
  if a[2] ~= '' then redis.call('ZADD', T .. 'cx:a:' .. a[2], f[2], a[1]) end
  redis.call('HSET', k, 'assignee', a[2], 'updated', a[3])
end
-- A cancelled video comes with start 0 and no link (encodeChange).
for _, v in ipairs(videos) do
  redis.call('HSET', T .. 'case:' .. v[1], 'video_at', v[2], 'video_url', v[3], 'updated', v[4])
end
-- A type correction moves the case between the type indexes.
for _, r in ipairs(retypes) do
  local k = T .. 'case:' .. r[1]
  local f = redis.call('HMGET', k, 'type', 'created')
  redis.call('ZREM', T .. 'cx:t:' .. f[1], r[1])
  redis.call('ZADD', T .. 'cx:t:' .. r[2], f[2], r[1])
  redis.call('HSET', k, 'type', r[2], 'updated', r[3])
end
-- Region and phone where given; updated never goes back (as in SQLite).
for _, u in ipairs(updates) do
  local k = T .. 'case:' .. u[1]
  local f = redis.call('HMGET', k, 'region', 'created', 'updated')
  if u[2] ~= '' and u[2] ~= f[1] then
    redis.call('ZREM', T .. 'cx:r:' .. (f[1] or ''), u[1])
    redis.call('ZADD', T .. 'cx:r:' .. u[2], f[2], u[1])
    redis.call('HSET', k, 'region', u[2])
  end
  if u[3] ~= '' then redis.call('HSET', k, 'phone', u[3]) end
  if tonumber(u[4]) > tonumber(f[3] or '0') then redis.call('HSET', k, 'updated', u[4]) end
end
for _, e in ipairs(events) do
  local id = redis.call('INCR', KEYS[1])
  redis.call('RPUSH', T .. 'ev:' .. e[1], id .. ' ' .. e[2])
end
-- Released before the new items are queued: both end up pending, and the
-- held ones, being older, still go out first.
if release ~= '' then
  for _, id in ipairs(redis.call('LRANGE', T .. 'obo:' .. release, 0, -1)) do
    local k = T .. 'ob:' .. id
    if redis.call('HGET', k, 'state') == 'held' then redis.call('HSET', k, 'state', 'pending') end
  end
  due(T, release)
end
-- New items are untried and the newest: each goes at the end of its
-- citizen's open list, which keeps the order due.lua describes. The due
-- set is brought up to date once per citizen, after all of them.
local queued = {}
for _, o in ipairs(outs) do
  local id = redis.call('INCR', T .. 'n:ob')
  redis.call('HSET', T .. 'ob:' .. id, 'openid', o[1], 'case', o[2], 'kind', o[3], 'text', o[4],
    'media', o[5], 'state', 'pending', 'att', 0, 'nb', o[6], 'lease', 0, 'err', '', 'via', '', 'at', o[7])
  redis.call('RPUSH', T .. 'obl', id)
  redis.call('RPUSH', T .. 'obl:' .. o[1], id)
  redis.call('RPUSH', T .. 'obo:' .. o[1], id)
  queued[o[1]] = true
end
for openid in pairs(queued) do due(T, openid) end
for _, r in ipairs(refs) do
  local id = redis.call('INCR', T .. 'n:rf')
  redis.call('HSET', T .. 'rf:' .. id, 'dlv', r[1], 'case', r[2], 'body', r[3], 'url', r[4], 'payload', r[5],
    'state', 'pending', 'att', 0, 'nb', r[6], 'lease', 0, 'err', '', 'at', r[7], 'done', 0)
  redis.call('HSET', T .. 'rfd', r[1], id)
  redis.call('ZADD', T .. 'rfx', id, id)
  redis.call('ZADD', T .. 'rfx:c:' .. r[2], id, id)
  redis.call('ZADD', T .. 'rfx:b:' .. r[3], id, id)
  redis.call('ZADD', T .. 'rfx:s:pending', id, id)
  redis.call('ZADD', T .. 'rfq', r[6], id)
end
for _, a in ipairs(audits) do audit(T, a[1], a[2], a[3], a[4], a[5]) end
for _, note in ipairs(notices) do redis.call('PUBLISH', channel, note[1]) end
return {'ok'}
