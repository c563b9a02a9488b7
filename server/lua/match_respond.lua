-- match_respond.lua (SCRIPT_MATCH_RESPOND): match.respond: a side accepts or declines its match.
-- The time a match becomes accepted is kept in its accepted_at (meeting.log refuses dates before it).
-- ARGV: prefix id role subject accept note now by -> ok flat (with the cards the side may see)
-- Outbox (match.lua's mail()): accepted to both sides once both accepted; declined and cancelled to the other side;
-- cancelling an accepted or active match also cancels its meetings to come.
--! uses: keys common msort match
--! idempotent
--! db: match_respond(match_id, role, subject, accept, note, now, by) -> match
local id, role, subj, acc, note, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6], ARGV[7]
local m = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
local err = side_err(m, id, role, subj)
if err then return err end
local side = role
local k = K.match..id
if m.status == 'approved' then
  if acc then
    redis.call('HSET', k, side..'_ok', '1') stamp(m, now) m[side..'_ok'] = '1'
    if m.mentee_ok == '1' and m.coach_ok == '1' then setstatus(m, 'accepted', now) redis.call('HSET', k, 'accepted_at', now) mail('accepted', m, sides(m), side) end
    notify(id)
  else setstatus(m, 'declined', now) release(m) waitlist(m) notify(id) mail('declined', m, other(m, side), side) end
elseif m.status == 'requested' then
  if side == 'coach' then
    if acc then redis.call('HSET', k, 'mentee_ok', '1', 'coach_ok', '1', 'accepted_at', now) setstatus(m, 'accepted', now) mail('accepted', m, sides(m), side)
    else setstatus(m, 'declined', now) release(m) waitlist(m) mail('declined', m, other(m, side), side) end
    notify(id)
  elseif acc then return {'conflict', 'match '..id..' waits for the coach', 'match_id'}
  else setstatus(m, 'cancelled', now) release(m) notify(id) mail('cancelled', m, other(m, side), side) end
elseif m.status == 'accepted' or m.status == 'active' then
  if acc then return {'conflict', 'match '..id..' is already '..m.status, 'match_id'} end
  setstatus(m, 'cancelled', now) release(m) notify(id) mail('cancelled', m, other(m, side), side) cancel_meetings(m, now)
else return {'conflict', 'match '..id..' is '..m.status..': nothing to respond to', 'match_id'} end
addnote(id, subj, side, note, now)
audit('ev', 'match.respond', 'id', id, 'side', side, 'accept', acc and '1' or '0', 'status', m.status, 'by', ARGV[8])
return {'ok', cards(flat(id), role, subj)}
