-- pw_upgrade.lua (SCRIPT_PW_UPGRADE): auth.login, after the password matched a hash of an
-- older kind or cost (auth_needs_rehash): the new hash takes its place, unless the stored
-- one has changed since it was read (a password set meanwhile wins).
-- ARGV: prefix login old_hash new_hash -> ok
--! uses: keys common
--! db: pw_upgrade(login, old_hash, new_hash) -> ok
local k = K.user..ARGV[2]
if redis.call('HGET', k, 'pw') == ARGV[3] then
  redis.call('HSET', k, 'pw', ARGV[4])
  audit('ev', 'auth.pw_upgrade', 'login', ARGV[2])
end
return {'ok'}
