-- resume.lua (SCRIPT_RESUME): auth.resume: the session of a token.
-- ARGV: prefix token_sha256 -> ok login role subject programs ttl_seconds
--! uses: keys common
--! db: resume(tokhash) -> session
local tk = K.tok..ARGV[2]
local login = redis.call('GET', tk)
if not login then return {'unauthenticated', 'unknown or expired token'} end
local u = redis.call('HMGET', K.user..login, 'role', 'subject', 'programs', 'disabled')
if not u[1] or u[4] ~= '0' then return {'unauthenticated', 'user disabled'} end
return {'ok', login, u[1], u[2] or '', u[3] or '', redis.call('TTL', tk)}
