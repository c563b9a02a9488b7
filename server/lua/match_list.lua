-- match_list.lua (SCRIPT_MATCH_LIST): match.list: a page of a program's or a run's matches, sorted.
-- ARGV: prefix run_id program status min_score cursor limit scope sort coach_id mentee_id
-- -> ok next-cursor flat... (each with both cards)
-- sort is an order of match.lua's sort indexes (score, updated_at, mentee_name,
-- coach_name); cursor is the hex of the last member shown, '' for the first
-- page; the answer's cursor is '' on the last page.  Without a person filter
-- the page walks sort:match:<sort>:<scope> from the cursor, examining at most
-- EXAMINE_MAX members (a page may then be short, with a cursor).  Statuses
-- and updated_at are match.lua's shown(); a superseded proposal its run's
-- settle has not rewritten yet keeps its entry of sort updated_at at its
-- earlier updated_at until the rewrite moves it (docs/design.md, "The switch
-- supersedes lazily"): the one order that can differ from the eager switch's, for the
-- seconds of the settle; with
-- mentee_id or coach_id it reads that person's matches (idx:match:mentee:<id>
-- or idx:match:coach:<id>, a few per mentee, at most a few thousand per
-- coach), keeps those of the scope and filters, and sorts them here.
--! uses: keys common msort match
--! db: match_list(run_id, program, status, min_score:int, cursor, limit:int, scope, sort, coach_id, mentee_id) -> matches_page
local run, prog, st, mins, cur, limit, scope = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]), ARGV[8]
local order, cid, mid = ARGV[9], ARGV[10], ARGV[11]
local EXAMINE_MAX = 2000
local draft, sc = false, nil
if run ~= '' then
  local rp = redis.call('HGET', K.run..run, 'program')
  if not rp then return {'not_found', 'no run '..run, 'run_id'} end
  if not has(scope, rp) then return {'forbidden', 'run '..run..' is of program '..rp..', outside your programs', 'run_id'} end
  if prog ~= '' and prog ~= rp then return {'invalid_params', 'run '..run..' is of program '..rp, 'program'} end
  -- staged: nothing to show yet; but a finished draft's proposals are shown by run_id (only)
  draft = redis.call('HGET', K.run..run, 'draft') == '1' and redis.call('HGET', K.run..run, 'status') == 'done'
  if not visible(run) and not draft then return {'ok', ''} end
  sc = 'run:'..run
else sc = 'prog:'..prog end
local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
local function hex(b) return (b:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end
local function idof(mem) return 'm'..tonumber(string.sub(mem, -12)) end
-- byte-wise a < b, as ZRANGEBYLEX orders (Lua's < follows Redis' LC_COLLATE)
local function less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b end
local function keep(status, score, runid)
  status = shown(status, runid)
  return status and (st == '' or status == st) and tonumber(score or '0') >= mins and (draft or visible(runid)) end
local after = cur ~= '' and unhex(cur) or nil
local out = {'ok', ''}
if cid ~= '' or mid ~= '' then
  local ids = redis.call('ZRANGE', mid ~= '' and K.idx_match_mentee..mid or K.idx_match_coach..cid, 0, -1)
  local c = {}
  for _, id in ipairs(ids) do
    local h = redis.call('HMGET', K.match..id, 'status', 'score', 'run_id', 'program', 'coach_id', 'mentee_id', 'updated_at')
    if keep(h[1], h[2], h[3]) and (run == '' and h[4] == prog or run ~= '' and h[3] == run)
       and (cid == '' or h[5] == cid) and (mid == '' or h[6] == mid) then
      local _, at = shown(h[1], h[3])
      local mem = sortmember(order, {id=id, score=h[2], updated_at=at or h[7], mentee_id=h[6], coach_id=h[5]})
      if not after or less(after, mem) then c[#c+1] = mem end
    end
  end
  table.sort(c, less)
  for i = 1, math.min(limit, #c) do out[#out+1] = cards(flat(idof(c[i])), 'coordinator') end
  if #c > limit then out[2] = hex(c[limit]) end
  return out
end
local idx = K.sort_match..order..':'..sc
local min = after and '('..after or '-'
local examined, last = 0, nil
while #out - 2 < limit and examined < EXAMINE_MAX do
  local mems = redis.call('ZRANGEBYLEX', idx, min, '+', 'LIMIT', 0, 200)
  if #mems == 0 then break end
  for _, mem in ipairs(mems) do
    examined = examined + 1
    last = mem
    local id = idof(mem)
    local h = redis.call('HMGET', K.match..id, 'status', 'score', 'run_id')
    if keep(h[1], h[2], h[3]) then out[#out+1] = cards(flat(id), 'coordinator') end
    if #out - 2 >= limit or examined >= EXAMINE_MAX then break end
  end
  min = '('..last
end
if last and #redis.call('ZRANGEBYLEX', idx, '('..last, '+', 'LIMIT', 0, 1) > 0 then out[2] = hex(last) end
return out
