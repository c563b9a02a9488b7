-- login.lua (SCRIPT_LOGIN): auth.login, before the password check: the user's stored hash,
-- unless the login has failed attempts_per_minute times within the minute (login_fail.lua
-- counts them).  Writes nothing: an attempt for an unknown login leaves no key behind.
-- ARGV: prefix login attempts_per_minute -> ok pwhash role subject programs
--! uses: keys common
--! db: login(login, attempts_per_minute:int) -> user
local u = redis.call('HMGET', K.user..ARGV[2], 'pw', 'role', 'subject', 'programs', 'disabled')
if not u[1] or u[5] == '1' then return {'unauthenticated', 'wrong login or password'} end
local rl = K.rl_login..ARGV[2]
if tonumber(redis.call('GET', rl) or '0') >= tonumber(ARGV[3]) then
  return {'rate_limited', 'too many failed logins for '..ARGV[2]..'; retry in '..math.max(redis.call('TTL', rl), 1)..' s'}
end
return {'ok', u[1], u[2], u[3] or '', u[4] or ''}
