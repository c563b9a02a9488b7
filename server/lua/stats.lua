-- stats.lua (SCRIPT_STATS): stats.get: a program's figures.
-- ARGV: prefix program -> ok mentees coaches capacity load jp_minutes last_run last_stats covered fb_n fb_sum (status count)...
--! uses: keys common msort match
--! db: stats_get(program) -> stats
local prog = ARGV[2]
local mentees = redis.call('ZCARD', K.idx_mentee_prog..prog)
local coaches, cap, ld = 0, 0, 0
for _, id in ipairs(redis.call('ZRANGE', K.idx_coach, 0, -1)) do
  local h = redis.call('HMGET', K.coach..id, 'program', 'capacity')
  if h[2] and has(h[1], prog) then
    coaches = coaches + 1 cap = cap + tonumber(h[2]) ld = ld + tonumber(redis.call('GET', K.load..id) or '0')
  end
end
local counts, covered = {}, {}
local ncov = 0
for _, id in ipairs(redis.call('ZRANGE', K.idx_match_prog..prog, 0, -1)) do
  local h = redis.call('HMGET', K.match..id, 'status', 'mentee_id', 'run_id')
  if h[1] and visible(h[3]) then
    h[1] = shown(h[1], h[3])
    counts[h[1]] = (counts[h[1]] or 0) + 1
    if h[1] == 'requested' or h[1] == 'approved' or h[1] == 'accepted' or h[1] == 'active' or h[1] == 'completed' then
      -- a mentee moved to another program since keeps its matches here, but
      -- is not one of `mentees` (coverage is a fraction of those)
      if covered[h[2]] == nil then
        covered[h[2]] = redis.call('ZSCORE', K.idx_mentee_prog..prog, h[2]) ~= false
        if covered[h[2]] then ncov = ncov + 1 end
      end
    end
  end
end
local last = redis.call('GET', K.lastpub..prog) or ''
local lst = ''
if last ~= '' then lst = redis.call('HGET', K.run..last, 'stats') or '' end
local out = {'ok', mentees, coaches, cap, ld, tonumber(redis.call('HGET', K.jp..prog, 'minutes') or '0'), last, lst, ncov,
  tonumber(redis.call('HGET', K.fb..prog, 'n') or '0'), tonumber(redis.call('HGET', K.fb..prog, 'sum') or '0')}
for k, v in pairs(counts) do out[#out+1] = k out[#out+1] = v end
return out
