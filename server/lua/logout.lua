-- logout.lua (SCRIPT_LOGOUT): auth.logout: end one token, on every coachnetd (common.lua's end_tokens).
-- ARGV: prefix login token_sha256 -> ok
-- Not idempotent-keyed although auth.logout takes a request_id: the token it ends is the caller's
-- session's, not a param, so an answer kept for an earlier logout with the same request_id (of
-- another token, deleted then) would answer a later one without deleting its token.  Deleting a
-- token is idempotent by itself: a repeat deletes the caller's token and answers {} again.
--! uses: keys common
--! db: logout(login, tokhash) -> ok
end_tokens(ARGV[2], {ARGV[3]})
audit('ev', 'auth.logout', 'login', ARGV[2])
return {'ok'}
