-- mail_digest.lua (SCRIPT_MAIL_DIGEST): coachnet-mailer's digest job, one page of users (design.md §10).
-- ARGV: prefix cursor limit now -> ok next n
--   Walks idx:user after login `cursor` ('' from the start), `limit` logins a call; next is the last login read
--   when more follow, else ''; n counts the digests written.  Each coordinator with an email (user.create's) gets
--   one outbox entry of kind `digest` to user:<login> with the figures of its programs (csv `programs`), summed:
--     proposed   unreviewed proposals now (proposed:<program>)
--     waiting    approved or requested matches now, waiting for a response
--     declined   declined matches since its last digest
--     jp         JP logged since its last digest (minutes / 45, one decimal)
--     unmatched  mentees the latest run of each program left unmatched
--   mail:digest:<login> keeps at (the digest's time) and the running totals the "since" figures are taken from.
--   The job runs once per digest-interval-s (the mailer's lock:mail:digest), so each coordinator gets one
--   digest per interval.  A program's matches are counted once per call, however many coordinators share it.
--! uses: keys common msort match
local cur, limit, now = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local logins = redis.call('ZRANGEBYLEX', K.idx_user, cur == '' and '-' or '('..cur, '+', 'LIMIT', 0, limit)
local per = {}
local function figures(prog)
  if per[prog] then return per[prog] end
  local f = {proposed = redis.call('SCARD', K.proposed..prog), waiting = 0, declined = 0,
    jp = tonumber(redis.call('HGET', K.jp..prog, 'minutes') or '0'), unmatched = 0}
  for _, id in ipairs(redis.call('ZRANGE', K.idx_match_prog..prog, 0, -1)) do
    local h = redis.call('HMGET', K.match..id, 'status', 'run_id')
    if h[1] and visible(h[2]) then
      if h[1] == 'approved' or h[1] == 'requested' then f.waiting = f.waiting + 1
      elseif h[1] == 'declined' then f.declined = f.declined + 1 end
    end
  end
  local last = redis.call('GET', K.lastrun..prog)
  if last then f.unmatched = redis.call('ZCARD', K.run_unmatched..last) end
  per[prog] = f
  return f
end
local n = 0
for _, login in ipairs(logins) do
  local u = redis.call('HMGET', K.user..login, 'role', 'email', 'programs', 'disabled')
  if u[1] == 'coordinator' and u[2] and u[2] ~= '' and u[4] ~= '1' then
    local t = {proposed = 0, waiting = 0, declined = 0, jp = 0, unmatched = 0}
    for _, prog in ipairs(split(u[3])) do
      local f = figures(prog)
      for k, v in pairs(f) do t[k] = t[k] + v end
    end
    local prev = redis.call('HMGET', K.mail_digest..login, 'declined', 'jp')
    local declined = math.max(0, t.declined - tonumber(prev[1] or '0'))
    local jpmin = math.max(0, t.jp - tonumber(prev[2] or '0'))
    redis.call('HSET', K.mail_digest..login, 'at', now, 'declined', t.declined, 'jp', t.jp)
    outbox('digest', 'user:'..login, 'programs', u[3], 'proposed', tostring(t.proposed), 'waiting', tostring(t.waiting),
      'declined', tostring(declined), 'jp', string.format('%.1f', jpmin / 45), 'unmatched', tostring(t.unmatched))
    n = n + 1
  end
end
return {'ok', #logins == limit and logins[#logins] or '', tostring(n)}
