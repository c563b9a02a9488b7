-- user_disable.lua (SCRIPT_USER_DISABLE): user.disable: disable a user and end its sessions on every
-- coachnetd (common.lua's end_sessions).
-- ARGV: prefix login by
--! uses: keys common
--! idempotent
--! db: user_disable(login, by) -> ok
local k = K.user..ARGV[2]
if redis.call('EXISTS', k) == 0 then return {'not_found', 'no user '..ARGV[2]} end
redis.call('HSET', k, 'disabled', '1')
end_sessions(ARGV[2], nil)
audit('ev', 'user.disable', 'login', ARGV[2], 'by', ARGV[3])
return {'ok'}
