-- run_store.lua (SCRIPT_RUN_STORE): match.run: store a chunk of proposals.
-- ARGV: prefix run program now first nprops (mentee coach score explain)*nprops unmatched-mentee...
-- The first chunk supersedes the program's earlier unreviewed proposals.
--! uses: keys common match
local run, prog, now, first, np = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', tonumber(ARGV[6])
if redis.call('GET', K.lock_run..prog) ~= run then return {'conflict', 'run '..run..' lost its lock'} end
local pset = K.proposed..prog
if first then
  for _, id in ipairs(redis.call('SMEMBERS', pset)) do
    local st = redis.call('HGET', K.match..id, 'status')
    if st == 'proposed' then redis.call('HSET', K.match..id, 'status', 'cancelled', 'updated_at', now) end
  end
  redis.call('DEL', pset)
end
for i = 0, np - 1 do
  local b = 7 + 4 * i
  local id = newmatch(prog, ARGV[b], ARGV[b+1], 'proposed', ARGV[b+2], run, ARGV[b+3], now)
  redis.call('SADD', pset, id)
end
for i = 7 + 4 * np, #ARGV do redis.call('HINCRBY', K.wait..prog, ARGV[i], 1) end
return {'ok'}
