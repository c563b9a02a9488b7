-- run_waitlist.lua (SCRIPT_RUN_WAITLIST): match.run, after the switch: settle a chunk of the waitlist.
-- ARGV: prefix run program now limit -> ok more (1: call again; 0: the run is done)
--! uses: keys common run
local run, prog, now, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not redis.call('HGET', K.run..run, 'published_at') then return {'conflict', 'run '..run..' is not published'} end
return {'ok', settle(run, prog, now, limit) and 1 or 0}
