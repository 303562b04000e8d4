-- FinishItem. KEYS[1] is the item; ARGV: T, id, state, NotBefore ms ('' 
-- keeps it), error ('' keeps it), via ('' keeps it), done ms ('' for
-- none). Ends the lease, so a retry is due at its NotBefore, and keeps
-- the indexes in step with the new state (qmoved).
local T, id, state = ARGV[1], ARGV[2], ARGV[3]
local k = KEYS[1]
local was = redis.call('HGET', k, 'state')
if not was then return 0 end
redis.call('HSET', k, 'state', state, 'lease', 0)
if ARGV[4] ~= '' then redis.call('HSET', k, 'nb', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', k, 'err', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', k, 'via', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', k, 'done', ARGV[7]) end
qmoved(T, id, was, state)
return 1
