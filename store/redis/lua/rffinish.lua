-- FinishReferral. KEYS[1] is the referral; ARGV: T, id, state, NotBefore ms
-- ('' keeps it), error ('' keeps it), now ms. Ends the lease, so a retry
-- is due at its NotBefore; delivery stamps the time.
local T, id, state = ARGV[1], ARGV[2], ARGV[3]
local k = KEYS[1]
local was = redis.call('HGET', k, 'state')
if not was then return 0 end
redis.call('HSET', k, 'state', state, 'lease', 0)
if ARGV[4] ~= '' then redis.call('HSET', k, 'nb', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', k, 'err', ARGV[5]) end
if state == 'delivered' then redis.call('HSET', k, 'done', ARGV[6]) end
rfmoved(T, id, was, state)
return 1
