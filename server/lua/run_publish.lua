-- run_publish.lua (SCRIPT_RUN_PUBLISH): match.run, after the store of a run that is not a draft: the switch.
-- ARGV: prefix run program stats now -> ok nproposed nunmatched
-- One script, so that no reader ever sees a run half-stored: the run's staged proposals become
-- the program's `proposed` matches (run.lua's switch(): the run loses `staged`, match.lua's
-- visible(); and stage:proposed:<run> becomes proposed:<program>) and the program's unreviewed
-- proposals of earlier runs are cancelled; the run records its stats.  The waitlist follows in
-- chunks, under the run's lock (run.lua's settle(), run_waitlist.lua), whose last chunk
-- writes the run's audit entry, run.done, as before.
--! uses: keys common msort run
local run, prog, now = ARGV[2], ARGV[3], ARGV[5]
if redis.call('GET', K.lock_run..prog) ~= run then return {'conflict', 'run '..run..' lost its lock'} end
local np = switch(run, prog, now)
redis.call('HSET', K.run..run, 'stats', ARGV[4])
return {'ok', np, redis.call('SCARD', K.stage_wait..run)}
