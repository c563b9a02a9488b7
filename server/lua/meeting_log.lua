-- meeting_log.lua (SCRIPT_MEETING_LOG): meeting.log: a meeting of an accepted or active match, one per match and date.
-- ARGV: prefix id role subject date day_end minutes topic now by target_default
--   -> ok meeting_id confirmed minutes year_minutes jp_target
--   day_end is the first second after `date` in the server's time zone (the handler has refused a date
--   in the future).  A date that ends before the match was accepted (accepted_at; created_at for a match
--   accepted before accepted_at was kept) is invalid_params.
--   meeting:<match> holds one record per date, msgpack {id, date, minutes, topic, logged_by, at,
--   confirmed_by?, confirmed_at?} (logged_by, confirmed_by: 'mentee' or 'coach').  The first side to
--   log a date creates it and counts its minutes (the match's jp_minutes, jp:<program>, and the
--   mentee's year in jp:mentee:<id>); the other side logging the same date confirms it (its own
--   minutes and topic are not used) and counts nothing; a side logging a date it already logged or
--   confirmed is conflict.  The reply: the record's id, '1' when this call confirmed it, the record's
--   minutes, the mentee's minutes of the date's year after this call, and the mentee's JP target as
--   jp.get answers it (jp_get.lua): the jp_target of the mentee's current program, target_default when
--   that program sets none.  The minutes are the mentee's, whatever program the match is in, so the
--   target is too: a mentee moved to another program sees the same target from both methods.
--! uses: keys common msort match
--! idempotent
--! db: meeting_log(match_id, role, subject, date, day_end:int, minutes:int, topic, now, by, target_default:int) -> meeting
local id, role, subj, date, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[9]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
local err = side_err(m, id, role, subj) if err then return err end
if m.status ~= 'accepted' and m.status ~= 'active' then return {'conflict', 'match '..id..' is '..m.status..': meetings are logged on active matches', 'match_id'} end
if tonumber(ARGV[6]) <= tonumber(m.accepted_at or m.created_at or '0') then return {'invalid_params', date..' is before match '..id..' was accepted', 'date'} end
local year = string.sub(date, 1, 4)
local old = redis.call('HGET', K.meeting..id, date)
local rec, confirmed
if old then
  rec = cmsgpack.unpack(old)
  if rec.logged_by == role or rec.confirmed_by then return {'conflict', 'the meeting of '..date..' is already logged'..(rec.confirmed_by and ' and confirmed' or ' by you'), 'date'} end
  rec.confirmed_by, rec.confirmed_at, confirmed = role, tonumber(now), true
else
  rec = {id = 'mt'..redis.call('INCR', K.seq_meeting), date = date, minutes = tonumber(ARGV[7]), topic = ARGV[8], logged_by = role, at = tonumber(now)}
  redis.call('HINCRBY', K.match..id, 'jp_minutes', rec.minutes)
  redis.call('HINCRBY', K.jp..m.program, 'minutes', rec.minutes)
  redis.call('HINCRBY', K.jp_mentee..m.mentee_id, year, rec.minutes)
end
redis.call('HSET', K.meeting..id, date, cmsgpack.pack(rec))
if m.status == 'accepted' then setstatus(m, 'active', now) notify(id) else stamp(m, now) end
audit('ev', 'meeting.log', 'match', id, 'meeting', rec.id, 'date', date, 'minutes', tostring(rec.minutes), 'side', role, 'confirms', confirmed and '1' or '0', 'by', ARGV[10])
local prog = redis.call('HGET', K.mentee..m.mentee_id, 'program') or m.program
local target = tonumber(redis.call('HGET', K.program..prog, 'jp_target') or ARGV[11])
return {'ok', rec.id, confirmed and '1' or '0', rec.minutes, tonumber(redis.call('HGET', K.jp_mentee..m.mentee_id, year) or '0'), target}
