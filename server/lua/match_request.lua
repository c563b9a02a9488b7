-- match_request.lua (SCRIPT_MATCH_REQUEST): match.request: a mentee asks a coach (takes a seat).
-- ARGV: prefix mentee coach score explain now unworkable by -> ok flat
-- Only in a self-service program (program:<id>'s self_service, DESIGN §9).  The coach hears of it on the outbox.
-- unworkable: '' or the hard constraint (methods_match.c) that makes the pair unworkable
-- whoever asks; refused here, not before the script, so that a repeated request_id gets
-- its first answer even when a profile edited since made the pair unworkable.
--! uses: keys common msort match
--! idempotent
--! db: match_request(mentee_id, coach_id, score:int, explain:bytes, now, unworkable, by) -> match
local mentee, coach, now = ARGV[2], ARGV[3], ARGV[6]
local me = redis.call('HMGET', K.mentee..mentee, 'program', 'match')
if not me[1] then return {'not_found', 'no mentee profile '..mentee..': put it first'} end
if redis.call('HGET', K.program..me[1], 'self_service') ~= '1' then
  return {'forbidden', 'program '..me[1]..' is not self-service: its coordinator proposes the matches'}
end
if me[2] then return {'conflict', 'mentee '..mentee..' already has the live match '..me[2]} end
local co = redis.call('HMGET', K.coach..coach, 'program', 'capacity')
if not co[2] then return {'not_found', 'no coach '..coach, 'coach_id'} end
if not has(co[1], me[1]) then return {'forbidden', 'coach '..coach..' does not coach in program '..me[1], 'coach_id'} end
if redis.call('SISMEMBER', K.forbid..me[1], mentee..' '..coach) == 1 then return {'forbidden', 'the coordinator forbade this pair', 'coach_id'} end
if ARGV[7] ~= '' then return {'conflict', 'this coach cannot take you: '..ARGV[7], 'coach_id'} end
if load(coach) >= capacity(coach) then return {'capacity_full', 'coach '..coach..' has no free capacity', 'coach_id'} end
local id = newmatch(me[1], mentee, coach, 'requested', ARGV[4], '', ARGV[5], now)
local m = mget(id)
take(m)
tell(m)
audit('ev', 'match.request', 'id', id, 'mentee', mentee, 'coach', coach, 'by', ARGV[8])
mail('requested', m, 'coach:'..coach, 'mentee')
return {'ok', notify(id)}
