-- suggest_ctx.lua (SCRIPT_SUGGEST_CTX): match.suggest / match.explain: the mentee and the pair rules.
-- ARGV: prefix mentee coach(optional) -> ok mentee_blob program forbidden-coach-ids-csv coach_blob coach_load
--! uses: keys common
--! db: suggest_ctx(mentee_id, coach_id) -> pair
local h = redis.call('HMGET', K.mentee..ARGV[2], 'p', 'program')
if not h[1] then return {'not_found', 'no mentee '..ARGV[2], 'mentee_id'} end
local forb = {}
for _, pr in ipairs(redis.call('SMEMBERS', K.forbid..h[2])) do
  local a, b = string.match(pr, '^(%S+) (%S+)$')
  if a == ARGV[2] then forb[#forb+1] = b end
end
local cb, cl = '', 0
if ARGV[3] ~= '' then
  cb = redis.call('HGET', K.coach..ARGV[3], 'p')
  if not cb then return {'not_found', 'no coach '..ARGV[3], 'coach_id'} end
  cl = tonumber(redis.call('GET', K.load..ARGV[3]) or '0')
end
return {'ok', h[1], h[2], table.concat(forb, ','), cb, cl}
