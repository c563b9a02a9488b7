-- run_store.lua (SCRIPT_RUN_STORE): match.run: stage a chunk of proposals and unmatched mentees.
-- ARGV: prefix run program now nprops (mentee coach score explain)*nprops (unmatched-mentee reason)...
-- The proposals are written as match hashes under their final keys and in the program's and
-- the run's indexes, but the run is staged (run_lock.lua), so no reader shows them and no one
-- can review them (match.lua's visible()); their ids wait in stage:proposed:<run> and the
-- unmatched mentees in stage:wait:<run> for the switch, run_publish.lua.  Each unmatched
-- mentee is also kept with its reason in unmatched:<run> ("<reason>:<mentee>", run.unmatched).
-- Answers {'ok', us}: us is the script's own run time in microseconds (Redis' TIME), by which
-- runs.c sizes the next chunk.
--! uses: keys common msort match
local t0 = redis.call('TIME')
local run, prog, now, np = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('GET', K.lock_run..prog) ~= run then return {'conflict', 'run '..run..' lost its lock'} end
local ps = {}
for i = 0, np - 1 do
  local b = 6 + 4 * i
  ps[#ps+1] = {ARGV[b], ARGV[b+1], ARGV[b+2], ARGV[b+3]}
end
local ids = newmatches(prog, run, 'proposed', now, ps)
if #ids > 0 then redis.call('SADD', K.stage_proposed..run, unpack(ids)) end
local ms, rs = {}, {}
for i = 6 + 4 * np, #ARGV - 1, 2 do
  ms[#ms+1] = ARGV[i]
  rs[#rs+1] = 0
  rs[#rs+1] = ARGV[i+1]..':'..ARGV[i]
end
if #ms > 0 then
  redis.call('SADD', K.stage_wait..run, unpack(ms))
  redis.call('ZADD', K.run_unmatched..run, unpack(rs))
end
return {'ok', us_since(t0)}
