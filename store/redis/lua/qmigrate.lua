-- Moves the outbound queue and the webhook outbox of the layout before the
-- one queue (T.."ob:"…, T.."rf:"…: see keys.go) into the queue, every item
-- whatever its state, and deletes the old keys. KEYS[1] is T.."n:q", there
-- to route the script to the transaction slot; ARGV[1] is T. Returns how
-- many items it moved (0 when there was nothing left to move). One script:
-- a store is either before or after, never half-way.
--
-- Outbound items keep their ids when the queue has none yet (a template
-- message's client id is made of it, and the platform dedups by that);
-- referrals, and everything when the queue already had items, are
-- numbered after. A citizen's open list is copied in its order, which is
-- the queue's (queue.lua).
local T = ARGV[1]
local keep = redis.call('EXISTS', KEYS[1]) == 0
local moved = 0
local function hash(k)
  local r, t = redis.call('HGETALL', k), {}
  for i = 1, #r, 2 do t[r[i]] = r[i + 1] end
  return t
end
local function index(id, lane, state, case, body, key)
  redis.call('ZADD', T .. 'qx', id, id)
  redis.call('ZADD', T .. 'qx:l:' .. lane, id, id)
  redis.call('ZADD', T .. 'qx:s:' .. state, id, id)
  if case ~= '' then redis.call('ZADD', T .. 'qx:c:' .. case, id, id) end
  if body ~= '' then redis.call('ZADD', T .. 'qx:b:' .. body, id, id) end
  if key ~= '' then redis.call('ZADD', T .. 'qx:k:' .. key, id, id) end
end

local renamed, citizens, old = {}, {}, {}
local top = 0
for _, id in ipairs(redis.call('LRANGE', T .. 'obl', 0, -1)) do
  local f = hash(T .. 'ob:' .. id)
  local nid = id
  if keep then
    if tonumber(id) > top then top = tonumber(id) end
  else
    nid = tostring(redis.call('INCR', KEYS[1]))
  end
  renamed[id] = nid
  local openid = f.openid or ''
  local key = ''
  if openid ~= '' then
    key = 'om:' .. openid
    citizens[openid] = true
  end
  redis.call('HSET', T .. 'q:' .. nid, 'kind', f.kind or '', 'lane', 'wechat', 'key', key, 'case', f.case or '',
    'openid', openid, 'text', f.text or '', 'media', f.media or '', 'dlv', '', 'body', '', 'url', '', 'payload', '',
    'state', f.state, 'att', f.att or 0, 'nb', f.nb or 0, 'lease', f.lease or 0, 'err', f.err or '',
    'via', f.via or '', 'at', f.at or 0, 'done', 0)
  index(nid, 'wechat', f.state, f.case or '', '', key)
  old[#old + 1] = T .. 'ob:' .. id
  moved = moved + 1
end
if keep and top > 0 then redis.call('SET', KEYS[1], top) end
for openid in pairs(citizens) do
  local key = 'om:' .. openid
  for _, id in ipairs(redis.call('LRANGE', T .. 'obo:' .. openid, 0, -1)) do
    if renamed[id] then redis.call('RPUSH', T .. 'qo:' .. key, renamed[id]) end
  end
  old[#old + 1] = T .. 'obo:' .. openid
  old[#old + 1] = T .. 'obl:' .. openid
  qkeydue(T, 'wechat', key)
end

for _, id in ipairs(redis.call('ZRANGE', T .. 'rfx', 0, -1)) do
  local f = hash(T .. 'rf:' .. id)
  local nid = tostring(redis.call('INCR', KEYS[1]))
  redis.call('HSET', T .. 'q:' .. nid, 'kind', 'referral', 'lane', 'webhook', 'key', '', 'case', f.case or '',
    'openid', '', 'text', '', 'media', '', 'dlv', f.dlv or '', 'body', f.body or '', 'url', f.url or '',
    'payload', f.payload or '', 'state', f.state, 'att', f.att or 0, 'nb', f.nb or 0, 'lease', f.lease or 0,
    'err', f.err or '', 'via', '', 'at', f.at or 0, 'done', f.done or 0)
  index(nid, 'webhook', f.state, f.case or '', f.body or '', '')
  if f.dlv and f.dlv ~= '' then redis.call('HSET', T .. 'qdl', f.dlv, nid) end
  if f.state == 'pending' then
    local at = f.nb or '0'
    if tonumber(f.lease or 0) > tonumber(at) then at = f.lease end
    redis.call('ZADD', T .. 'qd:webhook', at, 'i:' .. nid)
  end
  old[#old + 1] = T .. 'rf:' .. id
  old[#old + 1] = T .. 'rfx:c:' .. (f.case or '')
  old[#old + 1] = T .. 'rfx:b:' .. (f.body or '')
  old[#old + 1] = T .. 'rfx:s:' .. f.state
  moved = moved + 1
end

for _, k in ipairs({'obl', 'obd', 'n:ob', 'rfx', 'rfq', 'rfd', 'n:rf'}) do old[#old + 1] = T .. k end
for _, k in ipairs(old) do redis.call('DEL', k) end
return moved
