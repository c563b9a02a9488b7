-- user_set_password.lua (SCRIPT_USER_SET_PASSWORD): user.set_password: store a new password
-- hash and end every session of the user on every coachnetd (common.lua's end_sessions).
-- ARGV: prefix login pwhash by scope
-- scope (a coordinator's programs, "" for an admin): the user must be a mentee or coach
-- user whose subject's profile lies in it, as user_create.lua asks of a new one.  The
-- login's failed attempts are forgotten: the new password starts with a clean count.
--! uses: keys common
--! idempotent
--! db: user_set_password(login, pw_hash, by, scope) -> ok
local k, scope = K.user..ARGV[2], ARGV[5]
local u = redis.call('HMGET', k, 'role', 'subject')
if not u[1] then return {'not_found', 'no user '..ARGV[2], 'login'} end
if scope ~= '' then
  local role, subj = u[1], u[2] or ''
  if role ~= 'mentee' and role ~= 'coach' then
    return {'forbidden', 'a coordinator may only set the passwords of mentee and coach users', 'login'}
  end
  local prog = redis.call('HGET', K[role]..subj, 'program')
  local ok = prog and ((role == 'mentee' and has(scope, prog)) or (role == 'coach' and meets(prog, scope)))
  if not ok then return {'forbidden', 'user '..ARGV[2]..' is outside your programs', 'login'} end
end
redis.call('HSET', k, 'pw', ARGV[3])
redis.call('DEL', K.rl_login..ARGV[2])
end_sessions(ARGV[2], nil)
audit('ev', 'user.set_password', 'login', ARGV[2], 'by', ARGV[4])
return {'ok'}
