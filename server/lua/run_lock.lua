-- run_lock.lua (SCRIPT_RUN_LOCK): match.run, first step: the program's lock and a run id.
-- ARGV: prefix program by now ttl_ms -> ok run_id
--! uses: common
local prog = ARGV[2]
if not redis.call('GET', p..'lock:run:'..prog) then
  -- the lock is free: a run still marked running lost its owner (process killed)
  local last = redis.call('GET', p..'lastrun:'..prog)
  if last and redis.call('HGET', p..'run:'..last, 'status') == 'running' then
    redis.call('HSET', p..'run:'..last, 'status', 'failed', 'finished_at', ARGV[4])
    audit('ev', 'run.failed', 'run', last, 'program', prog, 'reason', 'owner gone')
  end
end
local n = redis.call('INCR', p..'seq:run')
local id = 'r'..n
if not redis.call('SET', p..'lock:run:'..prog, id, 'NX', 'PX', ARGV[5]) then
  return {'conflict', 'a run of program '..prog..' is in progress ('..(redis.call('GET', p..'lock:run:'..prog) or '?')..')'}
end
redis.call('HSET', p..'run:'..id, 'id', id, 'program', prog, 'status', 'running', 'started_by', ARGV[3], 'created_at', ARGV[4])
redis.call('SET', p..'lastrun:'..prog, id)
audit('ev', 'match.run', 'run', id, 'program', prog, 'by', ARGV[3])
return {'ok', id}
