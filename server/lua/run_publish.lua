-- run_publish.lua (SCRIPT_RUN_PUBLISH): match.run, last step of a run that stored everything: the switch.
-- ARGV: prefix run program stats now -> ok nproposed nwaitlisted
-- One script, so that no reader ever sees a run half-stored: the run's staged proposals become
-- the program's `proposed` matches (the run loses `staged`: match.lua's visible(), and
-- stage:proposed:<run> becomes proposed:<program>), the program's unreviewed proposals of
-- earlier runs are cancelled, each mentee the run left unmatched gets one more waitlist count,
-- and the run is done, published, its lock released.  The new proposals cost O(1) here (they
-- were indexed while staged); superseded proposals and unmatched mentees one command each.
--! uses: keys common
local run, prog, now = ARGV[2], ARGV[3], ARGV[5]
if redis.call('GET', K.lock_run..prog) ~= run then return {'conflict', 'run '..run..' lost its lock'} end
local pset = K.proposed..prog
for _, id in ipairs(redis.call('SMEMBERS', pset)) do
  if redis.call('HGET', K.match..id, 'status') == 'proposed' then redis.call('HSET', K.match..id, 'status', 'cancelled', 'updated_at', now) end
end
redis.call('DEL', pset)
local np = redis.call('SCARD', K.stage_proposed..run)
if np > 0 then redis.call('RENAME', K.stage_proposed..run, pset) end
local waits = redis.call('SMEMBERS', K.stage_wait..run)
for _, m in ipairs(waits) do redis.call('HINCRBY', K.wait..prog, m, 1) end
redis.call('DEL', K.stage_wait..run)
redis.call('HDEL', K.run..run, 'staged')
redis.call('SREM', K.runs_staged, run)
redis.call('HSET', K.run..run, 'status', 'done', 'stats', ARGV[4], 'finished_at', now, 'published_at', now)
redis.call('DEL', K.lock_run..prog)
audit('ev', 'run.done', 'run', run, 'program', prog, 'status', 'done')
return {'ok', np, #waits}
