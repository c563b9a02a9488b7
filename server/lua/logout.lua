-- logout.lua (SCRIPT_LOGOUT): auth.logout: end one token, on every coachnetd (common.lua's end_tokens).
-- ARGV: prefix login token_sha256 -> ok
--! uses: keys common
--! idempotent
--! db: logout(login, tokhash) -> ok
end_tokens(ARGV[2], {ARGV[3]})
audit('ev', 'auth.logout', 'login', ARGV[2])
return {'ok'}
