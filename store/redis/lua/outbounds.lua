-- Outbounds. KEYS[1] is a list of outbound ids (everyone's or one
-- citizen's), oldest first; ARGV[1] is T. One script, so listing costs
-- one round trip however many items there are.
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  out[#out + 1] = item(ARGV[1], id)
end
return out
