-- coach_cards.lua (SCRIPT_COACH_CARDS): match.suggest: the cards of the coaches suggested, no contacts
-- (design.md §9).  A coach without a stored profile (deleted since the index had it) has none.
-- ARGV: prefix coach_id... -> ok '' (id card)...
--! uses: keys common msort match
--! db: coach_cards(coach_ids:strs) -> page
local out = {'ok', ''}
for i = 2, #ARGV do
  local b = card('coach', ARGV[i], false)
  if b then out[#out+1] = ARGV[i] out[#out+1] = b end
end
return out
