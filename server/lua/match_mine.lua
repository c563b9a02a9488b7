-- match_mine.lua (SCRIPT_MATCH_MINE): match.mine: the matches a mentee or coach was told of.
-- ARGV: prefix role subject -> ok flat... (newest first, at most 500; with the cards the caller may see)
--! uses: keys common msort match
--! db: match_mine(role, subject) -> matches
local ids = redis.call('ZREVRANGE', K['mine_'..ARGV[2]]..ARGV[3], 0, 499)
local out = {'ok'}
for _, id in ipairs(ids) do local f = flat(id) if #f > 0 then out[#out+1] = cards(f, ARGV[2], ARGV[3]) end end
return out
