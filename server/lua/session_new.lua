-- session_new.lua (SCRIPT_SESSION_NEW): auth.login, after the password check: a new token,
-- unless the stored hash is no longer the one the password was checked against (a
-- user.set_password or auth.change_password between login.lua and here: its end of the
-- user's sessions came before this token, which would otherwise outlive the reset).
-- ARGV: prefix login token_sha256 ttl_seconds pw_hash -> ok
--! uses: keys common
--! db: session_new(login, tokhash, ttl:int, pwhash) -> ok
local login, th = ARGV[2], ARGV[3]
local u = redis.call('HMGET', K.user..login, 'disabled', 'pw')
if u[1] ~= '0' then return {'unauthenticated', 'user disabled'} end
if u[2] ~= ARGV[5] then return {'unauthenticated', 'wrong login or password'} end
redis.call('SET', K.tok..th, login, 'EX', ARGV[4])
local set = K.utok..login
if redis.call('SCARD', set) > 64 then
  for _, t in ipairs(redis.call('SMEMBERS', set)) do
    if redis.call('EXISTS', K.tok..t) == 0 then redis.call('SREM', set, t) end
  end
end
redis.call('SADD', set, th)
audit('ev', 'auth.login', 'login', login)
return {'ok'}
