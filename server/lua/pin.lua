-- pin.lua (SCRIPT_PIN): match.pin / match.forbid: a coordinator's pair rules.
-- ARGV: prefix kind(pin|forbid) program mentee coach by -> ok
--! uses: keys common
--! idempotent
--! db: pin(kind, program, mentee_id, coach_id, by) -> ok
local kind, prog, mentee, coach = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local bad = no_program(prog, 'program')
if bad then return bad end
local mp = redis.call('HGET', K.mentee..mentee, 'program')
if not mp then return {'not_found', 'no mentee '..mentee, 'mentee_id'} end
if mp ~= prog then return {'invalid_params', 'mentee '..mentee..' is in program '..mp..', not '..prog, 'mentee_id'} end
local cp = redis.call('HGET', K.coach..coach, 'program')
if not cp then return {'not_found', 'no coach '..coach, 'coach_id'} end
if not has(cp, prog) then return {'invalid_params', 'coach '..coach..' does not coach in program '..prog, 'coach_id'} end
local pair = mentee..' '..coach
if kind == 'pin' then
  redis.call('HSET', K.pin..prog, mentee, coach)
  redis.call('SREM', K.forbid..prog, pair)
else
  redis.call('SADD', K.forbid..prog, pair)
  if redis.call('HGET', K.pin..prog, mentee) == coach then redis.call('HDEL', K.pin..prog, mentee) end
end
touch(prog)
audit('ev', 'match.'..kind, 'program', prog, 'mentee', mentee, 'coach', coach, 'by', ARGV[6])
return {'ok'}
