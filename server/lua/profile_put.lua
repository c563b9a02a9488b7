-- profile_put.lua (SCRIPT_PROFILE_PUT): mentee.put / coach.put: versioned write and the indexes.
-- ARGV: prefix kind id blob if_version scope now programs(csv) province capacity by
--! uses: keys common
--! idempotent
--! db: profile_put(kind, id, blob:bytes, if_version:optint, scope, now, programs, province, capacity:int, by) -> version
local kind, id = ARGV[2], ARGV[3]
local k = K[kind]..id
local cur = redis.call('HMGET', k, 'v', 'program', 'province')
local v = tonumber(cur[1] or '0')
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= v then return {'conflict', kind..' '..id..' is at version '..v..', not '..ARGV[5]} end
local scope = ARGV[6]
if scope ~= '' and cur[1] then
  local old = cur[2] or ''
  if kind == 'coach' then
    if old ~= '' and not meets(old, scope) then return {'forbidden', 'coach '..id..' is outside your programs'} end
  elseif not meets(old, scope) then return {'forbidden', 'mentee '..id..' is in program '..old..', outside your programs'} end
end
v = v + 1
redis.call('HSET', k, 'p', ARGV[4], 'v', v, 'program', ARGV[8], 'province', ARGV[9], 'updated_at', ARGV[7])
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
audit('ev', kind..'.put', 'id', id, 'version', v, 'by', ARGV[11])
return {'ok', v}
