-- run_finish.lua (SCRIPT_RUN_FINISH): match.run, last step: status, stats, lock released.
-- (failed or cancelled; or done for a draft run, which stays staged for run.publish)
-- ARGV: prefix run program status stats now -> ok
--! uses: keys common
local run, prog = ARGV[2], ARGV[3]
redis.call('HSET', K.run..run, 'status', ARGV[4], 'stats', ARGV[5], 'finished_at', ARGV[6])
if redis.call('GET', K.lock_run..prog) == run then redis.call('DEL', K.lock_run..prog) end
audit('ev', 'run.done', 'run', run, 'program', prog, 'status', ARGV[4])
return {'ok'}
