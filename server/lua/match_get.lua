-- match_get.lua (SCRIPT_MATCH_GET): match.get: one match with the cards and the notes its viewer may see.
-- The coordinator of the match's program sees both cards and every note; the mentee or coach of the
-- match sees it once told (mine:<role>:<id>; an untold proposal is not_found), the cards of cards(),
-- and the response notes of both sides, not the coordinator's review notes (written, before §9,
-- as the coordinator's record of a decision).  Notes: notes:<match>, oldest first; a response note of
-- an earlier version (mentee_note / coach_note of the match hash) comes first, `at` the match's
-- updated_at (when it was written is not kept).  The answer keeps the last NOTES_MAX.
-- ARGV: prefix match_id role subject scope -> ok flat (+ mentee_card, coach_card, notes)
--! uses: keys common msort match
--! db: match_get(match_id, role, subject, scope) -> match
local id, role, subj, scope = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local m, f = mget(id)
if not m then return {'not_found', 'no match '..id, 'match_id'} end
if role == 'coordinator' then
  if not has(scope, m.program) then return {'forbidden', 'match '..id..' is in program '..m.program..', outside your programs', 'match_id'} end
else local err = side_err(m, id, role, subj) if err then return err end end
local all = {}
for _, side in ipairs({'mentee', 'coach'}) do
  local t = m[side..'_note']
  if t and t ~= '' then all[#all+1] = {by=m[side..'_id'], role=side, text=t, at=tonumber(m.updated_at)} end
end
for _, b in ipairs(redis.call('LRANGE', K.notes..id, 0, -1)) do all[#all+1] = cmsgpack.unpack(b) end
local notes = {}
for _, n in ipairs(all) do if role == 'coordinator' or n.role ~= 'coordinator' then notes[#notes+1] = n end end
while #notes > NOTES_MAX do table.remove(notes, 1) end
f = cards(f, role, subj)
f[#f+1] = 'notes'
f[#f+1] = #notes > 0 and cmsgpack.pack(notes) or '\144'  -- an empty msgpack array
return {'ok', f}
