-- run_renew.lua (SCRIPT_RUN_RENEW): match.run: renew the lock while the run computes.
-- ARGV: prefix program run ttl_ms -> ok 1|0 (still the owner)
--! uses: keys common
if redis.call('GET', K.lock_run..ARGV[2]) == ARGV[3] then redis.call('PEXPIRE', K.lock_run..ARGV[2], ARGV[4]) return {'ok', 1} end
return {'ok', 0}
