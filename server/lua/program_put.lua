-- program_put.lua (SCRIPT_PROGRAM_PUT): program.put: create or replace a
-- program (DESIGN §9).
-- ARGV: prefix id blob name year self_service jp_target scope by now -> ok
-- blob is the canonical msgpack program (proto_program_pack); the other
-- fields are kept beside it for the scripts that read one of them
-- (match.request: self_service; jp.get: jp_target).  scope: a
-- coordinator's programs ("" for an admin): a coordinator may replace a
-- program of its scope, never create one.
--! uses: keys common
--! idempotent
--! db: program_put(id, blob:bytes, name, year:int, self_service:int, jp_target:int, scope, by, now) -> ok
local id, scope = ARGV[2], ARGV[8]
local k = K.program..id
local exists = redis.call('EXISTS', k) == 1
if scope ~= '' then
  if not has(scope, id) then return {'forbidden', 'program '..id..' is outside your programs', 'program.id'} end
  if not exists then return {'forbidden', 'only an admin creates a program', 'program.id'} end
end
redis.call('HSET', k, 'p', ARGV[3], 'name', ARGV[4], 'year', ARGV[5], 'self_service', ARGV[6],
           'jp_target', ARGV[7], 'updated_at', ARGV[10], 'updated_by', ARGV[9])
redis.call('ZADD', K.idx_program, 0, id)
audit('ev', exists and 'program.update' or 'program.create', 'program', id, 'by', ARGV[9])
return {'ok'}
