-- pw_change.lua (SCRIPT_PW_CHANGE): auth.change_password, after the old password was
-- checked on a hash thread against old_hash (read by login.lua).
-- ARGV: prefix login verified old_hash new_hash keep
-- verified 1: new_hash takes old_hash's place, unless the stored hash changed since it was
-- read (`conflict`: a password set meanwhile wins); every session of the login but the
-- caller's (token hash keep) ends on every coachnetd; the failed attempts are forgotten.
-- verified 0 (a wrong old password): one more failed attempt, counted as login_fail.lua
-- counts a login's, then `forbidden`.  Both go through idem_run: a repeated request_id
-- whose first call changed the password (so that the old one no longer matches) is
-- answered from that first call, not refused.
--! uses: keys common
--! idempotent
--! db: pw_change(login, verified:int, old_hash, new_hash, keep) -> ok
local k, rl = K.user..ARGV[2], K.rl_login..ARGV[2]
if ARGV[3] ~= '1' then
  if redis.call('EXISTS', k) == 1 and redis.call('INCR', rl) == 1 then redis.call('EXPIRE', rl, 60) end
  return {'forbidden', 'the old password is wrong', 'old_password'}
end
local u = redis.call('HMGET', k, 'pw', 'disabled')
if not u[1] or u[2] == '1' then return {'unauthenticated', 'user '..ARGV[2]..' is disabled or gone'} end
if u[1] ~= ARGV[4] then return {'conflict', 'the password was changed meanwhile; try again'} end
redis.call('HSET', k, 'pw', ARGV[5])
redis.call('DEL', rl)
end_sessions(ARGV[2], ARGV[6])
audit('ev', 'auth.change_password', 'login', ARGV[2])
return {'ok'}
