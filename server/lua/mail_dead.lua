-- mail_dead.lua (SCRIPT_MAIL_DEAD): mail.dead: a page of the dead letters (mail:dead), oldest first.
-- ARGV: prefix cursor limit -> ok next (id event kind to match reason tries at)...
--   An entry is what coachnet-mailer wrote when it gave a message up: the outbox entry's fields (kind, to, the
--   kind's data, ev), then reason, tries and dead_at.  next is the id of the last entry of the page when more
--   follow, else ''; the next page starts after it.
--! uses: keys common
--! db: mail_dead(cursor, limit:int) -> strs
local cur, limit = ARGV[2], tonumber(ARGV[3])
-- the exclusive start after the largest id (which XRANGE refuses) has nothing newer
if cur ~= '' then
  cur = stream_id(cur)
  if not cur then return {'invalid_params', 'not a cursor of mail.dead', 'cursor'} end
  if cur == STREAM_ID_MAX then return {'ok', ''} end
end
local es = redis.call('XRANGE', K.mail_dead, cur == '' and '-' or '('..cur, '+', 'COUNT', limit + 1)
local out = {'ok', ''}
for i = 1, math.min(#es, limit) do
  local f = {}
  for j = 1, #es[i][2], 2 do f[es[i][2][j]] = es[i][2][j+1] end
  for _, v in ipairs({es[i][1], f.ev or es[i][1], f.kind or '', f.to or '', f.match or '', f.reason or '', f.tries or '0', f.dead_at or '0'}) do out[#out+1] = v end
end
if #es > limit then out[2] = es[limit][1] end
return out
