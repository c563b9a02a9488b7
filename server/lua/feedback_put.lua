-- feedback_put.lua (SCRIPT_FEEDBACK_PUT): feedback.put: a side rates its match; the program's totals follow.
-- ARGV: prefix id role subject rating comment now by -> ok
--   feedback:<match> keeps one msgpack {rating, comment, at} per side; fbidx:<program> holds "match role"
--   scored by seq:feedback at the side's last call, so feedback.list {program} reads it newest first.
--! uses: keys common msort match
--! idempotent
--! db: feedback_put(match_id, role, subject, rating:int, comment, now, by) -> ok
local id, role, subj = ARGV[2], ARGV[3], ARGV[4]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
local err = side_err(m, id, role, subj) if err then return err end
if m.status ~= 'accepted' and m.status ~= 'active' and m.status ~= 'completed' then return {'conflict', 'match '..id..' is '..m.status..': feedback needs an accepted match', 'match_id'} end
local old = redis.call('HGET', K.feedback..id, role)
redis.call('HSET', K.feedback..id, role, cmsgpack.pack({rating = tonumber(ARGV[5]), comment = ARGV[6], at = tonumber(ARGV[7])}))
if old then
  -- a side's second feedback replaces its first in the program's totals too
  redis.call('HINCRBY', K.fb..m.program, 'sum', tonumber(ARGV[5]) - tonumber(cmsgpack.unpack(old).rating))
else
  redis.call('HINCRBY', K.fb..m.program, 'n', 1)
  redis.call('HINCRBY', K.fb..m.program, 'sum', tonumber(ARGV[5]))
end
redis.call('ZADD', K.fbidx..m.program, redis.call('INCR', K.seq_feedback), id..' '..role)
audit('ev', 'feedback.put', 'match', id, 'side', role, 'rating', ARGV[5], 'by', ARGV[8])
return {'ok'}
