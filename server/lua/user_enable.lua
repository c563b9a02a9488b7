-- user_enable.lua (SCRIPT_USER_ENABLE): user.enable: a disabled user logs in again.
-- ARGV: prefix login by
-- A mentee or coach user speaks for its subject again only if no other login has taken
-- the subject meanwhile (user.create with rebind, user_create.lua): subj:<role>:<id>
-- naming another user that still speaks for that subject is `conflict`.  An entry that
-- is missing (users older than the index) or stale (its user no longer speaks for the
-- subject) is set to this login, as user_create.lua overwrites a stale one.  Enabling
-- an enabled user changes nothing.
--! uses: keys common
--! idempotent
--! db: user_enable(login, by) -> ok
local login, k = ARGV[2], K.user..ARGV[2]
local u = redis.call('HMGET', k, 'role', 'subject', 'disabled')
if not u[1] then return {'not_found', 'no user '..login, 'login'} end
if u[3] ~= '1' then return {'ok'} end
local role, subj = u[1], u[2] or ''
if (role == 'mentee' or role == 'coach') and subj ~= '' then
  local sk = K['subj_'..role]..subj
  local cur = redis.call('GET', sk)
  if cur and cur ~= login then
    local o = redis.call('HMGET', K.user..cur, 'role', 'subject')
    if o[1] == role and o[2] == subj then
      return {'conflict', role..' '..subj..' has since been bound to user '..cur..': disable that one and re-bind with user.create', 'login'}
    end
  end
  redis.call('SET', sk, login)
end
redis.call('HSET', k, 'disabled', '0')
audit('ev', 'user.enable', 'login', login, 'by', ARGV[3])
return {'ok'}
