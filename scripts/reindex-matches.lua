-- reindex-matches.lua: one-off upgrade to sorted match lists (docs/operations.md,
-- "Upgrading: sorted match lists").  Adds every stored match to the indexes
-- that server/lua/match.lua keeps since then: sort:match:<order>:<scope> and
-- idx:match:mentee:<id> / idx:match:coach:<id>, and the name key `sk` of every
-- profile, and count:match (matches by status, /metrics) computed anew.
-- The members are built exactly as msort.lua's sortmember() does
-- (tests/integration/test_match_list.py checks that the two agree).
-- Run once, while coachnetd is stopped (it blocks Redis for the scan):
--   redis-cli --eval scripts/reindex-matches.lua , cn:
-- Answers the number of matches indexed; running it again changes nothing.
local p = ARGV[1]
local NAMEKEY = 48
local function namekey(name) return string.lower(string.sub(name or '', 1, NAMEKEY)) end
local sk = {}
local function sortname(kind, id)
  local k = kind..':'..id
  if sk[k] == nil then
    local h = redis.call('HMGET', p..k, 'sk', 'p')
    if h[1] then sk[k] = h[1]
    elseif h[2] then sk[k] = namekey(cmsgpack.unpack(h[2]).name) redis.call('HSET', p..k, 'sk', sk[k])
    else sk[k] = '' end
  end
  return sk[k] end
local n, c = 0, '0'
redis.call('DEL', p..'count:match')
repeat
  local r = redis.call('SCAN', c, 'MATCH', p..'match:*', 'COUNT', 1000)
  c = r[1]
  for _, key in ipairs(r[2]) do
    local m = redis.call('HMGET', key, 'id', 'program', 'run_id', 'score', 'updated_at', 'mentee_id', 'coach_id', 'status')
    if m[1] and m[2] then
      if m[8] then redis.call('HINCRBY', p..'count:match', m[8], 1) end
      local s = '\1'..string.format('%012d', tonumber(string.sub(m[1], 2)))
      local seqn = tonumber(string.sub(m[1], 2))
      local members = {
        score = string.format('%05d', 99999 - tonumber(m[4])) .. s,
        updated_at = string.format('%013d', 9999999999999 - tonumber(m[5])) .. s,
        mentee_name = sortname('mentee', m[6]) .. s,
        coach_name = sortname('coach', m[7]) .. s }
      local scopes = {'prog:'..m[2]}
      if m[3] and m[3] ~= '' then scopes[2] = 'run:'..m[3] end
      for o, mem in pairs(members) do
        for _, sc in ipairs(scopes) do redis.call('ZADD', p..'sort:match:'..o..':'..sc, 0, mem) end
      end
      redis.call('ZADD', p..'idx:match:mentee:'..m[6], seqn, m[1])
      redis.call('ZADD', p..'idx:match:coach:'..m[7], seqn, m[1])
      n = n + 1
    end
  end
until c == '0'
return n
