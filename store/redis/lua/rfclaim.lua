-- ClaimReferrals. KEYS[1] is the due set; ARGV: T, now, lease end (ms), max.
-- The due set holds the pending referrals by when they may be claimed, so
-- the due ones are one range query away, most overdue first. A claim
-- moves the score to the lease end: if the sender dies, the referral is
-- due again then, to any instance, with Attempts counting the new try.
local T, now, lease = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local k = T .. 'rf:' .. id
  if redis.call('HGET', k, 'state') == 'pending' then
    redis.call('HINCRBY', k, 'att', 1)
    redis.call('HSET', k, 'lease', lease)
    redis.call('ZADD', KEYS[1], lease, id)
    out[#out + 1] = rfitem(T, id)
  else
    redis.call('ZREM', KEYS[1], id) -- cannot happen while the scripts keep the set in step
  end
end
return out
