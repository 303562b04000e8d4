-- UseSubscription. KEYS[1] is the citizen's T.."sub:" hash; ARGV[1] the
-- template. Spends one use of a one-time consent; a long-term one stays.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local long, uses, rest = string.match(cur, '^(%d+) (%d+) (.*)$')
if long ~= '0' or tonumber(uses) <= 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], long .. ' ' .. (tonumber(uses) - 1) .. ' ' .. rest)
return 1
