-- meeting_list.lua (SCRIPT_MEETING_LIST): meeting.list: the meetings of a match, by date.
-- ARGV: prefix id role subject scope -> ok record... : the values of meeting:<match> (meeting_log.lua's
--   msgpack records) in date order.  A mentee or coach sees the meetings of its own matches, a coordinator
--   those of matches in its programs (scope, csv); anyone else's match is forbidden.
--! uses: keys common msort match
--! db: meeting_list(match_id, role, subject, scope) -> strs
local id, role, subj, scope = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
if role == 'coordinator' then
  if not has(scope, m.program) then return {'forbidden', 'match '..id..' is in program '..m.program..', outside your programs', 'match_id'} end
else
  local err = side_err(m, id, role, subj) if err then return err end
end
local h = redis.call('HGETALL', K.meeting..id)
local dates = {}
for i = 1, #h, 2 do dates[#dates+1] = {h[i], h[i+1]} end
table.sort(dates, function(a, b) return a[1] < b[1] end)
local out = {'ok'}
for _, d in ipairs(dates) do out[#out+1] = d[2] end
return out
