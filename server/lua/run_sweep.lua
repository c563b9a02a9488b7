-- run_sweep.lua (SCRIPT_RUN_SWEEP): every coachnetd, on a timer: runs whose process is gone, and their keys.
-- ARGV: prefix now limit slimit -> ok nfailed more
-- For each run of runs:staged whose lock is gone (its process died, or stalled past the lock's
-- lifetime: its next store or renew fails):
--   * published but not settled: it is settled here (run.lua's settle(): the proposals its switch
--     superseded, at most slimit per call, then its waitlist); it is done;
--   * still `running`, staged: it is marked `failed`.
-- A failed or cancelled run's staged proposals, never visible (match.lua's visible()), are
-- deleted with its staging keys (and its unmatched:<run>).  At most `limit` proposals or mentees per call, so that no
-- call blocks Redis long (more = 1: call again).  A run that is done but staged (issue 11's
-- drafts) stays.
--! uses: keys common msort run
local now, limit, slimit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local failed, more = 0, 0
for _, run in ipairs(redis.call('SMEMBERS', K.runs_staged)) do
  local h = redis.call('HMGET', K.run..run, 'status', 'program', 'published_at')
  local st, prog = h[1], h[2]
  local owned = prog and redis.call('GET', K.lock_run..prog) == run
  if h[3] and not owned then
    if limit <= 0 then more = 1
    else
      if settle(run, prog, now, limit, slimit) then more = 1 end
      limit = 0
    end
  elseif st == 'running' and not owned then
    redis.call('HSET', K.run..run, 'status', 'failed', 'finished_at', now)
    audit('ev', 'run.failed', 'run', run, 'program', prog or '', 'reason', 'owner gone')
    failed, st = failed + 1, 'failed'
  end
  local ended = not h[3] and (st == 'failed' or st == 'cancelled' or not st)
  if ended and limit <= 0 then more = 1
  elseif ended then
    local ids = redis.call('ZRANGE', K.idx_match_run..run, 0, limit - 1)
    if #ids > 0 then
      local keys = {}
      for i, id in ipairs(ids) do keys[i] = K.match..id unindex(id) end
      redis.call('DEL', unpack(keys))
      if prog then redis.call('ZREM', K.idx_match_prog..prog, unpack(ids)) end
      redis.call('ZREM', K.idx_match_run..run, unpack(ids))
    end
    if #ids < limit then
      redis.call('DEL', K.stage_proposed..run, K.stage_wait..run, K.idx_match_run..run)
      redis.call('UNLINK', K.run_unmatched..run)
      redis.call('SREM', K.runs_staged, run)
    else more = 1 end
    limit = limit - #ids
  end
end
return {'ok', failed, more}
