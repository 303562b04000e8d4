-- RetryItem. KEYS[1] is the item; ARGV: T, id, now ms. Only a failed item
-- goes back to pending (0: unknown, -1: not failed), due now, with its
-- attempts counted afresh: untried again, it takes its place among its
-- key's untried items by id.
local T, id = ARGV[1], ARGV[2]
local k = KEYS[1]
local was = redis.call('HGET', k, 'state')
if not was then return 0 end
if was ~= 'failed' then return -1 end
redis.call('HSET', k, 'state', 'pending', 'att', 0, 'nb', ARGV[3], 'lease', 0)
qmoved(T, id, was, 'pending')
return 1
