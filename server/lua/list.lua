-- list.lua (SCRIPT_LIST): mentee.list / coach.list: a page of an index, filtered.
-- ARGV: prefix kind index cursor limit province program scope
-- -> ok next-cursor (id blob)... (at most 1000 ids examined per call)
--! uses: keys common
--! db: list(kind, index, cursor, limit:int, province, program, scope) -> page
local kind, idx = ARGV[2], p..ARGV[3]   -- an index named by keys.c, without the prefix
local start = ARGV[4] == '' and '-' or '('..ARGV[4]
local limit, prov, prog, scope = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
local out, examined, last = {'ok', ''}, 0, nil
while (#out - 2) / 2 < limit and examined < 1000 do
  local ids = redis.call('ZRANGEBYLEX', idx, start, '+', 'LIMIT', 0, 100)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    examined = examined + 1
    last = id
    local h = redis.call('HMGET', K[kind]..id, 'p', 'program', 'province')
    local ok = h[1] and (prov == '' or h[3] == prov)
    if ok and prog ~= '' then
      if kind == 'coach' then ok = has(h[2], prog) else ok = (h[2] == prog) end
    end
    if ok and scope ~= '' then
      if kind == 'coach' then ok = meets(h[2], scope) else ok = has(scope, h[2]) end
    end
    if ok then out[#out+1] = id out[#out+1] = h[1] end
    if (#out - 2) / 2 >= limit or examined >= 1000 then break end
  end
  start = '('..last
end
if last and #redis.call('ZRANGEBYLEX', idx, '('..last, '+', 'LIMIT', 0, 1) > 0 then out[2] = last end
return out
