-- run_list.lua (SCRIPT_RUN_LIST): run.list: a page of a program's runs, newest first.
-- ARGV: prefix program cursor limit (the handler has checked the program is in the caller's scope)
-- -> ok next-cursor (10 fields of run.lua's record())... (cursor: the run number to go on below)
--! uses: keys common run
--! db: run_list(program, cursor, limit:int) -> runs
local prog, cur, limit = ARGV[2], ARGV[3], tonumber(ARGV[4])
local idx = K.idx_run_prog..prog
local max = cur == '' and '+inf' or '('..cur
local ids = redis.call('ZREVRANGEBYSCORE', idx, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit)
local out = {'ok', ''}
for i = 1, #ids, 2 do
  local rec = record(ids[i])
  if rec then for _, x in ipairs(rec) do out[#out+1] = x end end
end
if #ids == 2 * limit and #redis.call('ZREVRANGEBYSCORE', idx, '('..ids[#ids], '-inf', 'LIMIT', 0, 1) > 0 then out[2] = ids[#ids] end
return out
