-- run_snapshot.lua (SCRIPT_RUN_SNAPSHOT): match.run: page through what the run needs.
-- ARGV: prefix what program cursor limit
--   what=mentees: ok next (blob waitlist)...   mentees of the program without a live match
--   what=coaches: ok next (blob load)...       coaches listing the program (DESIGN §9)
--   what=pairs:   ok npins (mentee coach)... (mentee coach)...  pins then forbidden pairs
--! uses: keys common
local what, prog, cur, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local start = cur == '' and '-' or '('..cur
if what == 'pairs' then
  local pins = redis.call('HGETALL', K.pin..prog)
  local out = {'ok', #pins / 2}
  for _, x in ipairs(pins) do out[#out+1] = x end
  for _, pr in ipairs(redis.call('SMEMBERS', K.forbid..prog)) do
    local a, b = string.match(pr, '^(%S+) (%S+)$')
    if a then out[#out+1] = a out[#out+1] = b end
  end
  return out
end
local idx = what == 'mentees' and K.idx_mentee_prog..prog or K.idx_coach
local ids = redis.call('ZRANGEBYLEX', idx, start, '+', 'LIMIT', 0, limit)
local out = {'ok', ''}
for _, id in ipairs(ids) do
  if what == 'mentees' then
    local h = redis.call('HMGET', K.mentee..id, 'p', 'match', 'program')
    if h[1] and not h[2] and h[3] == prog then out[#out+1] = h[1] out[#out+1] = tonumber(redis.call('HGET', K.wait..prog, id) or '0') end
  else
    local h = redis.call('HMGET', K.coach..id, 'p', 'program')
    if h[1] and has(h[2], prog) then out[#out+1] = h[1] out[#out+1] = tonumber(redis.call('GET', K.load..id) or '0') end
  end
end
if #ids == limit then out[2] = ids[#ids] end
return out
