-- match_list.lua (SCRIPT_MATCH_LIST): match.list: a page of a program's or a run's matches.
-- ARGV: prefix run_id program status min_score cursor limit scope
-- -> ok next-cursor flat... (cursor: the match sequence number; each with both cards)
--! uses: keys common match
--! db: match_list(run_id, program, status, min_score:int, cursor, limit:int, scope) -> matches_page
local run, prog, st, mins, cur, limit, scope = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]), ARGV[8]
local idx, draft = nil, false
if run ~= '' then
  local rp = redis.call('HGET', K.run..run, 'program')
  if not rp then return {'not_found', 'no run '..run, 'run_id'} end
  if not has(scope, rp) then return {'forbidden', 'run '..run..' is of program '..rp..', outside your programs', 'run_id'} end
  if prog ~= '' and prog ~= rp then return {'invalid_params', 'run '..run..' is of program '..rp, 'program'} end
  -- staged: nothing to show yet; but a finished draft's proposals are shown by run_id (only)
  draft = redis.call('HGET', K.run..run, 'draft') == '1' and redis.call('HGET', K.run..run, 'status') == 'done'
  if not visible(run) and not draft then return {'ok', ''} end
  idx = K.idx_match_run..run
else idx = K.idx_match_prog..prog end
local min = cur == '' and '-inf' or '('..cur
local out, examined, last = {'ok', ''}, 0, nil
while #out - 2 < limit and examined < 2000 do
  local ids = redis.call('ZRANGEBYSCORE', idx, min, '+inf', 'WITHSCORES', 'LIMIT', 0, 200)
  if #ids == 0 then break end
  for i = 1, #ids, 2 do
    examined = examined + 1
    last = ids[i+1]
    local h = redis.call('HMGET', K.match..ids[i], 'status', 'score', 'run_id')
    if h[1] and (st == '' or h[1] == st) and tonumber(h[2] or '0') >= mins and (draft or visible(h[3])) then out[#out+1] = cards(flat(ids[i]), 'coordinator') end
    if #out - 2 >= limit or examined >= 2000 then break end
  end
  min = '('..last
end
if last and #redis.call('ZRANGEBYSCORE', idx, '('..last, '+inf', 'LIMIT', 0, 1) > 0 then out[2] = last end
return out
