-- program_page.lua (SCRIPT_PROGRAM_PAGE): program.get / program.list: a page
-- of programs in id order.
-- ARGV: prefix id cursor limit scope -> ok next-cursor (id blob)...
-- id given: that program alone (not_found when there is none; a
-- coordinator's handler checked its scope).  Otherwise the programs after
-- cursor: an admin's (scope "") from idx:program, a coordinator's from its
-- scope (at most 16 programs, its user's csv), each one that exists.
--! uses: keys common
--! db: program_page(id, cursor, limit:int, scope) -> page
local id, cursor, limit, scope = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if id ~= '' then
  local blob = redis.call('HGET', K.program..id, 'p')
  if not blob then return {'not_found', 'no program '..id, 'id'} end
  return {'ok', '', id, blob}
end
local ids
if scope == '' then
  ids = redis.call('ZRANGEBYLEX', K.idx_program, cursor == '' and '-' or '('..cursor, '+', 'LIMIT', 0, limit + 1)
else
  ids = {}
  for _, x in ipairs(split(scope)) do if x > cursor then ids[#ids+1] = x end end
  table.sort(ids)
end
local out, n = {'ok', ''}, 0
for _, x in ipairs(ids) do
  local blob = redis.call('HGET', K.program..x, 'p')
  if blob then
    if n == limit then out[2] = out[#out-1] break end
    out[#out+1] = x out[#out+1] = blob
    n = n + 1
  end
end
return out
