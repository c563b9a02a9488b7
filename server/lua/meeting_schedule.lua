-- meeting_schedule.lua (SCRIPT_MEETING_SCHEDULE): meeting.schedule: a side of an accepted or active match plans a
-- meeting, or moves one it planned before (design.md §9, §10).
-- ARGV: prefix id role subject start minutes place meeting_id now by -> ok meeting_id
--   sched:<match> holds one record per planned meeting, msgpack {id, start, minutes, place, seq, by, status}.
--   meeting_id '' plans a new one (id mt<N> from seq:meeting, seq 0); a meeting_id of the match moves it: start,
--   minutes and place are replaced and seq (the iCalendar SEQUENCE) grows by one, so calendars update the same
--   event (UID = the meeting id).  A cancelled meeting (its match was cancelled) cannot be moved: conflict.
--   start before now is invalid_params.  Both sides get a METHOD:REQUEST invitation through the outbox.
--! uses: keys common msort match
--! idempotent
--! db: meeting_schedule(match_id, role, subject, start:int, minutes:int, place, meeting_id, now, by) -> strs
local id, role, subj, start, minutes, place, mid, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
local err = side_err(m, id, role, subj) if err then return err end
if m.status ~= 'accepted' and m.status ~= 'active' then return {'conflict', 'match '..id..' is '..m.status..': meetings are planned on accepted or active matches', 'match_id'} end
if start < tonumber(now) then return {'invalid_params', 'the start is in the past', 'start'} end
local rec
if mid == '' then
  rec = {id = 'mt'..redis.call('INCR', K.seq_meeting), seq = 0}
else
  local old = redis.call('HGET', K.sched..id, mid)
  if not old then return {'not_found', 'match '..id..' has no planned meeting '..mid, 'meeting_id'} end
  rec = cmsgpack.unpack(old)
  if rec.status == 'cancelled' then return {'conflict', 'meeting '..mid..' was cancelled', 'meeting_id'} end
  rec.seq = rec.seq + 1
end
rec.start, rec.minutes, rec.place, rec.by, rec.status = start, minutes, place, role, 'scheduled'
redis.call('HSET', K.sched..id, rec.id, cmsgpack.pack(rec))
stamp(m, now)  -- updated_at and its sort index (msort.lua)
meeting_mail(m, rec, 'REQUEST', role)
audit('ev', 'meeting.schedule', 'match', id, 'meeting', rec.id, 'start', tostring(start), 'minutes', tostring(minutes), 'seq', tostring(rec.seq), 'side', role, 'by', ARGV[10])
return {'ok', rec.id}
