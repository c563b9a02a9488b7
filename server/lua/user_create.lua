-- user_create.lua (SCRIPT_USER_CREATE): user.create and coachnetd --add-user.
-- ARGV: prefix login pwhash role subject programs now by scope
-- scope (a coordinator's programs, "" for an admin): the subject's profile
-- must exist and lie in it.
--! uses: keys common
--! idempotent
--! db: user_create(login, pw_hash, role, subject, programs, now, by, scope) -> ok
local k = K.user..ARGV[2]
local role, subj, scope = ARGV[4], ARGV[5], ARGV[9] or ''
if scope ~= '' and (role == 'mentee' or role == 'coach') then
  local h = redis.call('HMGET', K[role]..subj, 'v', 'program')
  if not h[1] then return {'not_found', 'no '..role..' profile '..subj..': put it first', 'subject'} end
  local ok = (role == 'mentee' and has(scope, h[2])) or (role == 'coach' and (h[2] == '' or meets(h[2], scope)))
  if not ok then return {'forbidden', role..' '..subj..' is outside your programs', 'subject'} end
end
if redis.call('EXISTS', k) == 1 then return {'conflict', 'user '..ARGV[2]..' exists', 'login'} end
redis.call('HSET', k, 'login', ARGV[2], 'pw', ARGV[3], 'role', ARGV[4], 'subject', ARGV[5], 'programs', ARGV[6], 'disabled', '0', 'created_at', ARGV[7])
audit('ev', 'user.create', 'login', ARGV[2], 'role', ARGV[4], 'by', ARGV[8])
return {'ok'}
