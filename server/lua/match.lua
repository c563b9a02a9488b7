-- match.lua: the match helpers, a prelude after common.lua for the scripts
-- that change matches.
--
-- A match is the hash match:<id> (id m<N>, N from INCR seq:match, indexed
-- in idx:match:prog:<program> and idx:match:run:<run> by N).  Its live
-- states (LIVE) hold one unit of the coach's capacity (load:<coach>, at
-- most coach:<coach> capacity) and are the mentee's current match (field
-- `match` of mentee:<id>): take() and release() keep the three together.
--   visible(run)  whether the matches of run may be shown or changed: a run's
--                 proposals are staged (run:<id> has the field `staged`) from
--                 its start until run_publish.lua switches them on, so no
--                 reader sees a run half-stored; a match of no run (a
--                 request) always is.  One HEXISTS per run and script.
--   superseded(run)  when the run's unreviewed proposals were superseded
--                 (run:<id>'s superseded_at, written by run.lua's switch), or
--                 false.  One HGET per run and script.
--   shown(st, run)  the status a match of that hash status and run reads
--                 as, and its updated_at when that differs: a `proposed` match
--                 of a superseded run is `cancelled` since superseded_at.  The
--                 switch leaves such a match's hash to the run's settle (run.lua),
--                 so until a settle chunk rewrites it every reader of a status
--                 goes through shown() (mget, flat, match.list's filters,
--                 stats.get), and sees what the rewrite writes.  No script
--                 changes a cancelled match, so none writes one of these.
--   mget(id)      the match as a table (nil if absent or not visible) and
--                 its flat fields, as shown()
--   flat(id)      HGETALL of the match, as scripts return it, as shown()
--   notify(id)    publish ['match', flat] on events; returns flat
--   take(m)       one seat of the coach and the mentee's match; false if full
--   release(m)    give them back
--   waitlist(m)   +1 to the mentee's waitlist priority in wait:<program>
--                 (the three change runs' inputs: common.lua's touch() of the
--                 match's program and of the coach's)
--   setstatus     status and updated_at
--   tell(m)       list the match in mine:mentee:<id> and mine:coach:<id>
--   side_err(m, id, role, subject)  nil when a mentee or coach may act on match m
--                 as its side, else the error to return: forbidden when it is not
--                 theirs, not_found when it is but was never told (a proposal no
--                 review approved: pending, rejected or superseded).  Every method
--                 a side calls on one match asks this, so none tells a side more
--                 of an untold proposal than match.get does: before, meeting.list
--                 answered [] and match.respond conflict "is proposed" where
--                 match.get said not_found, and match ids are sequential.
--   newmatch(...) create match:<id> and index it; returns the id
--   newmatches(prog, run, st, now, ps)  newmatch for each {mentee, coach, score, explain}
--                 of ps; returns their ids, in order.  The writes to keys the matches
--                 share (seq:match, the program's and the run's index, the eight sort
--                 zsets, count:match) are one call each for all of them: a proposal of
--                 run_store.lua cost Redis 17 calls, now 5 and a share of 12
--   cards(f, role, subject)  append to the flat match f the cards its viewer
--                 may see (design.md §9): mentee_card and coach_card, msgpack
--                 blobs server/pack.c nests as `mentee` and `coach`.  The
--                 coordinator sees both with email and phone (it reads both
--                 profiles whole anyway); a side sees the other's card from
--                 approved on (SEES 1) and its email and phone from accepted
--                 on (SEES 2), its own card never.  A profile is read and
--                 unpacked once per script and card kind (a page of 500
--                 matches reads at most 1,000 profiles).
--   mail(kind, m, to, by)  the match's message on the outbox (common.lua's
--                 outbox()): match, program, mentee, coach, status, by
--   sides(m) / other(m, side)  recipients: both sides / the side not `side`
--   cancel_meetings(m, now)  a cancelled or completed match cancels its
--                 meetings still to come (sched:<match>, meeting.schedule):
--                 each gets status cancelled, SEQUENCE + 1 and a
--                 METHOD:CANCEL message (a match no longer accepted or active
--                 cannot move them, so they would stay in calendars)
--   addnote(id, by, role, text, now)  keep a non-empty note in notes:<match>
--                 (msgpack {by, role, text, at}, the last NOTES_MAX)
--   (the sort indexes and stamp/unindex: msort.lua, a prelude before this one)
--! prelude
local LIVE = {requested=true, approved=true, accepted=true, active=true}
local published = {}
local function visible(run)
  if not run or run == '' then return true end
  if published[run] == nil then published[run] = redis.call('HEXISTS', K.run..run, 'staged') == 0 end
  return published[run] end
