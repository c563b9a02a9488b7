-- run_waitlist.lua (SCRIPT_RUN_WAITLIST): match.run and run.publish, after the switch: settle a chunk
-- (run.lua's settle(): up to slimit superseded proposals rewritten, or, once none is left, up to limit
-- mentees of the waitlist).
-- ARGV: prefix run program now limit slimit -> ok more (1: call again; 0: the run is done)
--! uses: keys common msort run
local run, prog, now, limit, slimit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if not redis.call('HGET', K.run..run, 'published_at') then return {'conflict', 'run '..run..' is not published'} end
return {'ok', settle(run, prog, now, limit, slimit) and 1 or 0}
