-- profile_put.lua (SCRIPT_PROFILE_PUT): mentee.put / coach.put: versioned write and the indexes.
-- ARGV: prefix kind id blob if_version scope now programs(csv) province capacity by self
-- self is 1 when the subject writes its own profile: the coordinator-owned
-- fields (DESIGN §9) are then compared with the stored profile here, in the
-- same script as the write, and a change is `forbidden` naming the field.
--! uses: keys common msort
--! idempotent
--! db: profile_put(kind, id, blob:bytes, if_version:optint, scope, now, programs, province, capacity:int, by, self:int) -> version
local kind, id = ARGV[2], ARGV[3]
local k = K[kind]..id
local cur = redis.call('HMGET', k, 'v', 'program', 'province', 'sk')
local v = tonumber(cur[1] or '0')
local scope = ARGV[6]
if scope ~= '' and cur[1] then
  local old = cur[2] or ''
  if kind == 'coach' then
    if not meets(old, scope) then return {'forbidden', 'coach '..id..' is outside your programs'} end
  elseif not meets(old, scope) then return {'forbidden', 'mentee '..id..' is in program '..old..', outside your programs'} end
end
if scope ~= '' and kind == 'coach' then
  -- A coordinator acts inside its programs: a coach's membership of any
  -- other program (a new coach's included) stays as it is.
  local old = cur[1] and (cur[2] or '') or ''
  for _, x in ipairs(split(ARGV[8])) do
    if not has(scope, x) and not has(old, x) then
      return {'forbidden', 'program '..x..' is outside your programs: it is not yours to add coach '..id..' to', 'profile.programs'} end
  end
  for _, x in ipairs(split(old)) do
    if not has(scope, x) and not has(ARGV[8], x) then
      return {'forbidden', 'program '..x..' is outside your programs: it is not yours to remove coach '..id..' from', 'profile.programs'} end
  end
end
-- the version after the scope (methods.md, "Order of the checks"): a
-- coordinator learns nothing of another program's profile from it
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= v then return {'conflict', kind..' '..id..' is at version '..v..', not '..ARGV[5]} end
if ARGV[12] == '1' then
  -- A first profile would let its subject choose its program: the
  -- coordinator imports it.  Otherwise the owned fields must stay equal.
  local owned = kind == 'mentee' and 'program' or 'programs'
  if not cur[1] then return {'forbidden', 'no '..kind..' profile '..id..' yet: a coordinator of your program writes the first one', 'profile.'..owned} end
  local h = redis.call('HMGET', k, 'p', 'capacity')
  local old, new = cmsgpack.unpack(h[1]), cmsgpack.unpack(ARGV[4])
  local fields = kind == 'mentee' and {'program', 'position_class', 'agency'} or {'kind', 'rank'}
  for _, f in ipairs(fields) do
    if old[f] ~= new[f] then return {'forbidden', 'a '..kind..' may not change its own '..f..' (its coordinator does)', 'profile.'..f} end
  end
  if kind == 'coach' then
    local a, b = split(cur[2]), ARGV[8]
    local same = #a == #split(b)
    for _, x in ipairs(a) do same = same and has(b, x) end
    if not same then return {'forbidden', 'a coach may not change its own programs (its coordinator does)', 'profile.programs'} end
    local cap, want = tonumber(h[2] or '0'), tonumber(ARGV[10])
    if want > cap then return {'forbidden', 'a coach may lower its capacity, not raise it above '..cap, 'profile.capacity'} end
    local l = tonumber(redis.call('GET', K.load..id) or '0')
    if want < cap and want < l then return {'forbidden', 'capacity '..want..' is below the coach\'s '..l..' current matches', 'profile.capacity'} end
  end
end
local bad = no_program(ARGV[8], kind == 'coach' and 'profile.programs' or 'profile.program', kind == 'coach')
if bad then return bad end
v = v + 1
-- the name's sort key (match.lua's sort indexes): a renamed person's matches move
local sk = namekey(cmsgpack.unpack(ARGV[4]).name)
if cur[1] then rename(kind, id, cur[4] or sortname(kind, id), sk) end
redis.call('HSET', k, 'p', ARGV[4], 'v', v, 'program', ARGV[8], 'province', ARGV[9], 'updated_at', ARGV[7], 'sk', sk)
local idx = K['idx_'..kind]
redis.call('ZADD', idx, 0, id)
if cur[3] and cur[3] ~= ARGV[9] then redis.call('ZREM', K['idx_'..kind..'_prov']..cur[3], id) end
redis.call('ZADD', K['idx_'..kind..'_prov']..ARGV[9], 0, id)
if kind == 'mentee' then
  if cur[2] and cur[2] ~= ARGV[8] then redis.call('ZREM', K['idx_'..kind..'_prog']..cur[2], id) end
  redis.call('ZADD', K['idx_'..kind..'_prog']..ARGV[8], 0, id)
else
  redis.call('HSET', k, 'capacity', ARGV[10])
  local l = tonumber(redis.call('GET', K.load..id) or '0')
  event({'coach', id, ARGV[4], l})
end
if cur[1] then touch(cur[2] or '') end  -- runs' inputs: the old program(s) and the new
touch(ARGV[8])
audit('ev', kind..'.put', 'id', id, 'version', v, 'by', ARGV[11])
return {'ok', v}
