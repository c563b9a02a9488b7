-- run.lua: the run helpers, a prelude after common.lua for the scripts that
-- publish, settle or read runs.
--
-- A run is published by switch() (run_publish.lua when it finishes; for a
-- draft, run_draft_publish.lua on run.publish: its proposals become
-- visible at once) and settled afterwards, in chunks, while it still holds
-- the program's lock so that no other run's snapshot reads the waitlist
-- half-counted: each mentee it left unmatched (stage:wait:<run>, taken with
-- SPOP, so a mentee is counted once even when the owner and a sweep settle
-- the same run) gets +1 in wait:<program>; with the last one the run is
-- done (a draft: was done already, and keeps its finished_at) and leaves
-- runs:staged, its lock (if still its own) released.
--   switch(run, prog, now)  the staged proposals become the program's `proposed` ones,
--                 superseding its unreviewed proposals of earlier runs: the new ones cost
--                 O(1) (indexed while staged), each superseded one an HGET and an HSET;
--                 the program's other finished drafts not yet published become
--                 `cancelled` (superseded_by this run): their proposals answer to
--                 inputs of the past, and run_sweep.lua deletes them, so drafts do
--                 not pile up in Redis; returns the number switched on
--   settle(run, prog, now, limit)  up to limit mentees; true when more remain
--   record(run)  the run record as run.get answers it, RUN_FIELDS strings ('' for an absent
--                field): id program status draft published_at policy stats started_at
--                finished_at by; nil when there is no such run
--! prelude
local SWITCH_BATCH = 1000  -- members per ZREM/ZADD (unpack() of Lua's stack)
local function zbatch(cmd, key, ms)
  for i = 1, #ms, SWITCH_BATCH do
    local args = {}
    for k = i, math.min(#ms, i + SWITCH_BATCH - 1) do
      if cmd == 'ZADD' then args[#args+1] = 0 end
      args[#args+1] = ms[k]
    end
    redis.call(cmd, key, unpack(args))
  end end
local function switch(run, prog, now)
  local pset = K.proposed..prog
  -- The superseded proposals: what msort.lua's count() and stamp() do for
  -- each, batched (one HINCRBY per status, variadic ZREM and ZADD per sort
  -- key), which makes the switch of a program with 60,000 unreviewed
  -- proposals about twice as fast (bench/e2e): it is one script, and
  -- Redis answers nothing else meanwhile.
  local n, rem, add = 0, {}, {}
  for _, id in ipairs(redis.call('SMEMBERS', pset)) do
    local h = redis.call('HMGET', K.match..id, 'status', 'program', 'run_id', 'updated_at')
    if h[1] == 'proposed' then
      redis.call('HSET', K.match..id, 'status', 'cancelled', 'updated_at', now)
      n = n + 1
      local m = {id=id, program=h[2], run_id=h[3], updated_at=h[4]}
      local old = sortmember('updated_at', m)
      m.updated_at = now
      local new = sortmember('updated_at', m)
      for _, sc in ipairs(sortscopes(m)) do
        local key = K.sort_match..'updated_at:'..sc
        rem[key] = rem[key] or {} add[key] = add[key] or {}
        rem[key][#rem[key]+1] = old
        add[key][#add[key]+1] = new
      end
    end
  end
  if n > 0 then count('proposed', -n) count('cancelled', n) end
  for key, ms in pairs(rem) do zbatch('ZREM', key, ms) end
  for key, ms in pairs(add) do zbatch('ZADD', key, ms) end
  redis.call('DEL', pset)
  local np = redis.call('SCARD', K.stage_proposed..run)
  if np > 0 then redis.call('RENAME', K.stage_proposed..run, pset) end
  redis.call('HDEL', K.run..run, 'staged')
  redis.call('SET', K.lastpub..prog, run)  -- stats.get's last run: a draft is not one until published
  for _, other in ipairs(redis.call('SMEMBERS', K.runs_staged)) do
    if other ~= run then
      local o = redis.call('HMGET', K.run..other, 'program', 'status', 'draft', 'published_at')
      if o[1] == prog and o[2] == 'done' and o[3] == '1' and not o[4] then
        redis.call('HSET', K.run..other, 'status', 'cancelled', 'superseded_by', run)
        audit('ev', 'run.superseded', 'run', other, 'program', prog, 'by', run)
      end
    end
  end
  redis.call('HSET', K.run..run, 'published_at', now)
  return np end
local function settle(run, prog, now, limit)
  if redis.call('SISMEMBER', K.runs_staged, run) == 0 then return false end
  local ms = redis.call('SPOP', K.stage_wait..run, limit)
  for _, m in ipairs(ms) do redis.call('HINCRBY', K.wait..prog, m, 1) end
  if #ms > 0 then touch(prog) end
  if redis.call('EXISTS', K.stage_wait..run) == 1 then return true end
  redis.call('HSET', K.run..run, 'status', 'done')
  redis.call('HSETNX', K.run..run, 'finished_at', now)
  redis.call('SREM', K.runs_staged, run)
  if redis.call('GET', K.lock_run..prog) == run then redis.call('DEL', K.lock_run..prog) end
  if redis.call('HGET', K.run..run, 'draft') ~= '1' then audit('ev', 'run.done', 'run', run, 'program', prog, 'status', 'done') end
  return false end
local function record(run)
  local h = redis.call('HMGET', K.run..run, 'id', 'program', 'status', 'draft', 'published_at', 'policy', 'stats', 'created_at', 'finished_at', 'started_by')
  if not h[1] then return nil end
  for i = 1, 10 do h[i] = h[i] or '' end
  return h end
