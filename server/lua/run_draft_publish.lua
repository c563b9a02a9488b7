-- run_draft_publish.lua (SCRIPT_RUN_DRAFT_PUBLISH): run.publish, first step: the switch of a draft.
-- ARGV: prefix run_id scope now ttl_ms by -> ok npublished nunmatched program
-- A draft run finished `done` but staged (runs.c): its proposals are shown only by
-- match.list {run_id}, and no waitlist moved.  Here, in one script: the run must be a finished
-- draft not yet published, no run may hold the program, and the run's inputs must be as its
-- snapshot saw them (the revision the run recorded at its lock equals the program's now:
-- common.lua's touch()); then the run takes the program's lock, its proposals are switched on
-- (run.lua's switch()) and the handler settles its waitlist in chunks (run_waitlist.lua), whose
-- last releases the lock.  If the process dies in between, the sweep settles it.
--! uses: keys common msort run
--! idempotent
--! db: run_draft_publish(run_id, scope, now, ttl_ms:int, by) -> published
local run, scope, now = ARGV[2], ARGV[3], ARGV[4]
local h = redis.call('HMGET', K.run..run, 'program', 'status', 'draft', 'staged', 'published_at', 'rev')
local prog = h[1]
if not prog then return {'not_found', 'no run '..run, 'run_id'} end
if not has(scope, prog) then return {'forbidden', 'run '..run..' is of program '..prog..', outside your programs', 'run_id'} end
if h[3] ~= '1' then return {'conflict', 'run '..run..' is not a draft: it was published when it finished', 'run_id'} end
if h[5] then return {'conflict', 'run '..run..' is published already', 'run_id'} end
if h[2] ~= 'done' or not h[4] then return {'conflict', 'run '..run..' is '..h[2]..', not a finished draft', 'run_id'} end
local holder = redis.call('GET', K.lock_run..prog)
if holder then return {'conflict', 'a run of program '..prog..' is in progress ('..holder..')'} end
if h[6] ~= revision(prog) then
  return {'conflict', 'the inputs of run '..run..' changed since its snapshot (profiles, pins, forbids, seats or waitlist of program '..prog..'): run it again', 'run_id'}
end
redis.call('SET', K.lock_run..prog, run, 'PX', ARGV[5])
local np = switch(run, prog, now)
audit('ev', 'run.publish', 'run', run, 'program', prog, 'published', tostring(np), 'by', ARGV[6])
return {'ok', np, redis.call('SCARD', K.stage_wait..run), prog}
