-- msort.lua: match.list's sort indexes, a prelude after common.lua for the
-- scripts that create, change, rename or delete matches (match.lua's
-- newmatch and setstatus use it, and so do profile_put.lua's renames and
-- run.lua's switch and the sweep without the rest of match.lua, which
-- costs every script that includes it its definitions on every call).
--
--   sort indexes (match.list's `sort`, design.md "Sorted match lists"): for
--                 each scope of a match (prog:<program>, and run:<run> when it has
--                 a run) and each order of SORTS, the zset sort:match:<order>:<scope>
--                 of score 0, whose members sort byte-wise (ZRANGEBYLEX) in the
--                 order's sequence: a key (score descending, updated_at
--                 descending, or the first NAMEKEY bytes of the lowercased
--                 name), byte 1, the match's 12-digit sequence number (ties in
--                 creation order).  Matches are also indexed per person in
--                 idx:match:mentee:<id> and idx:match:coach:<id> (by sequence),
--                 which match.list's mentee_id/coach_id filters and a rename
--                 (profile_put.lua) read.  Kept by newmatch, setstatus/stamp
--                 (updated_at), rename and unindex (the sweep's deletions).
--   sortname(kind, id)   a profile's name key (its hash's `sk`, written by
--                 profile_put.lua; computed from `p` for a profile written before)
--   sortmember(order, m) m's member in the order's zsets (m: id, score, updated_at,
--                 mentee_id, coach_id)
--   stamp(m, now)  updated_at := now in the hash and the updated_at zsets
--   rename(kind, id, old, new)  move the person's matches in the name zsets
--   unindex(id)    drop match id from every index (before it is deleted)
--   count(st, d)   count:match[st] += d: matches by status, every program,
--                 for /metrics (mxpoll.c); kept by newmatch, setstatus, run.lua's
--                 switch and unindex, so every status change goes through them
--! prelude
local function count(st, d) if st and st ~= '' then redis.call('HINCRBY', K.count_match, st, d) end end
local SORTS = {'score', 'updated_at', 'mentee_name', 'coach_name'}
local NAMEKEY = 48  -- bytes of a name that sort by name compares
local function namekey(name) return string.lower(string.sub(name or '', 1, NAMEKEY)) end
local sncache = {mentee={}, coach={}}
local function sortname(kind, id)
  local c = sncache[kind]
  if c[id] == nil then
    local h = redis.call('HMGET', K[kind]..id, 'sk', 'p')
    c[id] = h[1] or (h[2] and namekey(cmsgpack.unpack(h[2]).name)) or ''
  end
  return c[id] end
local function sortmember(order, m)
  local s = '\1'..string.format('%012d', tonumber(string.sub(m.id, 2)))
  if order == 'score' then return string.format('%05d', 99999 - tonumber(m.score))..s
  elseif order == 'updated_at' then return string.format('%013d', 9999999999999 - tonumber(m.updated_at))..s
  elseif order == 'mentee_name' then return sortname('mentee', m.mentee_id)..s end
  return sortname('coach', m.coach_id)..s end
local function sortscopes(m)
  if m.run_id and m.run_id ~= '' then return {'prog:'..m.program, 'run:'..m.run_id} end
  return {'prog:'..m.program} end
local function sorteach(m, orders, fn)
  for _, o in ipairs(orders) do
    local mem = sortmember(o, m)
    for _, sc in ipairs(sortscopes(m)) do fn(K.sort_match..o..':'..sc, mem) end
  end end
local function sortput(m, orders, add)
  sorteach(m, orders, function(key, mem)
    if add then redis.call('ZADD', key, 0, mem) else redis.call('ZREM', key, mem) end end) end
local UPD = {'updated_at'}
local function stamp(m, now)
  sortput(m, UPD, false) m.updated_at = now sortput(m, UPD, true)
  redis.call('HSET', K.match..m.id, 'updated_at', now) end
local function rename(kind, id, old, new)
  if old == new then return end
  local o = kind..'_name'
  for _, mid in ipairs(redis.call('ZRANGE', K['idx_match_'..kind]..id, 0, -1)) do
    local h = redis.call('HMGET', K.match..mid, 'program', 'run_id', 'mentee_id', 'coach_id')
    if h[1] then
      local m = {id=mid, program=h[1], run_id=h[2], mentee_id=h[3], coach_id=h[4]}
      sncache[kind][id] = old sortput(m, {o}, false)
      sncache[kind][id] = new sortput(m, {o}, true)
    end
  end end
local function unindex(id)
  local h = redis.call('HMGET', K.match..id, 'program', 'run_id', 'score', 'updated_at', 'mentee_id', 'coach_id', 'status')
  if not h[1] then return end
  count(h[7], -1)
  local m = {id=id, program=h[1], run_id=h[2], score=h[3], updated_at=h[4], mentee_id=h[5], coach_id=h[6]}
  sortput(m, SORTS, false)
  redis.call('ZREM', K.idx_match_mentee..m.mentee_id, id)
  redis.call('ZREM', K.idx_match_coach..m.coach_id, id) end
