-- match_review.lua (SCRIPT_MATCH_REVIEW): match.review: a coordinator decides on matches.
-- ARGV: prefix scope decision note now by id... -> ok (id status code msg)...
-- (by: the coordinator's login, the author of the note kept on each match decided)
-- Approve, cancel and complete put their message for both sides on the outbox (match.lua's mail()).
--! uses: keys common msort match
--! idempotent
--! db: match_review(scope, decision, note, now, by, match_ids:strs) -> review
local scope, dec, note, now, by = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
for i = 7, #ARGV do
  local pr = redis.call('HGET', K.match..ARGV[i], 'program')
  if pr and not has(scope, pr) then return {'forbidden', 'match '..ARGV[i]..' is in program '..pr..', outside your programs', 'match_ids'} end
end
local out = {'ok'}
local function res(id, st, code, msg) out[#out+1] = id out[#out+1] = st out[#out+1] = code out[#out+1] = msg end
for i = 7, #ARGV do
  local id = ARGV[i]
  local m = mget(id)
  if not m then res(id, '', 'not_found', 'no match '..id)
  elseif not has(scope, m.program) then res(id, '', 'forbidden', 'match '..id..' is in program '..m.program..', outside your programs')
  elseif dec == 'approve' then
    local cur = redis.call('HGET', K.mentee..m.mentee_id, 'match')
    if m.status ~= 'proposed' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not proposed')
    elseif cur then res(id, '', 'conflict', 'mentee '..m.mentee_id..' already has the live match '..cur)
    elseif not take(m) then res(id, '', 'capacity_full', 'coach '..m.coach_id..' has no free capacity')
    else
      setstatus(m, 'approved', now)
      redis.call('SREM', K.proposed..m.program, id)
      redis.call('HDEL', K.wait..m.program, m.mentee_id)
      tell(m) notify(id) mail('approved', m, sides(m), by) res(id, 'approved', '', '')
    end
  elseif dec == 'reject' then
    if m.status ~= 'proposed' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not proposed')
    else setstatus(m, 'rejected', now) redis.call('SREM', K.proposed..m.program, id) waitlist(m) res(id, 'rejected', '', '') end
  elseif dec == 'cancel' then
    if not LIVE[m.status] then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not live')
    else setstatus(m, 'cancelled', now) release(m) notify(id) mail('cancelled', m, sides(m), by) cancel_meetings(m, now) res(id, 'cancelled', '', '') end
  elseif dec == 'complete' then
    if m.status ~= 'active' and m.status ~= 'accepted' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not active')
    else setstatus(m, 'completed', now) release(m) notify(id) mail('completed', m, sides(m), by) cancel_meetings(m, now) res(id, 'completed', '', '') end
  end
  if out[#out-1] == '' then audit('ev', 'match.review', 'id', id, 'decision', dec, 'status', out[#out-2], 'note', note, 'by', by) addnote(id, by, 'coordinator', note, now) end
end
return out
