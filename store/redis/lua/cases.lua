-- Cases. KEYS are case index zsets (score CreatedAt), all of which a case
-- must be in; ARGV: T, limit (0: none), updated since (ms; 0: any), checked
-- on the one field before the whole case is read; created from and before
-- (ms; 0: no bound); due by (ms; 0: any), a bound on the running deadline
-- (the zset T.."dl"); then a search (store/search.go): mode ('': none;
-- 'n': a number; 'w': words), the number and the phone digits reversed
-- (phone digits '': none), the body whose phones are searched, and the
-- words. For words, KEYS hold the words' bigram zsets (T.."sg:"..gram),
-- which give the candidates; each is then checked against its text, since
-- a case can hold a word's bigrams without the word.
--
-- Walks the smallest index newest first within the created range (ties:
-- higher id first, as ZREVRANGE orders equal scores by member
-- descending), keeps the ids found in every other index, and returns each
-- case as {field, value, …}, stopping at the limit. With a due-by bound,
-- when fewer deadlines are due than that index holds in the range (the
-- overdue list: a few among thousands of open cases), it starts from the
-- due deadlines instead and puts them in the same order.
local T, limit, since = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local from, before, dueby = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local mode, num, digits, phones = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local words = {}
for i = 11, #ARGV do words[#words + 1] = ARGV[i] end
local cmin, cmax = '-inf', '+inf'
if from > 0 then cmin = from end
if before > 0 then cmax = '(' .. before end
local best, size = 1, nil
for i, k in ipairs(KEYS) do
  local c = redis.call('ZCOUNT', k, cmin, cmax)
  if size == nil or c < size then best, size = i, c end
end
local dl = T .. 'dl'

-- said reports whether every word is in the case's story, summary or a
-- searchable event's text (store.Searchable), ASCII letters without case
-- (string.lower folds nothing else, as store.SearchRuns).
local function said(id)
  local f = redis.call('HMGET', T .. 'case:' .. id, 'story', 'summary')
  local texts = {string.lower(f[1] or ''), string.lower(f[2] or '')}
  local thread = false
  for _, w in ipairs(words) do
    local found = false
    for _, t in ipairs(texts) do
      if string.find(t, w, 1, true) then found = true break end
    end
    if not found and not thread then
      thread = true
      for _, it in ipairs(redis.call('LRANGE', T .. 'ev:' .. id, 0, -1)) do
        local e = cjson.decode(string.sub(it, string.find(it, ' ', 1, true) + 1))
        if e.text and (e.kind == 'message_in' or e.kind == 'note' or
            (e.kind == 'message_out' and e.actor ~= 'bot' and e.actor ~= 'system')) then
          texts[#texts + 1] = string.lower(e.text)
        end
      end
      for i = 3, #texts do
        if string.find(texts[i], w, 1, true) then found = true break end
      end
    end
    if not found then return false end
  end
  return true
end

-- keep reports whether id, found in KEYS[skip], passes every other test.
local function keep(id, skip)
  for i, k in ipairs(KEYS) do
    if i ~= skip and not redis.call('ZSCORE', k, id) then return false end
  end
  if since > 0 and tonumber(redis.call('HGET', T .. 'case:' .. id, 'updated')) < since then return false end
  if dueby > 0 and skip ~= 0 then
    local d = redis.call('ZSCORE', dl, id)
    if not d or tonumber(d) > dueby then return false end
  end
  if mode == 'w' and not said(id) then return false end
  return true
end

-- within reports whether a created time is in the range asked.
local function within(c)
  return (from == 0 or c >= from) and (before == 0 or c < before)
end

-- sorted returns found ({id, created}) newest first (ties: higher id
-- first), each as its case, up to the limit.
local function sorted(found)
  table.sort(found, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  local out = {}
  for _, f in ipairs(found) do
    out[#out + 1] = redis.call('HGETALL', T .. 'case:' .. f[1])
    if limit > 0 and #out >= limit then break end
  end
  return out
end

if mode == 'n' then
  -- The numbers that end with num (phone numbers: digits, in the body
  -- phones only), read by lex range, then the other tests (skip -1:
  -- every index, and the due bound).
  local found, seen = {}, {}
  local function consider(id)
    if seen[id] then return end
    seen[id] = true
    local c = redis.call('ZSCORE', T .. 'cx', id)
    if c and within(tonumber(c)) and keep(id, -1) then found[#found + 1] = {id, tonumber(c)} end
  end
  for _, r in ipairs(redis.call('ZRANGEBYLEX', T .. 'sn', '[' .. num, '[' .. num .. '\255')) do
    consider(string.reverse(r))
  end
  if digits ~= '' and phones ~= '' then
    for _, m in ipairs(redis.call('ZRANGEBYLEX', T .. 'sp', '[' .. digits, '[' .. digits .. '\255')) do
      local id = string.sub(m, string.find(m, ' ', 1, true) + 1)
      if redis.call('HGET', T .. 'case:' .. id, 'body') == phones then consider(id) end
    end
  end
  return sorted(found)
end

local out = {}
if dueby > 0 and redis.call('ZCOUNT', dl, '-inf', dueby) < size then
  -- From the due deadlines: each must be in every index (skip 0), within
  -- the created range (its score there), then in the walk's order.
  local found = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', dl, '-inf', dueby)) do
    local c = redis.call('ZSCORE', KEYS[1], id)
    if c and within(tonumber(c)) and keep(id, 0) then found[#found + 1] = {id, tonumber(c)} end
  end
  return sorted(found)
end

-- The walk goes by rank (ZREVRANGE), which costs no skipping: the range's
-- first rank is the count of the cases made at or after before.
local top = 0
if before > 0 then top = redis.call('ZCOUNT', KEYS[best], before, '+inf') end
local batch = 256
for start = top, top + size - 1, batch do
  for _, id in ipairs(redis.call('ZREVRANGE', KEYS[best], start, math.min(start + batch, top + size) - 1)) do
    if keep(id, best) then
      out[#out + 1] = redis.call('HGETALL', T .. 'case:' .. id)
      if limit > 0 and #out >= limit then return out end
    end
  end
end
return out
