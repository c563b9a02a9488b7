-- login.lua (SCRIPT_LOGIN): auth.login, before the password check: the per-login rate
-- limit, then the user's stored hash.
-- ARGV: prefix login attempts_per_minute -> ok pwhash role subject programs
--! uses: keys common
--! db: login(login, attempts_per_minute:int) -> user
local rl = K.rl_login..ARGV[2]
local n = redis.call('INCR', rl)
if n == 1 then redis.call('EXPIRE', rl, 60) end
if n > tonumber(ARGV[3]) then return {'rate_limited', 'too many login attempts for '..ARGV[2]..'; retry in '..redis.call('TTL', rl)..' s'} end
local u = redis.call('HMGET', K.user..ARGV[2], 'pw', 'role', 'subject', 'programs', 'disabled')
if not u[1] or u[5] == '1' then return {'unauthenticated', 'wrong login or password'} end
return {'ok', u[1], u[2], u[3] or '', u[4] or ''}
