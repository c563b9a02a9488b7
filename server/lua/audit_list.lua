-- audit_list.lua (SCRIPT_AUDIT_LIST): audit.list: a page of the audit stream, newest first.
-- ARGV: prefix program actor since cursor limit examine scope detail_max -> ok next (at actor action object detail)...
--   An entry is the field list audit() wrote: 'ev', the action, then name/value pairs.  Its actor is the
--   value of 'by', else of 'login' (auth.* events), else ''.  Its object is "kind id" of the first of
--   id (a match of match.*, a profile of mentee.put/coach.put), match, run, login (user, auth.*), program;
--   its detail the other pairs but ev and by as "name=value" joined by spaces, cut at detail_max bytes
--   (at a character).  Its programs: the 'program' value, else the program of the match or profile it
--   names; entries of neither kind (auth.*, user.*) have none.  scope '*' (an admin) sees every entry, a
--   coordinator's csv the entries with a program in it.  program / actor ('' none) filter the same way;
--   since (unix seconds, 0 none) stops the walk.  At most `examine` entries are read per call: the page
--   may then be short; next is the id of the last entry read when older ones remain, else ''.
--! uses: keys common
--! db: audit_list(program, actor, since:int, cursor, limit:int, examine:int, scope, detail_max:int) -> strs
local prog, actor, since, cur, limit, examine, scope, dmax = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
-- the exclusive start before 0-0 (which XREVRANGE refuses) has nothing older
if cur ~= '' then
  cur = stream_id(cur)
  if not cur then return {'invalid_params', 'not a cursor of audit.list', 'cursor'} end
  if cur == '0-0' then return {'ok', ''} end
end
local stop = since > 0 and tostring(since * 1000) or '-'
local function programs(f)
  if f.program then return f.program end
  local mid = f.match or (string.sub(f.ev or '', 1, 6) == 'match.' and f.id)
  if mid then return redis.call('HGET', K.match..mid, 'program') end
  if f.ev == 'mentee.put' then return redis.call('HGET', K.mentee..f.id, 'program') end
  if f.ev == 'coach.put' then return redis.call('HGET', K.coach..f.id, 'program') end
  return nil
end
local objects = {{'id', nil}, {'match', 'match'}, {'run', 'run'}, {'login', 'user'}, {'program', 'program'}}
local function describe(e)
  local f, order = {}, {}
  for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i+1] order[#order+1] = e[2][i] end
  local who = f.by or f.login or ''
  if actor ~= '' and who ~= actor then return nil end
  if scope ~= '*' or prog ~= '' then
    local ps = programs(f)
    if not ps then return nil end
    if scope ~= '*' and not meets(ps, scope) then return nil end
    if prog ~= '' and not has(ps, prog) then return nil end
  end
  local obj, objkey = '', nil
  for _, o in ipairs(objects) do
    if f[o[1]] then
      local kind = o[2] or string.match(f.ev or '', '^([%w_]+)%.') or ''
      obj, objkey = kind..' '..f[o[1]], o[1]
      break
    end
  end
  local d = {}
  for _, k in ipairs(order) do
    if k ~= 'ev' and k ~= 'by' and k ~= objkey then d[#d+1] = k..'='..f[k] end
  end
  local detail = table.concat(d, ' ')
  if #detail > dmax then
    local cut = dmax
    while cut > 0 and string.byte(detail, cut + 1) and string.byte(detail, cut + 1) >= 128 and string.byte(detail, cut + 1) < 192 do cut = cut - 1 end
    detail = string.sub(detail, 1, cut)
  end
  return {tostring(math.floor(tonumber(string.match(e[1], '^(%d+)')) / 1000)), who, f.ev or '', obj, detail}
end
local out, examined, last = {'ok', ''}, 0, nil
local start = cur == '' and '+' or '('..cur
while (#out - 2) / 5 < limit and examined < examine do
  local es = redis.call('XREVRANGE', K.audit, start, stop, 'COUNT', math.min(200, examine - examined))
  if #es == 0 then break end
  for _, e in ipairs(es) do
    examined = examined + 1
    last = e[1]
    local it = describe(e)
    if it then for _, v in ipairs(it) do out[#out+1] = v end end
    if (#out - 2) / 5 >= limit or examined >= examine then break end
  end
  start = '('..last
end
if last and #redis.call('XREVRANGE', K.audit, '('..last, stop, 'COUNT', 1) > 0 then out[2] = last end
return out
