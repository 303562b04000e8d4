-- Anonymize. KEYS[1] is the case; ARGV: T, case id, the mark (ms, not 0),
-- the audit entry's time (ms), JSON, user and action, then the LastError
-- of items that will not be sent. Checks first, then clears everything of
-- the case in the transaction slot and appends the audit entry. The media
-- files live outside the slot: their ids go to T.."mdel", which the
-- caller empties (and retries, should it die first). ARGV[9…] are the
-- search index's bigrams of the case's text, which it leaves; a bigram
-- missed (a message that came in meanwhile) finds nothing, since a search
-- checks the text itself, which is gone.
local T, id, mark = ARGV[1], ARGV[2], ARGV[3]
local k = KEYS[1]
local f = redis.call('HMGET', k, 'status', 'openid', 'anon', 'phone')
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

-- The case's queue items lose their text, media, payload and the
-- citizen's ordering key (it names them), and leave the key's listing;
-- those still to be sent fail, visibly, rather than go out empty.
local keys = {}
for _, qid in ipairs(redis.call('ZRANGE', T .. 'qx:c:' .. id, 0, -1)) do
  local qk = T .. 'q:' .. qid
  local g = redis.call('HMGET', qk, 'kind', 'media', 'state', 'key', 'lane')
  if g[1] == 'fetch_media' and g[2] and g[2] ~= '' then media[#media + 1] = g[2] end
  local was, key = g[3], g[4]
  if key ~= '' then
    redis.call('LREM', T .. 'qo:' .. key, 1, qid)
    redis.call('ZREM', T .. 'qx:k:' .. key, qid)
    keys[key] = g[5]
  end
  redis.call('HSET', qk, 'text', '', 'media', '', 'openid', '', 'payload', '', 'key', '', 'lease', 0)
  if was == 'pending' or was == 'held' then
    redis.call('HSET', qk, 'state', 'failed', 'err', ARGV[8])
    qmoved(T, qid, was, 'failed')
  end
end
for key, lane in pairs(keys) do qkeydue(T, lane, key) end
if openid ~= '' then redis.call('ZREM', T .. 'cx:o:' .. openid, id) end
for i = 9, #ARGV do redis.call('ZREM', T .. 'sg:' .. ARGV[i], id) end
if f[4] and f[4] ~= '' then redis.call('ZREM', T .. 'sp', string.reverse(f[4]) .. ' ' .. id) end
-- The other parties' personal data go with the claimant's; their ids,
-- roles and statuses stay for the statistics.
for _, pid in ipairs(redis.call('ZRANGE', T .. 'ptc:' .. id, 0, -1)) do
  local pk = T .. 'pty:' .. pid
  local po = redis.call('HGET', pk, 'openid')
  if po and po ~= '' then redis.call('ZREM', T .. 'pto:' .. po, pid) end
  redis.call('HSET', pk, 'name', '', 'phone', '', 'summary', '', 'openid', '', 'qr_ticket', '', 'qr_url', '')
end
redis.call('HSET', k, 'story', '', 'summary', '', 'openid', '', 'phone', '', 'video_url', '', 'anon', mark)
for _, m in ipairs(redis.call('SMEMBERS', T .. 'mx:' .. id)) do media[#media + 1] = m end
redis.call('DEL', T .. 'mx:' .. id)
for _, m in ipairs(media) do redis.call('SADD', T .. 'mdel', m) end
audit(T, ARGV[4], ARGV[5], ARGV[6], id, ARGV[7])
return 'ok'
