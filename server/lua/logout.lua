-- logout.lua (SCRIPT_LOGOUT): auth.logout: end one token.
-- ARGV: prefix login token_sha256 -> ok
--! uses: keys common
--! idempotent
--! db: logout(login, tokhash) -> ok
redis.call('DEL', K.tok..ARGV[3])
redis.call('SREM', K.utok..ARGV[2], ARGV[3])
audit('ev', 'auth.logout', 'login', ARGV[2])
return {'ok'}
