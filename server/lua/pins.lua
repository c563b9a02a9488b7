-- pins.lua (SCRIPT_PINS): match.pins: the pair rules of a program (pin.lua makes them, unpin.lua takes them back).
-- ARGV: prefix program -> ok npins (mentee coach)... : the npins pins of pin:<program>, then its forbids
--   (forbid:<program>'s "mentee coach" members), each list in mentee order, then coach order.  The
--   handler has checked the coordinator's scope; a program without rules answers two empty lists.
--! uses: keys common
--! db: pins(program) -> strs
local prog = ARGV[2]
local function bypair(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end
local pins, forbids = {}, {}
local h = redis.call('HGETALL', K.pin..prog)
for i = 1, #h, 2 do pins[#pins+1] = {h[i], h[i+1]} end
for _, pair in ipairs(redis.call('SMEMBERS', K.forbid..prog)) do
  local m, c = string.match(pair, '^(%S+) (%S+)$')
  if m then forbids[#forbids+1] = {m, c} end
end
table.sort(pins, bypair)
table.sort(forbids, bypair)
local out = {'ok', tostring(#pins)}
for _, l in ipairs({pins, forbids}) do
  for _, p in ipairs(l) do out[#out+1] = p[1] out[#out+1] = p[2] end
end
return out
