-- mail_claim.lua (SCRIPT_MAIL_CLAIM): coachnet-mailer keeps the outbox entries of the batch it works on.
-- ARGV: prefix consumer id... -> the ids among id... that consumer still holds in the group `mailer`, each
--   claimed again (its idle time restarts, so no other mailer's XAUTOCLAIM takes it: mail-claim-idle-ms).
--   An entry another mailer has taken over (this one stalled longer than mail-claim-idle-ms) or that is
--   no longer pending (acknowledged) is left alone and not returned: the caller skips it.  A plain
--   XCLAIM would take such an entry back from the mailer that holds it now, and both would send it.
--! uses: keys
local me, out = ARGV[2], {}
for i = 3, #ARGV do
  local id = ARGV[i]
  if #redis.call('XPENDING', K.outbox, 'mailer', id, id, 1, me) > 0 then
    redis.call('XCLAIM', K.outbox, 'mailer', me, 0, id, 'JUSTID')
    out[#out+1] = id
  end
end
return out
