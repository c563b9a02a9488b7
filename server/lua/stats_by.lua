-- stats_by.lua (SCRIPT_STATS_BY): stats.get {by}: a program's breakdown table.
-- ARGV: prefix program by -> ok (key mentees matched coaches capacity load)..., rows sorted by key
-- by is province, agency, competency or coach_kind.  A mentee of the program
-- counts in the row of its province or agency, or of each competency with a
-- gap (current < required); a coach of the program in the row of its
-- province, organization (an agency code), each competency it has (level >= 1)
-- or its kind.  `matched` counts the mentees of the row with a live or
-- completed match (as stats.get's coverage); for coach_kind, which has no
-- mentee side, the live and completed matches of the row's coaches.  Cost:
-- one pass over the program's mentees, all coaches and the program's matches,
-- as stats.lua, plus one profile unpack per mentee for agency and competency.
--! uses: keys common msort match
--! db: stats_by(program, by) -> strs
local prog, by = ARGV[2], ARGV[3]
local rows = {}
local function row(k) local r = rows[k] if not r then r = {0, 0, 0, 0, 0} rows[k] = r end return r end
local function mentee_keys(id)
  if by == 'province' then return {redis.call('HGET', K.mentee..id, 'province')} end
  local b = redis.call('HGET', K.mentee..id, 'p')
  if not b then return {} end
  local p = cmsgpack.unpack(b)
  if by == 'agency' then return {p.agency} end
  local ks = {}
  for _, c in ipairs(p.competencies or {}) do if c.current < c.required then ks[#ks+1] = c.code end end
  return ks end
local function coach_keys(id, h)
  if by == 'province' then return {h[3]} end
  local p = cmsgpack.unpack(redis.call('HGET', K.coach..id, 'p'))
  if by == 'agency' then return {p.organization} elseif by == 'coach_kind' then return {p.kind} end
  local ks = {}
  for _, c in ipairs(p.competencies or {}) do if c.level >= 1 then ks[#ks+1] = c.code end end
  return ks end
local mk, ck = {}, {}
if by ~= 'coach_kind' then
  for _, id in ipairs(redis.call('ZRANGE', K.idx_mentee_prog..prog, 0, -1)) do
    mk[id] = mentee_keys(id)
    for _, k in ipairs(mk[id]) do local r = row(k) r[1] = r[1] + 1 end
  end
end
for _, id in ipairs(redis.call('ZRANGE', K.idx_coach, 0, -1)) do
  local h = redis.call('HMGET', K.coach..id, 'program', 'capacity', 'province')
  if h[2] and has(h[1], prog) then
    local cap, ld = tonumber(h[2]), tonumber(redis.call('GET', K.load..id) or '0')
    ck[id] = coach_keys(id, h)
    for _, k in ipairs(ck[id]) do local r = row(k) r[3] = r[3] + 1 r[4] = r[4] + cap r[5] = r[5] + ld end
  end
end
-- (a superseded proposal, `proposed` in its hash until its run's settle rewrites it, reads as
-- cancelled: match.lua's shown(); neither status covers)
local COVERS = {requested=true, approved=true, accepted=true, active=true, completed=true}
local seen = {}
for _, id in ipairs(redis.call('ZRANGE', K.idx_match_prog..prog, 0, -1)) do
  local h = redis.call('HMGET', K.match..id, 'status', 'mentee_id', 'coach_id', 'run_id')
  if h[1] and COVERS[h[1]] and visible(h[4]) then
    if by == 'coach_kind' then
      for _, k in ipairs(ck[h[3]] or {}) do local r = row(k) r[2] = r[2] + 1 end
    elseif not seen[h[2]] then
      seen[h[2]] = true
      for _, k in ipairs(mk[h[2]] or {}) do local r = row(k) r[2] = r[2] + 1 end
    end
  end
end
local keys = {}
for k in pairs(rows) do keys[#keys+1] = k end
table.sort(keys)
local out = {'ok'}
for _, k in ipairs(keys) do
  local r = rows[k]
  out[#out+1] = k
  for i = 1, 5 do out[#out+1] = tostring(r[i]) end
end
return out
