-- run.lua: the run helpers, a prelude after common.lua for the scripts that
-- end a published run.
--
-- A run is published by run_publish.lua (the switch: its proposals become
-- visible at once) and settled afterwards, in chunks, while it still holds
-- the program's lock so that no other run's snapshot reads the waitlist
-- half-counted: each mentee it left unmatched (stage:wait:<run>, taken with
-- SPOP, so a mentee is counted once even when the owner and a sweep settle
-- the same run) gets +1 in wait:<program>; with the last one the run is
-- done, its lock (if still its own) released.
--   settle(run, prog, now, limit)  up to limit mentees; true when more remain
--   record(run)  the run record as run.get answers it, RUN_FIELDS strings ('' for an absent
--                field): id program status draft published_at policy stats started_at
--                finished_at by; nil when there is no such run
--! prelude
local function settle(run, prog, now, limit)
  if redis.call('HGET', K.run..run, 'status') == 'done' then return false end
  local ms = redis.call('SPOP', K.stage_wait..run, limit)
  for _, m in ipairs(ms) do redis.call('HINCRBY', K.wait..prog, m, 1) end
  if redis.call('EXISTS', K.stage_wait..run) == 1 then return true end
  redis.call('HSET', K.run..run, 'status', 'done', 'finished_at', now)
  redis.call('SREM', K.runs_staged, run)
  if redis.call('GET', K.lock_run..prog) == run then redis.call('DEL', K.lock_run..prog) end
  audit('ev', 'run.done', 'run', run, 'program', prog, 'status', 'done')
  return false end
local function record(run)
  local h = redis.call('HMGET', K.run..run, 'id', 'program', 'status', 'draft', 'published_at', 'policy', 'stats', 'created_at', 'finished_at', 'started_by')
  if not h[1] then return nil end
  for i = 1, 10 do h[i] = h[i] or '' end
  return h end
