-- Anonymize. KEYS[1] is the case; ARGV: T, case id, the mark (ms, not 0),
-- the audit entry's time (ms), JSON, user and action, then the LastError
-- of items that will not be sent. Checks first, then clears everything of
-- the case in the transaction slot and appends the audit entry. The media
-- files live outside the slot: their ids go to T.."mdel", which the
-- caller empties (and retries, should it die first).
local T, id, mark = ARGV[1], ARGV[2], ARGV[3]
local k = KEYS[1]
local f = redis.call('HMGET', k, 'status', 'openid', 'anon')
if not f[1] then return 'nocase' end
if f[1] ~= 'resolved' and f[1] ~= 'unresolved' and f[1] ~= 'withdrawn' then return 'open' end
if f[3] and f[3] ~= '0' then return 'done' end
local openid = f[2] or ''
local media = {}

-- The thread: every event's text and media id but a rating's (its score)
-- and a type correction's (two codes).
local evk = T .. 'ev:' .. id
for i, it in ipairs(redis.call('LRANGE', evk, 0, -1)) do
  local sp = string.find(it, ' ', 1, true)
  local e = cjson.decode(string.sub(it, sp + 1))
  if e.kind ~= 'rating' and e.kind ~= 'retyped' and (e.text ~= nil or e.media ~= nil) then
    if e.media and e.media ~= '' then media[#media + 1] = e.media end
    e.text, e.media = nil, nil
    redis.call('LSET', evk, i - 1, string.sub(it, 1, sp) .. cjson.encode(e))
  end
end

-- The case's outbound items leave the citizen's lists; those still to be
-- sent fail.
if openid ~= '' then
  local all, open = T .. 'obl:' .. openid, T .. 'obo:' .. openid
  for _, oid in ipairs(redis.call('LRANGE', all, 0, -1)) do
    local ok = T .. 'ob:' .. oid
    local g = redis.call('HMGET', ok, 'case', 'kind', 'media', 'state')
    if g[1] == id then
      if g[2] == 'fetch_media' and g[3] and g[3] ~= '' then media[#media + 1] = g[3] end
      if g[4] == 'pending' or g[4] == 'held' then
        redis.call('HSET', ok, 'state', 'failed', 'err', ARGV[8])
        redis.call('LREM', open, 1, oid)
      end
      redis.call('HSET', ok, 'text', '', 'media', '', 'openid', '', 'lease', 0)
      redis.call('LREM', all, 1, oid)
    end
  end
  due(T, openid)
  redis.call('ZREM', T .. 'cx:o:' .. openid, id)
end

-- A referral still to be sent has lost its payload: it fails, visibly,
-- rather than go out empty.
for _, rid in ipairs(redis.call('ZRANGE', T .. 'rfx:c:' .. id, 0, -1)) do
  local rk = T .. 'rf:' .. rid
  redis.call('HSET', rk, 'payload', '')
  local was = redis.call('HGET', rk, 'state')
  if was == 'pending' then
    redis.call('HSET', rk, 'state', 'failed', 'lease', 0, 'err', ARGV[8])
    rfmoved(T, rid, was, 'failed')
  end
end
redis.call('HSET', k, 'story', '', 'summary', '', 'openid', '', 'phone', '', 'video_url', '', 'anon', mark)
for _, m in ipairs(redis.call('SMEMBERS', T .. 'mx:' .. id)) do media[#media + 1] = m end
redis.call('DEL', T .. 'mx:' .. id)
for _, m in ipairs(media) do redis.call('SADD', T .. 'mdel', m) end
audit(T, ARGV[4], ARGV[5], ARGV[6], id, ARGV[7])
return 'ok'