local supers = {}
local function superseded(run)
  if not run or run == '' then return false end
  if supers[run] == nil then supers[run] = redis.call('HGET', K.run..run, 'superseded_at') or false end
  return supers[run] end
local function shown(st, run)
  if st == 'proposed' then local t = superseded(run) if t then return 'cancelled', t end end
  return st, nil end
local function flat(id)
  local f = redis.call('HGETALL', K.match..id)
  local si, ui, run
  for i = 1, #f, 2 do
    local k = f[i]
    if k == 'status' then si = i + 1 elseif k == 'updated_at' then ui = i + 1 elseif k == 'run_id' then run = f[i+1] end
  end
  if si then
    local st, at = shown(f[si], run)
    if at then f[si] = st if ui then f[ui] = at end end
  end
  return f end
local function mget(id) local f = flat(id) if #f == 0 then return nil end local m = {} for i = 1, #f, 2 do m[f[i]] = f[i+1] end if not visible(m.run_id) then return nil end return m, f end
local function notify(id) local f = flat(id) event({'match', f}) return f end
local function capacity(cid) local c = redis.call('HGET', K.coach..cid, 'capacity') return tonumber(c or '0') end
local function load(cid) return tonumber(redis.call('GET', K.load..cid) or '0') end
local function setload(cid, n) redis.call('SET', K.load..cid, n) event({'load', cid, n}) end
local function touched(m) touch(m.program) touch(redis.call('HGET', K.coach..m.coach_id, 'program') or '') end
local function take(m) local l = load(m.coach_id) if l >= capacity(m.coach_id) then return false end setload(m.coach_id, l + 1) redis.call('HSET', K.mentee..m.mentee_id, 'match', m.id) touched(m) return true end
local function release(m) local l = load(m.coach_id) if l > 0 then setload(m.coach_id, l - 1) end if redis.call('HGET', K.mentee..m.mentee_id, 'match') == m.id then redis.call('HDEL', K.mentee..m.mentee_id, 'match') end touched(m) end
local function waitlist(m) redis.call('HINCRBY', K.wait..m.program, m.mentee_id, 1) touch(m.program) end
local function setstatus(m, st, now) stamp(m, now) redis.call('HSET', K.match..m.id, 'status', st) count(m.status, -1) count(st, 1) m.status = st end
local function tell(m) local n = tonumber(string.sub(m.id, 2)) redis.call('ZADD', K.mine_mentee..m.mentee_id, n, m.id) redis.call('ZADD', K.mine_coach..m.coach_id, n, m.id) end
local function side_err(m, id, role, subj)
  if (role ~= 'mentee' and role ~= 'coach') or m[role..'_id'] ~= subj then return {'forbidden', 'match '..id..' is not yours', 'match_id'} end
  if not redis.call('ZSCORE', K['mine_'..role]..subj, id) then return {'not_found', 'no match '..id, 'match_id'} end
  return nil end
