-- user_list.lua (SCRIPT_USER_LIST): user.list: a page of idx:user in login order, filtered.
-- ARGV: prefix cursor limit role program scope
-- -> ok next-cursor (login role subject programs disabled)... (at most 1000 logins examined
-- per call, as list.lua; next-cursor "" on the last page)
-- programs: a coordinator's own; for a mentee or coach user, the program(s) of its
-- subject's profile ("" when that profile is gone).  scope (a coordinator's programs, ""
-- for an admin): only mentee and coach users whose subject's profile lies in it, the reach
-- of user_create.lua.  program: the coordinators of that program and the mentee and coach
-- users whose subject's profile is in it.  A login of the index whose user is gone is
-- skipped.
--! uses: keys common
--! db: user_list(cursor, limit:int, role, program, scope) -> users_page
local start = ARGV[2] == '' and '-' or '('..ARGV[2]
local limit, role, prog, scope = tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
local out, n, examined, last = {'ok', ''}, 0, 0, nil
local function inp(r, progs, p)   -- does a user of role r with programs progs lie in p (csv)?
  if r == 'mentee' then return progs ~= '' and has(p, progs) end
  if r == 'coach' then return meets(progs, p) end   -- no "every program" coach (DESIGN §9)
  return false
end
while n < limit and examined < 1000 do
  local logins = redis.call('ZRANGEBYLEX', K.idx_user, start, '+', 'LIMIT', 0, 100)
  if #logins == 0 then break end
  for _, login in ipairs(logins) do
    examined = examined + 1
    last = login
    local u = redis.call('HMGET', K.user..login, 'role', 'subject', 'programs', 'disabled')
    local r, subj, progs = u[1], u[2] or '', u[3] or ''
    local ok = r and (role == '' or r == role)
    if ok and (r == 'mentee' or r == 'coach') then
      progs = subj ~= '' and redis.call('HGET', K[r]..subj, 'program') or false
      if not progs then
        progs = ''
        ok = scope == '' and prog == ''  -- a user without a profile is in no program
      end
    end
    if ok and scope ~= '' then ok = inp(r, progs, scope) end
    if ok and prog ~= '' then ok = (r == 'coordinator' and has(progs, prog)) or inp(r, progs, prog) end
    if ok then
      out[#out+1] = login out[#out+1] = r out[#out+1] = subj out[#out+1] = progs
      out[#out+1] = u[4] == '1' and '1' or '0'
      n = n + 1
    end
    if n >= limit or examined >= 1000 then break end
  end
  start = '('..last
end
if last and #redis.call('ZRANGEBYLEX', K.idx_user, '('..last, '+', 'LIMIT', 0, 1) > 0 then out[2] = last end
return out
