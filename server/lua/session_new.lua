-- session_new.lua (SCRIPT_SESSION_NEW): auth.login, after the password check: a new token.
-- ARGV: prefix login token_sha256 ttl_seconds -> ok
--! uses: keys common
--! db: session_new(login, tokhash, ttl:int) -> ok
local login, th = ARGV[2], ARGV[3]
if redis.call('HGET', K.user..login, 'disabled') ~= '0' then return {'unauthenticated', 'user disabled'} end
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
