-- run_lock.lua (SCRIPT_RUN_LOCK): match.run, first step: the program's lock and a run id.
-- ARGV: prefix program by now ttl_ms policy draft -> ok run_id
-- policy: the run's policy, msgpack (run.get shows it); draft: 1 for a draft run (its switch
-- waits for run.publish), else 0.  The run records revision(program) (common.lua), what
-- run.publish compares, and is indexed by its number in idx:run:prog:<program> (run.list).
--! uses: keys common
--! idempotent
local prog = ARGV[2]
local bad = no_program(prog, 'program')
if bad then return bad end
if not redis.call('GET', K.lock_run..prog) then
  -- the lock is free: a run still marked running lost its owner (process killed)
  local last = redis.call('GET', K.lastrun..prog)
  local h = last and redis.call('HMGET', K.run..last, 'status', 'published_at')
  if h and h[1] == 'running' and not h[2] then
    redis.call('HSET', K.run..last, 'status', 'failed', 'finished_at', ARGV[4])
    audit('ev', 'run.failed', 'run', last, 'program', prog, 'reason', 'owner gone')
  elseif h and h[2] and redis.call('SISMEMBER', K.runs_staged, last) == 1 then
    -- published, its settle not finished (a chunk failed, its lock expired): run_sweep.lua settles
    -- it within a third of run-lock-ttl-ms.  A run started before would read the waitlist without
    -- the +1 of its unmatched mentees, which would come a run late.
    return {'conflict', 'run '..last..' of program '..prog..' is published and its waitlist is still being settled: try again in a few seconds'}
  end
end
local n = redis.call('INCR', K.seq_run)
local id = 'r'..n
if not redis.call('SET', K.lock_run..prog, id, 'NX', 'PX', ARGV[5]) then
  return {'conflict', 'a run of program '..prog..' is in progress ('..(redis.call('GET', K.lock_run..prog) or '?')..')'}
end
-- staged until run_publish.lua: its proposals stay invisible (match.lua's visible()), and
-- run_sweep.lua deletes them if the run fails or its process dies
redis.call('HSET', K.run..id, 'id', id, 'program', prog, 'status', 'running', 'started_by', ARGV[3], 'created_at', ARGV[4], 'staged', '1', 'policy', ARGV[6], 'draft', ARGV[7], 'rev', revision(prog))
redis.call('ZADD', K.idx_run_prog..prog, n, id)
redis.call('SADD', K.runs_staged, id)
redis.call('SET', K.lastrun..prog, id)
audit('ev', 'match.run', 'run', id, 'program', prog, 'by', ARGV[3])
return {'ok', id}
