-- run_publish.lua (SCRIPT_RUN_PUBLISH): match.run, after the store of a run: the switch.
-- ARGV: prefix run program stats now -> ok nproposed nunmatched
-- One script, so that no reader ever sees a run half-stored: the run's staged proposals become
-- the program's `proposed` matches (the run loses `staged`: match.lua's visible(); and
-- stage:proposed:<run> becomes proposed:<program>) and the program's unreviewed proposals of
-- earlier runs are cancelled.  The new proposals cost O(1) here (they were indexed while
-- staged); each superseded proposal costs one HGET and one HSET.  The waitlist follows in
-- chunks, under the run's lock (run.lua's settle(), run_waitlist.lua), whose last chunk
-- writes the run's audit entry, run.done, as before.
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
redis.call('HDEL', K.run..run, 'staged')
redis.call('HSET', K.run..run, 'stats', ARGV[4], 'published_at', now)
return {'ok', np, redis.call('SCARD', K.stage_wait..run)}
