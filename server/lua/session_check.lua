-- session_check.lua (SCRIPT_SESSION_CHECK): the periodic session check (server/sesscheck.c): which of
-- these sessions Redis still holds: the token key is there and its user is not disabled.
-- ARGV: prefix token_sha256... -> ok flags   (flags: one character per token, in order: 1 holds, 0 ended)
--! uses: keys common
local out = {}
for i = 2, #ARGV do
  local login = redis.call('GET', K.tok..ARGV[i])
  out[#out+1] = (login and redis.call('HGET', K.user..login, 'disabled') == '0') and '1' or '0'
end
return {'ok', table.concat(out)}
