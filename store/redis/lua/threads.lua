-- Threads. KEYS[1] is the event counter, there to route the script to the
-- transaction slot; ARGV: T, the number of kinds n, n event kinds (none:
-- every event), then case ids. Returns, for each id in order, the items of
-- its thread ("<id> <JSON>", oldest first) whose kind is one of the kinds.
-- A plain search for the kind's JSON ('"kind":"rating"') passes over most
-- items without decoding them (inside a text every quote is escaped, so it
-- cannot match there); an item it finds is decoded to make sure.
local T, n = ARGV[1], tonumber(ARGV[2])
local want, needles = {}, {}
for i = 3, 2 + n do
  want[ARGV[i]] = true
  needles[#needles + 1] = '"kind":' .. cjson.encode(ARGV[i])
end
local out = {}
for i = 3 + n, #ARGV do
  local items = redis.call('LRANGE', T .. 'ev:' .. ARGV[i], 0, -1)
  local kept = items
  if n > 0 then
    kept = {}
    for _, it in ipairs(items) do
      for _, needle in ipairs(needles) do
        if string.find(it, needle, 1, true) then
          local json = string.sub(it, string.find(it, ' ', 1, true) + 1)
          if want[cjson.decode(json).kind] then kept[#kept + 1] = it end
          break
        end
      end
    end
  end
  out[#out + 1] = kept
end
return out
