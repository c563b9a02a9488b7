-- run_finish.lua (SCRIPT_RUN_FINISH): match.run, last step: status, stats, lock released.
-- (failed or cancelled; or done for a draft run, which stays staged for run.publish)
-- ARGV: prefix run program status stats now -> ok status (the status the record has now)
--! uses: keys common
local run, prog = ARGV[2], ARGV[3]
-- A published run is never ended failed or cancelled: its switch reached Redis although its
-- sender heard no confirmation (a WAIT short of replicas around a failover, DESIGN §13).  The
-- lock goes, and the sweep settles its waitlist and marks it done.
if ARGV[4] ~= 'done' and redis.call('HEXISTS', K.run..run, 'published_at') == 1 then
  if redis.call('GET', K.lock_run..prog) == run then redis.call('DEL', K.lock_run..prog) end
  return {'ok'}
end
-- A run no longer `running` was ended by someone else: its lock was gone (its process stalled
-- past the lock's lifetime) and a sweep (run_sweep.lua), or the next match.run's orphan check
-- (run_lock.lua), marked it failed, and the sweep deletes what it staged.  That verdict stays:
-- a draft recorded `done` over it would be publishable with its proposals gone.
local st = redis.call('HGET', K.run..run, 'status')
if st ~= 'running' then return {'ok', st or 'failed'} end
redis.call('HSET', K.run..run, 'status', ARGV[4], 'stats', ARGV[5], 'finished_at', ARGV[6])
if redis.call('GET', K.lock_run..prog) == run then redis.call('DEL', K.lock_run..prog) end
audit('ev', 'run.done', 'run', run, 'program', prog, 'status', ARGV[4])
return {'ok', ARGV[4]}
