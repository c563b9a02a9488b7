-- mail_remind.lua (SCRIPT_MAIL_REMIND): coachnet-mailer's reminder job, one page of one program's matches
-- (design.md §10).
-- ARGV: prefix program cursor limit now after_s meet_after_s -> ok next n
--   Walks idx:match:prog:<program> after score `cursor` ('' from the start), `limit` matches a call; next is the
--   last score read when more follow, else ''; n counts the reminders written.  A reminder is an outbox entry
--   of kind `reminder` (common.lua's outbox()) with `reason`:
--     response  an approved match a side has not accepted (to that side) or a requested match (to the coach),
--               unchanged (updated_at) for after_s seconds (remind-after-days);
--     meeting   an accepted match (no meeting logged yet: a logged meeting makes it active) with no meeting
--               planned (sched:<match>), accepted meet_after_s seconds ago (meeting-remind-days), to both sides.
--   The match's field `reminded` ('r<updated_at>' / 'm<accepted_at>') keeps each reminder once per waiting period,
--   whichever mailer and however often the job runs.
--! uses: keys common msort match
local prog, cur, limit, now, after, meet = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local ids = redis.call('ZRANGEBYSCORE', K.idx_match_prog..prog, cur == '' and '-inf' or '('..cur, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
local n = 0
for i = 1, #ids, 2 do
  local m = mget(ids[i])
  if m then
    local to, mark = nil, nil
    if (m.status == 'approved' or m.status == 'requested') and now - tonumber(m.updated_at) > after then
      mark = 'r'..m.updated_at
      if m.status == 'requested' then to = 'coach:'..m.coach_id
      else
        local t = {}
        if m.mentee_ok ~= '1' then t[#t+1] = 'mentee:'..m.mentee_id end
        if m.coach_ok ~= '1' then t[#t+1] = 'coach:'..m.coach_id end
        to = table.concat(t, ',')
      end
    elseif m.status == 'accepted' and now - tonumber(m.accepted_at or m.updated_at) > meet and redis.call('EXISTS', K.sched..m.id) == 0 then
      mark, to = 'm'..(m.accepted_at or m.updated_at), sides(m)
    end
    if to and to ~= '' and m.reminded ~= mark then
      redis.call('HSET', K.match..m.id, 'reminded', mark)
      outbox('reminder', to, 'match', m.id, 'program', m.program, 'mentee', m.mentee_id, 'coach', m.coach_id, 'status', m.status, 'reason', string.sub(mark, 1, 1) == 'r' and 'response' or 'meeting')
      n = n + 1
    end
  end
end
return {'ok', #ids == 2 * limit and ids[#ids] or '', tostring(n)}
