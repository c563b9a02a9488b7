-- run_get.lua (SCRIPT_RUN_GET): run.get: one run record (run.lua's record()).
-- ARGV: prefix run_id scope -> ok id program status draft published_at policy stats started_at finished_at by
--! uses: keys common run
--! db: run_get(run_id, scope) -> run
local run, scope = ARGV[2], ARGV[3]
local rec = record(run)
if not rec then return {'not_found', 'no run '..run, 'run_id'} end
if not has(scope, rec[2]) then return {'forbidden', 'run '..run..' is of program '..rec[2]..', outside your programs', 'run_id'} end
return {'ok', unpack(rec)}
