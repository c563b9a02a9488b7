-- run_own.lua (SCRIPT_RUN_OWN): match.run: which call runs a run, asked before its snapshot.
-- ARGV: prefix program run token -> ok mine|other|ended
--   The call whose run_lock.lua took the lock runs the run, but its answer can be lost: Redis applied the
--   script after coachnetd had answered `unavailable` (redis-timeout-ms), and then nobody ran the run,
--   while a retry with the same request_id got its id from the kept answer and waited for a run.done that
--   never came (the run was marked failed once its lock expired).  So the first call and every retry ask
--   here, each with a token of its own, and the first to ask owns the run: `mine` (also to a token that
--   owns it already), `other` (another token does), `ended` (the run is no longer running under its
--   lock: ended, published, or its lock expired).  The owner is kept in run:<id>'s field `owner`.
--! uses: keys common
local prog, run, token = ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', K.lock_run..prog) ~= run then return {'ok', 'ended'} end
local h = redis.call('HMGET', K.run..run, 'status', 'published_at', 'owner')
if h[1] ~= 'running' or h[2] then return {'ok', 'ended'} end
if not h[3] then redis.call('HSET', K.run..run, 'owner', token) return {'ok', 'mine'} end
return {'ok', h[3] == token and 'mine' or 'other'}
