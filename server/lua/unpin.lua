-- unpin.lua (SCRIPT_UNPIN): match.unpin / match.unforbid: a coordinator takes
-- back one of its pair rules (pin.lua made it).
-- ARGV: prefix kind(unpin|unforbid) program mentee coach by -> ok
-- not_found when the program has no such rule.
--! uses: keys common
--! idempotent
--! db: unpin(kind, program, mentee_id, coach_id, by) -> ok
local kind, prog, mentee, coach = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if kind == 'unpin' then
  if redis.call('HGET', K.pin..prog, mentee) ~= coach then
    return {'not_found', 'no pin of '..mentee..' with '..coach..' in program '..prog, 'coach_id'}
  end
  redis.call('HDEL', K.pin..prog, mentee)
else
  if redis.call('SREM', K.forbid..prog, mentee..' '..coach) == 0 then
    return {'not_found', 'no forbid of '..mentee..' with '..coach..' in program '..prog, 'coach_id'}
  end
end
touch(prog)
audit('ev', 'match.'..kind, 'program', prog, 'mentee', mentee, 'coach', coach, 'by', ARGV[6])
return {'ok'}