local function newmatches(prog, run, st, now, ps)
  if #ps == 0 then return {} end
  local n0 = redis.call('INCRBY', K.seq_match, #ps) - #ps
  local ids, keys, adds = {}, {}, {}
  local function add(key, score, member)
    local l = adds[key]
    if not l then l = {} adds[key] = l keys[#keys+1] = key end
    l[#l+1] = score l[#l+1] = member end
  for i, p in ipairs(ps) do
    local n = n0 + i local id = 'm'..n
    local mentee, coach, score = p[1], p[2], p[3]
    redis.call('HSET', K.match..id, 'id', id, 'program', prog, 'mentee_id', mentee, 'coach_id', coach, 'status', st, 'score', score, 'run_id', run, 'explain', p[4], 'created_at', now, 'updated_at', now, 'mentee_ok', '0', 'coach_ok', '0', 'jp_minutes', '0')
    redis.call('ZADD', K.idx_match_mentee..mentee, n, id)
    redis.call('ZADD', K.idx_match_coach..coach, n, id)
    add(K.idx_match_prog..prog, n, id)
    if run ~= '' then add(K.idx_match_run..run, n, id) end
    local m = {id=id, program=prog, run_id=run, score=score, updated_at=now, mentee_id=mentee, coach_id=coach}
    sorteach(m, SORTS, function(key, member) add(key, 0, member) end)
    ids[i] = id
  end
  for _, key in ipairs(keys) do redis.call('ZADD', key, unpack(adds[key])) end
  count(st, #ps)
  return ids end
local function newmatch(prog, mentee, coach, st, score, run, explain, now)
  return newmatches(prog, run, st, now, {{mentee, coach, score, explain}})[1] end
local SEES = {approved=1, accepted=2, active=2, completed=2}
local CARD = {mentee={'id', 'name', 'agency', 'position_class', 'province', 'goals'},
  coach={'id', 'name', 'kind', 'organization', 'province', 'bio', 'languages'}}
local cardcache = {}
local function card(kind, id, contacts)
  local ck = kind..':'..id..(contacts and '+' or '')
  if cardcache[ck] == nil then
    local b, c = redis.call('HGET', K[kind]..id, 'p'), false
    if b then
      local p = cmsgpack.unpack(b) c = {}
      for _, k in ipairs(CARD[kind]) do c[k] = p[k] end
      if contacts then c.email = p.email c.phone = p.phone end
      c = cmsgpack.pack(c)
    end
    cardcache[ck] = c end
  return cardcache[ck] end
local function cards(f, role, subj)
  local m = {} for i = 1, #f, 2 do m[f[i]] = f[i+1] end
  local sm, sc = 0, 0
  if role == 'coordinator' then sm, sc = 2, 2
  elseif role == 'mentee' and m.mentee_id == subj then sc = SEES[m.status] or 0
  elseif role == 'coach' and m.coach_id == subj then sm = SEES[m.status] or 0 end
  local b = sm > 0 and card('mentee', m.mentee_id, sm == 2)
  if b then f[#f+1] = 'mentee_card' f[#f+1] = b end
  b = sc > 0 and card('coach', m.coach_id, sc == 2)
  if b then f[#f+1] = 'coach_card' f[#f+1] = b end
  return f end
local function sides(m) return 'mentee:'..m.mentee_id..',coach:'..m.coach_id end
local function other(m, side) if side == 'mentee' then return 'coach:'..m.coach_id end return 'mentee:'..m.mentee_id end
local function mail(kind, m, to, by) outbox(kind, to, 'match', m.id, 'program', m.program, 'mentee', m.mentee_id, 'coach', m.coach_id, 'status', m.status, 'by', by or '') end
local function meeting_mail(m, rec, method, by)
  outbox('meeting', sides(m), 'match', m.id, 'program', m.program, 'mentee', m.mentee_id, 'coach', m.coach_id,
    'meeting', rec.id, 'start', tostring(rec.start), 'minutes', tostring(rec.minutes), 'place', rec.place or '',
    'seq', tostring(rec.seq), 'method', method, 'by', by or '') end
local function cancel_meetings(m, now)
  local h = redis.call('HGETALL', K.sched..m.id)
  for i = 1, #h, 2 do
    local rec = cmsgpack.unpack(h[i+1])
    if rec.status ~= 'cancelled' and rec.start > tonumber(now) then
      rec.status, rec.seq = 'cancelled', rec.seq + 1
      redis.call('HSET', K.sched..m.id, h[i], cmsgpack.pack(rec))
      meeting_mail(m, rec, 'CANCEL', '')
    end
  end end
local NOTES_MAX = 8  -- PROTO_MATCH_NOTES_MAX
local function addnote(id, by, role, text, now)
  if text == '' then return end
  redis.call('RPUSH', K.notes..id, cmsgpack.pack({by=by, role=role, text=text, at=tonumber(now)}))
  redis.call('LTRIM', K.notes..id, -NOTES_MAX, -1) end
