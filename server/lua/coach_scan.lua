-- coach_scan.lua (SCRIPT_COACH_SCAN): one page of every coach with its load (the coach index of coachidx.c).
-- ARGV: prefix cursor count -> ok next-cursor blob load ...
--! uses: keys common
local start = ARGV[2] == '' and '-' or '('..ARGV[2]
local ids = redis.call('ZRANGEBYLEX', K.idx_coach, start, '+', 'LIMIT', 0, tonumber(ARGV[3]))
local out = {'ok', ''}
for _, id in ipairs(ids) do
  local b = redis.call('HGET', K.coach..id, 'p')
  if b then out[#out+1] = b out[#out+1] = tonumber(redis.call('GET', K.load..id) or '0') end
end
if #ids == tonumber(ARGV[3]) then out[2] = ids[#ids] end
return out
