-- meeting_log.lua (SCRIPT_MEETING_LOG): meeting.log: a meeting of an accepted or active match.
-- ARGV: prefix id role subject date minutes topic now -> ok meeting_id jp_minutes
--! uses: keys common match
--! idempotent
--! db: meeting_log(match_id, role, subject, date, minutes:int, topic, now) -> meeting
local id, role, subj, now = ARGV[2], ARGV[3], ARGV[4], ARGV[8]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
if not ((role == 'mentee' and m.mentee_id == subj) or (role == 'coach' and m.coach_id == subj)) then return {'forbidden', 'match '..id..' is not yours', 'match_id'} end
if m.status ~= 'accepted' and m.status ~= 'active' then return {'conflict', 'match '..id..' is '..m.status..': meetings are logged on active matches', 'match_id'} end
local n = redis.call('INCR', K.seq_meeting)
local mid = 'mt'..n
redis.call('RPUSH', K.meetings..id, cmsgpack.pack({id = mid, date = ARGV[5], minutes = tonumber(ARGV[6]), topic = ARGV[7], by = role}))
local total = redis.call('HINCRBY', K.match..id, 'jp_minutes', tonumber(ARGV[6]))
redis.call('HINCRBY', K.jp..m.program, 'minutes', tonumber(ARGV[6]))
redis.call('HINCRBY', K.jp_mentee..m.mentee_id, string.sub(ARGV[5], 1, 4), tonumber(ARGV[6]))
if m.status == 'accepted' then setstatus(m, 'active', now) notify(id) else redis.call('HSET', K.match..id, 'updated_at', now) end
audit('ev', 'meeting.log', 'match', id, 'meeting', mid, 'minutes', ARGV[6])
return {'ok', mid, total}
