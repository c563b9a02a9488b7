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
--                 superseding its unreviewed proposals of earlier runs, in O(1) whatever
--                 their number (bench/e2e: 149,981 rewritten in one script held Redis
--                 8.6 s): proposed:<prog> holds exactly the `proposed` matches of the
--                 program's last published run (approve and reject remove theirs), so it
--                 is renamed supersede:<run>, its run gets superseded_at (= now, this
--                 run's published_at) and superseded_by, and count:match moves its SCARD
--                 from proposed to cancelled.  From then on match.lua's superseded() shows
--                 each of them as `cancelled` with updated_at = superseded_at, what the
--                 rewrite gives it; settle() does the rewrite in chunks.  The program's
--                 other finished drafts not yet published become `cancelled`
--                 (superseded_by this run): their proposals answer to inputs of the past,
--                 and run_sweep.lua deletes them, so drafts do not pile up in Redis;
--                 returns the number switched on
--   settle(run, prog, now, limit, slimit)  one chunk: up to slimit proposals of
--                 supersede:<run> (SPOP) rewritten as the eager switch did (status
--                 cancelled, updated_at = the run's published_at, the updated_at sort
--                 entries moved; count:match moved at the switch), or, once that set is
--                 gone, up to limit mentees of the waitlist; true when more remain
--   record(run)  the run record as run.get answers it, RUN_FIELDS strings ('' for an absent
--                field): id program status draft published_at policy stats started_at
--                finished_at by; nil when there is no such run
--! prelude
local SWITCH_BATCH = 1000  -- members per ZREM/ZADD (unpack() of Lua's stack): supersede()
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
  local n = redis.call('SCARD', pset)
  if n > 0 then
    local old = redis.call('HGET', K.match..redis.call('SRANDMEMBER', pset), 'run_id')
    redis.call('RENAME', pset, K.supersede..run)
    if old and old ~= '' then redis.call('HSET', K.run..old, 'superseded_at', now, 'superseded_by', run) end
    count('proposed', -n) count('cancelled', n)
  end
  local np = redis.call('SCARD', K.stage_proposed..run)
  if np > 0 then redis.call('RENAME', K.stage_proposed..run, pset) end
  redis.call('HDEL', K.run..run, 'staged')
  redis.call('SET', K.lastpub..prog, run)  -- stats.get's last run: a draft is not one until published
  for _, other in ipairs(redis.call('SMEMBERS', K.runs_staged)) do
    if other ~= run then
      local o = redis.call('HMGET', K.run..other, 'program', 'status', 'draft', 'published_at')
      if o[1] == prog and o[2] == 'done' and o[3] == '1' and not o[4] then
        redis.call('HSET', K.run..other, 'status', 'cancelled', 'superseded_by', run)
        audit('ev', 'run.superseded', 'run', other, 'program', prog, 'superseded_by', run)
      end
    end
  end
  redis.call('HSET', K.run..run, 'published_at', now)
  return np end
-- The rewrite of superseded proposals ids at time at: what msort.lua's
-- stamp() does for each, batched (variadic ZREM and ZADD per sort key).  A
-- member no longer `proposed` in its hash is left alone (none is: readers
-- show it cancelled, so no script changes it).
local function supersede(ids, at)
  local rem, add = {}, {}
  for _, id in ipairs(ids) do
    local h = redis.call('HMGET', K.match..id, 'status', 'program', 'run_id', 'updated_at')
    if h[1] == 'proposed' then
      redis.call('HSET', K.match..id, 'status', 'cancelled', 'updated_at', at)
      local m = {id=id, program=h[2], run_id=h[3], updated_at=h[4]}
      local old = sortmember('updated_at', m)
      m.updated_at = at
      local new = sortmember('updated_at', m)
      for _, sc in ipairs(sortscopes(m)) do
        local key = K.sort_match..'updated_at:'..sc
        rem[key] = rem[key] or {} add[key] = add[key] or {}
        rem[key][#rem[key]+1] = old
        add[key][#add[key]+1] = new
      end
    end
  end
  for key, ms in pairs(rem) do zbatch('ZREM', key, ms) end
  for key, ms in pairs(add) do zbatch('ZADD', key, ms) end
end
local function settle(run, prog, now, limit, slimit)
  if redis.call('SISMEMBER', K.runs_staged, run) == 0 then return false end
  local ids = redis.call('SPOP', K.supersede..run, slimit)
  if #ids > 0 then supersede(ids, redis.call('HGET', K.run..run, 'published_at')) return true end
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
