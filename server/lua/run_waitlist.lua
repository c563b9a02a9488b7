-- run_waitlist.lua (SCRIPT_RUN_WAITLIST): match.run and run.publish, after the switch: settle a chunk
-- (run.lua's settle(): up to slimit superseded proposals rewritten, or, once none is left, up to limit
-- mentees of the waitlist).
-- ARGV: prefix run program now limit slimit ttl_ms -> ok more us (more 1: call again; 0: the run is
-- done; us: the script's own run time in microseconds, Redis' TIME, by which runs.c sizes the next)
-- Each chunk renews the run's lock for ttl_ms while the run holds it: run.publish's settle of a draft
-- has no renew timer of its own (runs.c's run has one), and at 1,000,000 mentees its chunks (150,000
-- superseded proposals, 850,000 waitlisted mentees) outlast a lock of run-lock-ttl-ms.
--! uses: keys common msort run
local t0 = redis.call('TIME')
local run, prog, now, limit, slimit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if not redis.call('HGET', K.run..run, 'published_at') then return {'conflict', 'run '..run..' is not published'} end
if redis.call('GET', K.lock_run..prog) == run then redis.call('PEXPIRE', K.lock_run..prog, ARGV[7]) end
local more = settle(run, prog, now, limit, slimit) and 1 or 0
return {'ok', more, us_since(t0)}
