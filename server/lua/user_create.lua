-- user_create.lua (SCRIPT_USER_CREATE): user.create and coachnetd --add-user.
-- ARGV: prefix login pwhash role subject programs now by scope rebind email language
-- scope (a coordinator's programs, "" for an admin): the subject's profile
-- must exist and lie in it.
-- A subject has at most one user: subj:<role>:<id> holds its login, also
-- while that user is disabled.  A second user for it is `conflict`, unless
-- rebind is 1 (an admin's user.create; --add-user leaves it out) and the
-- bound user is disabled: the subject then moves to the new login.  An
-- index entry whose user no longer speaks for the subject is stale and is
-- overwritten.  Every login is in idx:user (user.list).
-- email and language ('' none; --add-user leaves them out) are kept for the
-- mail of a user without a profile (a coordinator's digest, design.md §10).
--! uses: keys common
--! idempotent
--! db: user_create(login, pw_hash, role, subject, programs, now, by, scope, rebind:int, email, language) -> ok
local k = K.user..ARGV[2]
local role, subj, scope = ARGV[4], ARGV[5], ARGV[9] or ''
local bad = no_program(ARGV[6], 'programs', true)
if bad then return bad end
if scope ~= '' and (role == 'mentee' or role == 'coach') then
  local h = redis.call('HMGET', K[role]..subj, 'v', 'program')
  if not h[1] then return {'not_found', 'no '..role..' profile '..subj..': put it first', 'subject'} end
  local ok = (role == 'mentee' and has(scope, h[2])) or (role == 'coach' and meets(h[2], scope))
  if not ok then return {'forbidden', role..' '..subj..' is outside your programs', 'subject'} end
end
if redis.call('EXISTS', k) == 1 then return {'conflict', 'user '..ARGV[2]..' exists', 'login'} end
local sk, prev = subj ~= '' and K['subj_'..role]..subj
if sk then
  local cur = redis.call('GET', sk)
  local u = cur and redis.call('HMGET', K.user..cur, 'role', 'subject', 'disabled') or {}
  if u[1] == role and u[2] == subj then
    if ARGV[10] ~= '1' then return {'conflict', role..' '..subj..' already has user '..cur..' (re-binding it needs an admin)', 'subject'} end
    if u[3] ~= '1' then return {'conflict', role..' '..subj..' has user '..cur..', which is not disabled: disable it before re-binding', 'subject'} end
    prev = cur
  end
  redis.call('SET', sk, ARGV[2])
end
redis.call('HSET', k, 'login', ARGV[2], 'pw', ARGV[3], 'role', ARGV[4], 'subject', ARGV[5], 'programs', ARGV[6], 'disabled', '0', 'created_at', ARGV[7])
if (ARGV[11] or '') ~= '' then redis.call('HSET', k, 'email', ARGV[11]) end
if (ARGV[12] or '') ~= '' then redis.call('HSET', k, 'language', ARGV[12]) end
redis.call('ZADD', K.idx_user, 0, ARGV[2])
if prev then
  audit('ev', 'user.create', 'login', ARGV[2], 'role', ARGV[4], 'subject', subj, 'replaces', prev, 'by', ARGV[8])
else
  audit('ev', 'user.create', 'login', ARGV[2], 'role', ARGV[4], 'by', ARGV[8])
end
return {'ok'}
