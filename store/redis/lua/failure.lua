-- Failure. KEYS[1] is the key's zset of failed logins (member: unique per
-- failure, score: when, ms); ARGV: now (ms), the window's start (ms, not
-- itself in the window), the window (ms), the new member. Trimming,
-- recording and counting in one script make concurrent failures each see
-- their own count. The count is of everything after start, a failure
-- recorded a moment "later" included: parallel attempts read their now
-- each, and one whose clock read earlier must still count the others', or
-- a reservation made before a password check could be passed by many.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
-- Once a window has passed without a failure nothing in the key counts:
-- let the server drop it.
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')
