-- feedback_list.lua (SCRIPT_FEEDBACK_LIST): feedback.list: the feedback of a program or of one match.
-- ARGV: prefix program match_id cursor limit role subject scope -> ok next (match by role record)...
--   Exactly one of program and match_id is set (the handler checked it).  program: a coordinator's (the
--   handler checked the scope); fbidx:<program> newest first, from below the cursor (a seq:feedback
--   score), at most limit items; next is the score of the last item when more may follow, else ''.
--   match_id: both sides' feedback of the match (mentee's first), next ''; its sides and the coordinators
--   of its program (scope, csv) may read it.  by is the id of the side (the match's mentee_id or
--   coach_id), record feedback:<match>'s msgpack {rating, comment, at}.
--! uses: keys common msort match
--! db: feedback_list(program, match_id, cursor, limit:int, role, subject, scope) -> strs
local prog, id, cur, limit, role, subj, scope = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
local out = {'ok', ''}
local function item(mid, side, m)
  local rec = redis.call('HGET', K.feedback..mid, side)
  if not rec then return end
  out[#out+1] = mid
  out[#out+1] = side == 'mentee' and m.mentee_id or m.coach_id
  out[#out+1] = side
  out[#out+1] = rec
end
if id ~= '' then
  local m = mget(id)
  if not m then return {'not_found', 'no match '..id, 'match_id'} end
  if role == 'coordinator' then
    if not has(scope, m.program) then return {'forbidden', 'match '..id..' is in program '..m.program..', outside your programs', 'match_id'} end
  else
    local err = side_err(m, id, role, subj) if err then return err end
  end
  item(id, 'mentee', m)
  item(id, 'coach', m)
  return out
end
if cur ~= '' and not string.match(cur, '^%d+$') then return {'invalid_params', 'not a cursor of feedback.list', 'cursor'} end
local max = cur == '' and '+inf' or '('..cur
local got = redis.call('ZREVRANGEBYSCORE', K.fbidx..prog, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local n = math.min(limit, #got / 2)
for i = 1, n do
  local mid, side = string.match(got[2*i-1], '^(%S+) (%S+)$')
  local m = mid and mget(mid)
  if m then item(mid, side, m) end
end
if #got / 2 > limit then out[2] = got[2*n] end
return out
