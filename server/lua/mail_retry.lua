-- mail_retry.lua (SCRIPT_MAIL_RETRY): mail.retry: an admin puts dead letters back on the outbox.
-- ARGV: prefix by now id... -> ok n
--   Each id of mail:dead that still exists is moved (XADD to the outbox, XDEL from mail:dead) with its fields
--   but reason, tries and dead_at; it keeps ev, so the message keeps its Message-ID and its delivered record
--   (mail:sent:<ev>:<to>) still guards against a second copy.  n counts the ids moved; ids already gone are
--   skipped (a repeat of the call moves nothing twice).
--! uses: keys common
--! idempotent
--! db: mail_retry(by, now, ids:strs) -> strs
local by, n = ARGV[2], 0
for i = 4, #ARGV do
  if not stream_id(ARGV[i]) then return {'invalid_params', ARGV[i]..' is not an id of mail.dead', 'ids['..(i - 4)..']'} end
end
for i = 4, #ARGV do
  local es = redis.call('XRANGE', K.mail_dead, ARGV[i], ARGV[i])
  if #es == 1 then
    local f, keep, to = es[1][2], {}, ''
    for j = 1, #f, 2 do
      if f[j] == 'to' then to = f[j+1] end
      if f[j] ~= 'reason' and f[j] ~= 'tries' and f[j] ~= 'dead_at' then keep[#keep+1] = f[j] keep[#keep+1] = f[j+1] end
    end
    redis.call('XADD', K.outbox, 'MAXLEN', '~', OUTBOX_MAX, '*', unpack(keep))
    redis.call('XDEL', K.mail_dead, ARGV[i])
    n = n + 1
    audit('ev', 'mail.retry', 'by', by, 'id', ARGV[i], 'to', to)
  end
end
return {'ok', tostring(n)}
