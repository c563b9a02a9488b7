-- login_fail.lua (SCRIPT_LOGIN_FAIL): auth.login, after a wrong password for an existing
-- login: one more failure in its minute (login.lua refuses the login at the limit).  The
-- only write of a failed login; nothing when the user is gone meanwhile.
-- ARGV: prefix login -> ok
--! uses: keys common
--! db: login_fail(login) -> ok
if redis.call('EXISTS', K.user..ARGV[2]) == 0 then return {'ok'} end
local rl = K.rl_login..ARGV[2]
if redis.call('INCR', rl) == 1 then redis.call('EXPIRE', rl, 60) end
return {'ok'}
