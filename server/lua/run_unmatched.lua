-- run_unmatched.lua (SCRIPT_RUN_UNMATCHED): run.unmatched: a page of a run's unmatched mentees.
-- ARGV: prefix run_id reason cursor limit scope
-- -> ok next-cursor (mentee name reason)... (cursor: the last "<reason>:<mentee>" member)
-- unmatched:<run> holds "<reason>:<mentee>" with score 0, so a page is one ZRANGEBYLEX, by reason
-- then mentee id, and a reason is a range of it.  The name is read from the mentee's stored
-- profile ('' when the mentee is gone).  Shown once the run's store is complete: a published
-- run, or a finished draft; a running, failed or cancelled one has none to show.
--! uses: keys common
--! db: run_unmatched(run_id, reason, cursor, limit:int, scope) -> unmatched
local run, reason, cur, limit, scope = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local h = redis.call('HMGET', K.run..run, 'program', 'status', 'published_at')
if not h[1] then return {'not_found', 'no run '..run, 'run_id'} end
if not has(scope, h[1]) then return {'forbidden', 'run '..run..' is of program '..h[1]..', outside your programs', 'run_id'} end
local out = {'ok', ''}
if not h[3] and h[2] ~= 'done' then return out end
local idx = K.run_unmatched..run
local min, max = '-', '+'
if reason ~= '' then min, max = '['..reason..':', '('..reason..';' end   -- ':' < ';': the reason's members
if cur ~= '' and (reason == '' or cur >= reason..':') then min = '('..cur end
local ms = redis.call('ZRANGEBYLEX', idx, min, max, 'LIMIT', 0, limit)
for _, x in ipairs(ms) do
  local r, id = string.match(x, '^([^:]+):(.+)$')
  local p = id and redis.call('HGET', K.mentee..id, 'p')
  local name = p and cmsgpack.unpack(p).name
  out[#out+1] = id or x
  out[#out+1] = type(name) == 'string' and name or ''
  out[#out+1] = r or ''
end
if #ms == limit and #redis.call('ZRANGEBYLEX', idx, '('..ms[#ms], max, 'LIMIT', 0, 1) > 0 then out[2] = ms[#ms] end
return out
