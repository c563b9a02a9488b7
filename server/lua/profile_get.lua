-- profile_get.lua (SCRIPT_PROFILE_GET): coach.get: the profile and the coach's load.
-- ARGV: prefix kind id -> ok blob version program(s) load
--! uses: keys common
--! db: profile_get(kind, id) -> profile
local h = redis.call('HMGET', K[ARGV[2]]..ARGV[3], 'p', 'v', 'program')
if not h[1] then return {'not_found', 'no '..ARGV[2]..' '..ARGV[3]} end
return {'ok', h[1], tonumber(h[2]), h[3] or '', tonumber(redis.call('GET', K.load..ARGV[3]) or '0')}
