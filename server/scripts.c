/* scripts.c — the Lua scripts of every multi-key state change (design.md §6).
 *
 * Each script runs atomically in Redis, so checks and writes cannot
 * interleave with another coachnetd: "read then write from C" never
 * happens.  Every script takes ARGV[1] = the key prefix and returns an
 * array whose first element is "ok" or an error code of design.md §2
 * followed by a message.  Keys are documented in docs/operations.md.
 */
#include <openssl/sha.h>
#include <string.h>

#include "server/methods.h"

#define LUA_COMMON \
    "local p = ARGV[1]\n" \
    "local function audit(...) redis.call('XADD', p..'audit', 'MAXLEN', '~', '100000', '*', ...) end\n" \
    "local function split(csv) local t = {} for x in string.gmatch(csv or '', '[^,]+') do t[#t+1] = x end return t end\n" \
    "local function has(csv, x) for _, y in ipairs(split(csv)) do if y == x then return true end end return false end\n" \
    "local function meets(a, b) for _, x in ipairs(split(a)) do if has(b, x) then return true end end return false end\n" \
    "local function event(t) redis.call('PUBLISH', p..'events', cmsgpack.pack(t)) end\n"

/* Match helpers: a match is the hash match:<id>; its live states hold one
 * unit of the coach's capacity (load:<coach>) and are the mentee's current
 * match (mentee:<id> field `match`). */
#define LUA_MATCH \
    "local LIVE = {requested=true, approved=true, accepted=true, active=true}\n" \
    "local function mget(id) local f = redis.call('HGETALL', p..'match:'..id) if #f == 0 then return nil end local m = {} for i = 1, #f, 2 do m[f[i]] = f[i+1] end return m, f end\n" \
    "local function flat(id) return redis.call('HGETALL', p..'match:'..id) end\n" \
    "local function notify(id) local f = flat(id) event({'match', f}) return f end\n" \
    "local function capacity(cid) local c = redis.call('HGET', p..'coach:'..cid, 'capacity') return tonumber(c or '0') end\n" \
    "local function load(cid) return tonumber(redis.call('GET', p..'load:'..cid) or '0') end\n" \
    "local function setload(cid, n) redis.call('SET', p..'load:'..cid, n) event({'load', cid, n}) end\n" \
    "local function take(m) local l = load(m.coach_id) if l >= capacity(m.coach_id) then return false end setload(m.coach_id, l + 1) redis.call('HSET', p..'mentee:'..m.mentee_id, 'match', m.id) return true end\n" \
    "local function release(m) local l = load(m.coach_id) if l > 0 then setload(m.coach_id, l - 1) end if redis.call('HGET', p..'mentee:'..m.mentee_id, 'match') == m.id then redis.call('HDEL', p..'mentee:'..m.mentee_id, 'match') end end\n" \
    "local function waitlist(m) redis.call('HINCRBY', p..'wait:'..m.program, m.mentee_id, 1) end\n" \
    "local function setstatus(m, st, now) redis.call('HSET', p..'match:'..m.id, 'status', st, 'updated_at', now) m.status = st end\n" \
    "local function tell(m) local n = tonumber(string.sub(m.id, 2)) redis.call('ZADD', p..'mine:mentee:'..m.mentee_id, n, m.id) redis.call('ZADD', p..'mine:coach:'..m.coach_id, n, m.id) end\n" \
    "local function newmatch(prog, mentee, coach, st, score, run, explain, now)\n" \
    "  local n = redis.call('INCR', p..'seq:match') local id = 'm'..n\n" \
    "  redis.call('HSET', p..'match:'..id, 'id', id, 'program', prog, 'mentee_id', mentee, 'coach_id', coach, 'status', st, 'score', score, 'run_id', run, 'explain', explain, 'created_at', now, 'updated_at', now, 'mentee_ok', '0', 'coach_ok', '0', 'jp_minutes', '0')\n" \
    "  redis.call('ZADD', p..'idx:match:prog:'..prog, n, id)\n" \
    "  if run ~= '' then redis.call('ZADD', p..'idx:match:run:'..run, n, id) end\n" \
    "  return id end\n"

static const char *const scripts[SCRIPT__COUNT] = {
[SCRIPT_LOGIN] = LUA_COMMON
    "local rl = p..'rl:login:'..ARGV[2]\n"
    "local n = redis.call('INCR', rl)\n"
    "if n == 1 then redis.call('EXPIRE', rl, 60) end\n"
    "if n > tonumber(ARGV[3]) then return {'rate_limited', 'too many login attempts for '..ARGV[2]..'; retry in '..redis.call('TTL', rl)..' s'} end\n"
    "local u = redis.call('HMGET', p..'user:'..ARGV[2], 'pw', 'role', 'subject', 'programs', 'disabled')\n"
    "if not u[1] or u[5] == '1' then return {'unauthenticated', 'wrong login or password'} end\n"
    "return {'ok', u[1], u[2], u[3] or '', u[4] or ''}\n",

[SCRIPT_SESSION_NEW] = LUA_COMMON
    "local login, th = ARGV[2], ARGV[3]\n"
    "if redis.call('HGET', p..'user:'..login, 'disabled') ~= '0' then return {'unauthenticated', 'user disabled'} end\n"
    "redis.call('SET', p..'tok:'..th, login, 'EX', ARGV[4])\n"
    "local set = p..'utok:'..login\n"
    "if redis.call('SCARD', set) > 64 then\n"
    "  for _, t in ipairs(redis.call('SMEMBERS', set)) do\n"
    "    if redis.call('EXISTS', p..'tok:'..t) == 0 then redis.call('SREM', set, t) end\n"
    "  end\n"
    "end\n"
    "redis.call('SADD', set, th)\n"
    "audit('ev', 'auth.login', 'login', login)\n"
    "return {'ok'}\n",

[SCRIPT_RESUME] = LUA_COMMON
    "local tk = p..'tok:'..ARGV[2]\n"
    "local login = redis.call('GET', tk)\n"
    "if not login then return {'unauthenticated', 'unknown or expired token'} end\n"
    "local u = redis.call('HMGET', p..'user:'..login, 'role', 'subject', 'programs', 'disabled')\n"
    "if not u[1] or u[4] ~= '0' then return {'unauthenticated', 'user disabled'} end\n"
    "return {'ok', login, u[1], u[2] or '', u[3] or '', redis.call('TTL', tk)}\n",

[SCRIPT_LOGOUT] = LUA_COMMON
    "redis.call('DEL', p..'tok:'..ARGV[3])\n"
    "redis.call('SREM', p..'utok:'..ARGV[2], ARGV[3])\n"
    "audit('ev', 'auth.logout', 'login', ARGV[2])\n"
    "return {'ok'}\n",

/* ARGV: prefix login pwhash role subject programs now by scope
 * scope (a coordinator's programs, "" for an admin): the subject's profile
 * must exist and lie in it. */
[SCRIPT_USER_CREATE] = LUA_COMMON
    "local k = p..'user:'..ARGV[2]\n"
    "local role, subj, scope = ARGV[4], ARGV[5], ARGV[9] or ''\n"
    "if scope ~= '' and (role == 'mentee' or role == 'coach') then\n"
    "  local h = redis.call('HMGET', p..role..':'..subj, 'v', 'program')\n"
    "  if not h[1] then return {'not_found', 'no '..role..' profile '..subj..': put it first', 'subject'} end\n"
    "  local ok = (role == 'mentee' and has(scope, h[2])) or (role == 'coach' and (h[2] == '' or meets(h[2], scope)))\n"
    "  if not ok then return {'forbidden', role..' '..subj..' is outside your programs', 'subject'} end\n"
    "end\n"
    "if redis.call('EXISTS', k) == 1 then return {'conflict', 'user '..ARGV[2]..' exists', 'login'} end\n"
    "redis.call('HSET', k, 'login', ARGV[2], 'pw', ARGV[3], 'role', ARGV[4], 'subject', ARGV[5], 'programs', ARGV[6], 'disabled', '0', 'created_at', ARGV[7])\n"
    "audit('ev', 'user.create', 'login', ARGV[2], 'role', ARGV[4], 'by', ARGV[8])\n"
    "return {'ok'}\n",

/* ARGV: prefix login by */
[SCRIPT_USER_DISABLE] = LUA_COMMON
    "local k = p..'user:'..ARGV[2]\n"
    "if redis.call('EXISTS', k) == 0 then return {'not_found', 'no user '..ARGV[2]} end\n"
    "redis.call('HSET', k, 'disabled', '1')\n"
    "for _, t in ipairs(redis.call('SMEMBERS', p..'utok:'..ARGV[2])) do redis.call('DEL', p..'tok:'..t) end\n"
    "redis.call('DEL', p..'utok:'..ARGV[2])\n"
    "event({'logout', ARGV[2]})\n"
    "audit('ev', 'user.disable', 'login', ARGV[2], 'by', ARGV[3])\n"
    "return {'ok'}\n",

/* ARGV: prefix kind id blob if_version scope now programs(csv) province capacity by */
[SCRIPT_PROFILE_PUT] = LUA_COMMON
    "local kind, id = ARGV[2], ARGV[3]\n"
    "local k = p..kind..':'..id\n"
    "local cur = redis.call('HMGET', k, 'v', 'program', 'province')\n"
    "local v = tonumber(cur[1] or '0')\n"
    "if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= v then return {'conflict', kind..' '..id..' is at version '..v..', not '..ARGV[5]} end\n"
    "local scope = ARGV[6]\n"
    "if scope ~= '' and cur[1] then\n"
    "  local old = cur[2] or ''\n"
    "  if kind == 'coach' then\n"
    "    if old ~= '' and not meets(old, scope) then return {'forbidden', 'coach '..id..' is outside your programs'} end\n"
    "  elseif not meets(old, scope) then return {'forbidden', 'mentee '..id..' is in program '..old..', outside your programs'} end\n"
    "end\n"
    "v = v + 1\n"
    "redis.call('HSET', k, 'p', ARGV[4], 'v', v, 'program', ARGV[8], 'province', ARGV[9], 'updated_at', ARGV[7])\n"
    "local idx = p..'idx:'..kind\n"
    "redis.call('ZADD', idx, 0, id)\n"
    "if cur[3] and cur[3] ~= ARGV[9] then redis.call('ZREM', idx..':prov:'..cur[3], id) end\n"
    "redis.call('ZADD', idx..':prov:'..ARGV[9], 0, id)\n"
    "if kind == 'mentee' then\n"
    "  if cur[2] and cur[2] ~= ARGV[8] then redis.call('ZREM', idx..':prog:'..cur[2], id) end\n"
    "  redis.call('ZADD', idx..':prog:'..ARGV[8], 0, id)\n"
    "else\n"
    "  redis.call('HSET', k, 'capacity', ARGV[10])\n"
    "  local l = tonumber(redis.call('GET', p..'load:'..id) or '0')\n"
    "  event({'coach', id, ARGV[4], l})\n"
    "end\n"
    "audit('ev', kind..'.put', 'id', id, 'version', v, 'by', ARGV[11])\n"
    "return {'ok', v}\n",

/* ARGV: prefix kind id -> ok blob version program(s) load */
[SCRIPT_PROFILE_GET] = LUA_COMMON
    "local h = redis.call('HMGET', p..ARGV[2]..':'..ARGV[3], 'p', 'v', 'program')\n"
    "if not h[1] then return {'not_found', 'no '..ARGV[2]..' '..ARGV[3]} end\n"
    "return {'ok', h[1], tonumber(h[2]), h[3] or '', tonumber(redis.call('GET', p..'load:'..ARGV[3]) or '0')}\n",

/* ARGV: prefix kind index cursor limit province program scope
 * -> ok next-cursor (id blob)... (at most 1000 ids examined per call) */
[SCRIPT_LIST] = LUA_COMMON
    "local kind, idx = ARGV[2], p..ARGV[3]\n"
    "local start = ARGV[4] == '' and '-' or '('..ARGV[4]\n"
    "local limit, prov, prog, scope = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]\n"
    "local out, examined, last = {'ok', ''}, 0, nil\n"
    "while (#out - 2) / 2 < limit and examined < 1000 do\n"
    "  local ids = redis.call('ZRANGEBYLEX', idx, start, '+', 'LIMIT', 0, 100)\n"
    "  if #ids == 0 then break end\n"
    "  for _, id in ipairs(ids) do\n"
    "    examined = examined + 1\n"
    "    last = id\n"
    "    local h = redis.call('HMGET', p..kind..':'..id, 'p', 'program', 'province')\n"
    "    local ok = h[1] and (prov == '' or h[3] == prov)\n"
    "    if ok and prog ~= '' then\n"
    "      if kind == 'coach' then ok = (h[2] == '' or has(h[2], prog)) else ok = (h[2] == prog) end\n"
    "    end\n"
    "    if ok and scope ~= '' then\n"
    "      if kind == 'coach' then ok = (h[2] == '' or meets(h[2], scope)) else ok = has(scope, h[2]) end\n"
    "    end\n"
    "    if ok then out[#out+1] = id out[#out+1] = h[1] end\n"
    "    if (#out - 2) / 2 >= limit or examined >= 1000 then break end\n"
    "  end\n"
    "  start = '('..last\n"
    "end\n"
    "if last and #redis.call('ZRANGEBYLEX', idx, '('..last, '+', 'LIMIT', 0, 1) > 0 then out[2] = last end\n"
    "return out\n",

/* ARGV: prefix mentee coach score explain now -> ok flat */
[SCRIPT_MATCH_REQUEST] = LUA_COMMON LUA_MATCH
    "local mentee, coach, now = ARGV[2], ARGV[3], ARGV[6]\n"
    "local me = redis.call('HMGET', p..'mentee:'..mentee, 'program', 'match')\n"
    "if not me[1] then return {'not_found', 'no mentee profile '..mentee..': put it first'} end\n"
    "if me[2] then return {'conflict', 'mentee '..mentee..' already has the live match '..me[2]} end\n"
    "local co = redis.call('HMGET', p..'coach:'..coach, 'program', 'capacity')\n"
    "if not co[2] then return {'not_found', 'no coach '..coach, 'coach_id'} end\n"
    "if co[1] ~= '' and not has(co[1], me[1]) then return {'forbidden', 'coach '..coach..' does not coach in program '..me[1], 'coach_id'} end\n"
    "if redis.call('SISMEMBER', p..'forbid:'..me[1], mentee..' '..coach) == 1 then return {'forbidden', 'the coordinator forbade this pair', 'coach_id'} end\n"
    "if load(coach) >= capacity(coach) then return {'capacity_full', 'coach '..coach..' has no free capacity', 'coach_id'} end\n"
    "local id = newmatch(me[1], mentee, coach, 'requested', ARGV[4], '', ARGV[5], now)\n"
    "local m = mget(id)\n"
    "take(m)\n"
    "tell(m)\n"
    "audit('ev', 'match.request', 'id', id, 'mentee', mentee, 'coach', coach)\n"
    "return {'ok', notify(id)}\n",

/* ARGV: prefix scope decision note now id... -> ok (id status code msg)... */
[SCRIPT_MATCH_REVIEW] = LUA_COMMON LUA_MATCH
    "local scope, dec, note, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]\n"
    "for i = 6, #ARGV do\n"
    "  local pr = redis.call('HGET', p..'match:'..ARGV[i], 'program')\n"
    "  if pr and not has(scope, pr) then return {'forbidden', 'match '..ARGV[i]..' is in program '..pr..', outside your programs', 'match_ids'} end\n"
    "end\n"
    "local out = {'ok'}\n"
    "local function res(id, st, code, msg) out[#out+1] = id out[#out+1] = st out[#out+1] = code out[#out+1] = msg end\n"
    "for i = 6, #ARGV do\n"
    "  local id = ARGV[i]\n"
    "  local m = mget(id)\n"
    "  if not m then res(id, '', 'not_found', 'no match '..id)\n"
    "  elseif not has(scope, m.program) then res(id, '', 'forbidden', 'match '..id..' is in program '..m.program..', outside your programs')\n"
    "  elseif dec == 'approve' then\n"
    "    local cur = redis.call('HGET', p..'mentee:'..m.mentee_id, 'match')\n"
    "    if m.status ~= 'proposed' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not proposed')\n"
    "    elseif cur then res(id, '', 'conflict', 'mentee '..m.mentee_id..' already has the live match '..cur)\n"
    "    elseif not take(m) then res(id, '', 'capacity_full', 'coach '..m.coach_id..' has no free capacity')\n"
    "    else\n"
    "      setstatus(m, 'approved', now)\n"
    "      redis.call('SREM', p..'proposed:'..m.program, id)\n"
    "      redis.call('HDEL', p..'wait:'..m.program, m.mentee_id)\n"
    "      tell(m) notify(id) res(id, 'approved', '', '')\n"
    "    end\n"
    "  elseif dec == 'reject' then\n"
    "    if m.status ~= 'proposed' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not proposed')\n"
    "    else setstatus(m, 'rejected', now) redis.call('SREM', p..'proposed:'..m.program, id) waitlist(m) res(id, 'rejected', '', '') end\n"
    "  elseif dec == 'cancel' then\n"
    "    if not LIVE[m.status] then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not live')\n"
    "    else setstatus(m, 'cancelled', now) release(m) notify(id) res(id, 'cancelled', '', '') end\n"
    "  elseif dec == 'complete' then\n"
    "    if m.status ~= 'active' and m.status ~= 'accepted' then res(id, '', 'conflict', 'match '..id..' is '..m.status..', not active')\n"
    "    else setstatus(m, 'completed', now) release(m) notify(id) res(id, 'completed', '', '') end\n"
    "  end\n"
    "  if out[#out-1] == '' then audit('ev', 'match.review', 'id', id, 'decision', dec, 'status', out[#out-2], 'note', note) end\n"
    "end\n"
    "return out\n",

/* ARGV: prefix id role subject accept note now -> ok flat */
[SCRIPT_MATCH_RESPOND] = LUA_COMMON LUA_MATCH
    "local id, role, subj, acc, note, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6], ARGV[7]\n"
    "local m = mget(id)\n"
    "if not m then return {'not_found', 'no match '..id, 'match_id'} end\n"
    "local side = nil\n"
    "if role == 'mentee' and m.mentee_id == subj then side = 'mentee' elseif role == 'coach' and m.coach_id == subj then side = 'coach' end\n"
    "if not side then return {'forbidden', 'match '..id..' is not yours', 'match_id'} end\n"
    "local k = p..'match:'..id\n"
    "if m.status == 'approved' then\n"
    "  if acc then\n"
    "    redis.call('HSET', k, side..'_ok', '1', 'updated_at', now) m[side..'_ok'] = '1'\n"
    "    if m.mentee_ok == '1' and m.coach_ok == '1' then setstatus(m, 'accepted', now) end\n"
    "    notify(id)\n"
    "  else setstatus(m, 'declined', now) release(m) waitlist(m) notify(id) end\n"
    "elseif m.status == 'requested' then\n"
    "  if side == 'coach' then\n"
    "    if acc then redis.call('HSET', k, 'mentee_ok', '1', 'coach_ok', '1') setstatus(m, 'accepted', now)\n"
    "    else setstatus(m, 'declined', now) release(m) waitlist(m) end\n"
    "    notify(id)\n"
    "  elseif acc then return {'conflict', 'match '..id..' waits for the coach', 'match_id'}\n"
    "  else setstatus(m, 'cancelled', now) release(m) notify(id) end\n"
    "elseif m.status == 'accepted' or m.status == 'active' then\n"
    "  if acc then return {'conflict', 'match '..id..' is already '..m.status, 'match_id'} end\n"
    "  setstatus(m, 'cancelled', now) release(m) notify(id)\n"
    "else return {'conflict', 'match '..id..' is '..m.status..': nothing to respond to', 'match_id'} end\n"
    "if note ~= '' then redis.call('HSET', k, side..'_note', note) end\n"
    "audit('ev', 'match.respond', 'id', id, 'side', side, 'accept', acc and '1' or '0', 'status', m.status)\n"
    "return {'ok', flat(id)}\n",

/* ARGV: prefix role subject -> ok flat... (newest first, at most 500) */
[SCRIPT_MATCH_MINE] = LUA_COMMON LUA_MATCH
    "local ids = redis.call('ZREVRANGE', p..'mine:'..ARGV[2]..':'..ARGV[3], 0, 499)\n"
    "local out = {'ok'}\n"
    "for _, id in ipairs(ids) do local f = flat(id) if #f > 0 then out[#out+1] = f end end\n"
    "return out\n",

/* ARGV: prefix run_id program status min_score cursor limit scope
 * -> ok next-cursor flat... (cursor: the match sequence number) */
[SCRIPT_MATCH_LIST] = LUA_COMMON LUA_MATCH
    "local run, prog, st, mins, cur, limit, scope = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]), ARGV[8]\n"
    "local idx\n"
    "if run ~= '' then\n"
    "  local rp = redis.call('HGET', p..'run:'..run, 'program')\n"
    "  if not rp then return {'not_found', 'no run '..run, 'run_id'} end\n"
    "  if not has(scope, rp) then return {'forbidden', 'run '..run..' is of program '..rp..', outside your programs', 'run_id'} end\n"
    "  if prog ~= '' and prog ~= rp then return {'invalid_params', 'run '..run..' is of program '..rp, 'program'} end\n"
    "  idx = p..'idx:match:run:'..run\n"
    "else idx = p..'idx:match:prog:'..prog end\n"
    "local min = cur == '' and '-inf' or '('..cur\n"
    "local out, examined, last = {'ok', ''}, 0, nil\n"
    "while #out - 2 < limit and examined < 2000 do\n"
    "  local ids = redis.call('ZRANGEBYSCORE', idx, min, '+inf', 'WITHSCORES', 'LIMIT', 0, 200)\n"
    "  if #ids == 0 then break end\n"
    "  for i = 1, #ids, 2 do\n"
    "    examined = examined + 1\n"
    "    last = ids[i+1]\n"
    "    local h = redis.call('HMGET', p..'match:'..ids[i], 'status', 'score')\n"
    "    if h[1] and (st == '' or h[1] == st) and tonumber(h[2] or '0') >= mins then out[#out+1] = flat(ids[i]) end\n"
    "    if #out - 2 >= limit or examined >= 2000 then break end\n"
    "  end\n"
    "  min = '('..last\n"
    "end\n"
    "if last and #redis.call('ZRANGEBYSCORE', idx, '('..last, '+inf', 'LIMIT', 0, 1) > 0 then out[2] = last end\n"
    "return out\n",

/* ARGV: prefix id role subject date minutes topic now -> ok meeting_id jp_minutes */
[SCRIPT_MEETING_LOG] = LUA_COMMON LUA_MATCH
    "local id, role, subj, now = ARGV[2], ARGV[3], ARGV[4], ARGV[8]\n"
    "local m = mget(id)\n"
    "if not m then return {'not_found', 'no match '..id, 'match_id'} end\n"
    "if not ((role == 'mentee' and m.mentee_id == subj) or (role == 'coach' and m.coach_id == subj)) then return {'forbidden', 'match '..id..' is not yours', 'match_id'} end\n"
    "if m.status ~= 'accepted' and m.status ~= 'active' then return {'conflict', 'match '..id..' is '..m.status..': meetings are logged on active matches', 'match_id'} end\n"
    "local n = redis.call('INCR', p..'seq:meeting')\n"
    "local mid = 'mt'..n\n"
    "redis.call('RPUSH', p..'meetings:'..id, cmsgpack.pack({id = mid, date = ARGV[5], minutes = tonumber(ARGV[6]), topic = ARGV[7], by = role}))\n"
    "local total = redis.call('HINCRBY', p..'match:'..id, 'jp_minutes', tonumber(ARGV[6]))\n"
    "redis.call('HINCRBY', p..'jp:'..m.program, 'minutes', tonumber(ARGV[6]))\n"
    "redis.call('HINCRBY', p..'jp:mentee:'..m.mentee_id, string.sub(ARGV[5], 1, 4), tonumber(ARGV[6]))\n"
    "if m.status == 'accepted' then setstatus(m, 'active', now) notify(id) else redis.call('HSET', p..'match:'..id, 'updated_at', now) end\n"
    "audit('ev', 'meeting.log', 'match', id, 'meeting', mid, 'minutes', ARGV[6])\n"
    "return {'ok', mid, total}\n",

/* ARGV: prefix id role subject rating comment now -> ok */
[SCRIPT_FEEDBACK_PUT] = LUA_COMMON LUA_MATCH
    "local id, role, subj = ARGV[2], ARGV[3], ARGV[4]\n"
    "local m = mget(id)\n"
    "if not m then return {'not_found', 'no match '..id, 'match_id'} end\n"
    "if not ((role == 'mentee' and m.mentee_id == subj) or (role == 'coach' and m.coach_id == subj)) then return {'forbidden', 'match '..id..' is not yours', 'match_id'} end\n"
    "if m.status ~= 'accepted' and m.status ~= 'active' and m.status ~= 'completed' then return {'conflict', 'match '..id..' is '..m.status..': feedback needs an accepted match', 'match_id'} end\n"
    "local old = redis.call('HGET', p..'feedback:'..id, role)\n"
    "redis.call('HSET', p..'feedback:'..id, role, cmsgpack.pack({rating = tonumber(ARGV[5]), comment = ARGV[6], at = tonumber(ARGV[7])}))\n"
    "if old then\n"
    "  -- a side's second feedback replaces its first in the program's totals too\n"
    "  redis.call('HINCRBY', p..'fb:'..m.program, 'sum', tonumber(ARGV[5]) - tonumber(cmsgpack.unpack(old).rating))\n"
    "else\n"
    "  redis.call('HINCRBY', p..'fb:'..m.program, 'n', 1)\n"
    "  redis.call('HINCRBY', p..'fb:'..m.program, 'sum', tonumber(ARGV[5]))\n"
    "end\n"
    "audit('ev', 'feedback.put', 'match', id, 'side', role, 'rating', ARGV[5])\n"
    "return {'ok'}\n",

/* ARGV: prefix kind(pin|forbid) program mentee coach by -> ok */
[SCRIPT_PIN] = LUA_COMMON
    "local kind, prog, mentee, coach = ARGV[2], ARGV[3], ARGV[4], ARGV[5]\n"
    "local mp = redis.call('HGET', p..'mentee:'..mentee, 'program')\n"
    "if not mp then return {'not_found', 'no mentee '..mentee, 'mentee_id'} end\n"
    "if mp ~= prog then return {'invalid_params', 'mentee '..mentee..' is in program '..mp..', not '..prog, 'mentee_id'} end\n"
    "local cp = redis.call('HGET', p..'coach:'..coach, 'program')\n"
    "if not cp then return {'not_found', 'no coach '..coach, 'coach_id'} end\n"
    "if cp ~= '' and not has(cp, prog) then return {'invalid_params', 'coach '..coach..' does not coach in program '..prog, 'coach_id'} end\n"
    "local pair = mentee..' '..coach\n"
    "if kind == 'pin' then\n"
    "  redis.call('HSET', p..'pin:'..prog, mentee, coach)\n"
    "  redis.call('SREM', p..'forbid:'..prog, pair)\n"
    "else\n"
    "  redis.call('SADD', p..'forbid:'..prog, pair)\n"
    "  if redis.call('HGET', p..'pin:'..prog, mentee) == coach then redis.call('HDEL', p..'pin:'..prog, mentee) end\n"
    "end\n"
    "audit('ev', 'match.'..kind, 'program', prog, 'mentee', mentee, 'coach', coach, 'by', ARGV[6])\n"
    "return {'ok'}\n",

/* ARGV: prefix program by now ttl_ms -> ok run_id */
[SCRIPT_RUN_LOCK] = LUA_COMMON
    "local prog = ARGV[2]\n"
    "if not redis.call('GET', p..'lock:run:'..prog) then\n"
    "  -- the lock is free: a run still marked running lost its owner (process killed)\n"
    "  local last = redis.call('GET', p..'lastrun:'..prog)\n"
    "  if last and redis.call('HGET', p..'run:'..last, 'status') == 'running' then\n"
    "    redis.call('HSET', p..'run:'..last, 'status', 'failed', 'finished_at', ARGV[4])\n"
    "    audit('ev', 'run.failed', 'run', last, 'program', prog, 'reason', 'owner gone')\n"
    "  end\n"
    "end\n"
    "local n = redis.call('INCR', p..'seq:run')\n"
    "local id = 'r'..n\n"
    "if not redis.call('SET', p..'lock:run:'..prog, id, 'NX', 'PX', ARGV[5]) then\n"
    "  return {'conflict', 'a run of program '..prog..' is in progress ('..(redis.call('GET', p..'lock:run:'..prog) or '?')..')'}\n"
    "end\n"
    "redis.call('HSET', p..'run:'..id, 'id', id, 'program', prog, 'status', 'running', 'started_by', ARGV[3], 'created_at', ARGV[4])\n"
    "redis.call('SET', p..'lastrun:'..prog, id)\n"
    "audit('ev', 'match.run', 'run', id, 'program', prog, 'by', ARGV[3])\n"
    "return {'ok', id}\n",

/* ARGV: prefix program run ttl_ms -> ok 1|0 (still the owner) */
[SCRIPT_RUN_RENEW] = LUA_COMMON
    "if redis.call('GET', p..'lock:run:'..ARGV[2]) == ARGV[3] then redis.call('PEXPIRE', p..'lock:run:'..ARGV[2], ARGV[4]) return {'ok', 1} end\n"
    "return {'ok', 0}\n",

/* ARGV: prefix what program cursor limit
 *   what=mentees: ok next (blob waitlist)...   mentees of the program without a live match
 *   what=coaches: ok next (blob load)...       coaches of the program (programs empty or listing it)
 *   what=pairs:   ok npins (mentee coach)... (mentee coach)...  pins then forbidden pairs */
[SCRIPT_RUN_SNAPSHOT] = LUA_COMMON
    "local what, prog, cur, limit = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])\n"
    "local start = cur == '' and '-' or '('..cur\n"
    "if what == 'pairs' then\n"
    "  local pins = redis.call('HGETALL', p..'pin:'..prog)\n"
    "  local out = {'ok', #pins / 2}\n"
    "  for _, x in ipairs(pins) do out[#out+1] = x end\n"
    "  for _, pr in ipairs(redis.call('SMEMBERS', p..'forbid:'..prog)) do\n"
    "    local a, b = string.match(pr, '^(%S+) (%S+)$')\n"
    "    if a then out[#out+1] = a out[#out+1] = b end\n"
    "  end\n"
    "  return out\n"
    "end\n"
    "local idx = what == 'mentees' and p..'idx:mentee:prog:'..prog or p..'idx:coach'\n"
    "local ids = redis.call('ZRANGEBYLEX', idx, start, '+', 'LIMIT', 0, limit)\n"
    "local out = {'ok', ''}\n"
    "for _, id in ipairs(ids) do\n"
    "  if what == 'mentees' then\n"
    "    local h = redis.call('HMGET', p..'mentee:'..id, 'p', 'match', 'program')\n"
    "    if h[1] and not h[2] and h[3] == prog then out[#out+1] = h[1] out[#out+1] = tonumber(redis.call('HGET', p..'wait:'..prog, id) or '0') end\n"
    "  else\n"
    "    local h = redis.call('HMGET', p..'coach:'..id, 'p', 'program')\n"
    "    if h[1] and (h[2] == '' or has(h[2], prog)) then out[#out+1] = h[1] out[#out+1] = tonumber(redis.call('GET', p..'load:'..id) or '0') end\n"
    "  end\n"
    "end\n"
    "if #ids == limit then out[2] = ids[#ids] end\n"
    "return out\n",

/* ARGV: prefix run program now first nprops (mentee coach score explain)*nprops unmatched-mentee...
 * The first chunk supersedes the program's earlier unreviewed proposals. */
[SCRIPT_RUN_STORE] = LUA_COMMON LUA_MATCH
    "local run, prog, now, first, np = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', tonumber(ARGV[6])\n"
    "if redis.call('GET', p..'lock:run:'..prog) ~= run then return {'conflict', 'run '..run..' lost its lock'} end\n"
    "local pset = p..'proposed:'..prog\n"
    "if first then\n"
    "  for _, id in ipairs(redis.call('SMEMBERS', pset)) do\n"
    "    local st = redis.call('HGET', p..'match:'..id, 'status')\n"
    "    if st == 'proposed' then redis.call('HSET', p..'match:'..id, 'status', 'cancelled', 'updated_at', now) end\n"
    "  end\n"
    "  redis.call('DEL', pset)\n"
    "end\n"
    "for i = 0, np - 1 do\n"
    "  local b = 7 + 4 * i\n"
    "  local id = newmatch(prog, ARGV[b], ARGV[b+1], 'proposed', ARGV[b+2], run, ARGV[b+3], now)\n"
    "  redis.call('SADD', pset, id)\n"
    "end\n"
    "for i = 7 + 4 * np, #ARGV do redis.call('HINCRBY', p..'wait:'..prog, ARGV[i], 1) end\n"
    "return {'ok'}\n",

/* ARGV: prefix run program status stats now -> ok */
[SCRIPT_RUN_FINISH] = LUA_COMMON
    "local run, prog = ARGV[2], ARGV[3]\n"
    "redis.call('HSET', p..'run:'..run, 'status', ARGV[4], 'stats', ARGV[5], 'finished_at', ARGV[6])\n"
    "if redis.call('GET', p..'lock:run:'..prog) == run then redis.call('DEL', p..'lock:run:'..prog) end\n"
    "audit('ev', 'run.done', 'run', run, 'program', prog, 'status', ARGV[4])\n"
    "return {'ok'}\n",

/* ARGV: prefix program -> ok mentees coaches capacity load jp_minutes last_run last_stats covered fb_n fb_sum (status count)... */
[SCRIPT_STATS] = LUA_COMMON
    "local prog = ARGV[2]\n"
    "local mentees = redis.call('ZCARD', p..'idx:mentee:prog:'..prog)\n"
    "local coaches, cap, ld = 0, 0, 0\n"
    "for _, id in ipairs(redis.call('ZRANGE', p..'idx:coach', 0, -1)) do\n"
    "  local h = redis.call('HMGET', p..'coach:'..id, 'program', 'capacity')\n"
    "  if h[2] and (h[1] == '' or has(h[1], prog)) then\n"
    "    coaches = coaches + 1 cap = cap + tonumber(h[2]) ld = ld + tonumber(redis.call('GET', p..'load:'..id) or '0')\n"
    "  end\n"
    "end\n"
    "local counts, covered = {}, {}\n"
    "local ncov = 0\n"
    "for _, id in ipairs(redis.call('ZRANGE', p..'idx:match:prog:'..prog, 0, -1)) do\n"
    "  local h = redis.call('HMGET', p..'match:'..id, 'status', 'mentee_id')\n"
    "  if h[1] then\n"
    "    counts[h[1]] = (counts[h[1]] or 0) + 1\n"
    "    if h[1] == 'requested' or h[1] == 'approved' or h[1] == 'accepted' or h[1] == 'active' or h[1] == 'completed' then\n"
    "      if not covered[h[2]] then covered[h[2]] = true ncov = ncov + 1 end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local last = redis.call('GET', p..'lastrun:'..prog) or ''\n"
    "local lst = ''\n"
    "if last ~= '' then lst = redis.call('HGET', p..'run:'..last, 'stats') or '' end\n"
    "local out = {'ok', mentees, coaches, cap, ld, tonumber(redis.call('HGET', p..'jp:'..prog, 'minutes') or '0'), last, lst, ncov,\n"
    "  tonumber(redis.call('HGET', p..'fb:'..prog, 'n') or '0'), tonumber(redis.call('HGET', p..'fb:'..prog, 'sum') or '0')}\n"
    "for k, v in pairs(counts) do out[#out+1] = k out[#out+1] = v end\n"
    "return out\n",

/* ARGV: prefix mentee coach(optional) -> ok mentee_blob program forbidden-coach-ids-csv coach_blob coach_load */
[SCRIPT_SUGGEST_CTX] = LUA_COMMON
    "local h = redis.call('HMGET', p..'mentee:'..ARGV[2], 'p', 'program')\n"
    "if not h[1] then return {'not_found', 'no mentee '..ARGV[2], 'mentee_id'} end\n"
    "local forb = {}\n"
    "for _, pr in ipairs(redis.call('SMEMBERS', p..'forbid:'..h[2])) do\n"
    "  local a, b = string.match(pr, '^(%S+) (%S+)$')\n"
    "  if a == ARGV[2] then forb[#forb+1] = b end\n"
    "end\n"
    "local cb, cl = '', 0\n"
    "if ARGV[3] ~= '' then\n"
    "  cb = redis.call('HGET', p..'coach:'..ARGV[3], 'p')\n"
    "  if not cb then return {'not_found', 'no coach '..ARGV[3], 'coach_id'} end\n"
    "  cl = tonumber(redis.call('GET', p..'load:'..ARGV[3]) or '0')\n"
    "end\n"
    "return {'ok', h[1], h[2], table.concat(forb, ','), cb, cl}\n",

/* ARGV: prefix cursor count -> ok next-cursor blob load ... */
[SCRIPT_COACH_SCAN] = LUA_COMMON
    "local start = ARGV[2] == '' and '-' or '('..ARGV[2]\n"
    "local ids = redis.call('ZRANGEBYLEX', p..'idx:coach', start, '+', 'LIMIT', 0, tonumber(ARGV[3]))\n"
    "local out = {'ok', ''}\n"
    "for _, id in ipairs(ids) do\n"
    "  local b = redis.call('HGET', p..'coach:'..id, 'p')\n"
    "  if b then out[#out+1] = b out[#out+1] = tonumber(redis.call('GET', p..'load:'..id) or '0') end\n"
    "end\n"
    "if #ids == tonumber(ARGV[3]) then out[2] = ids[#ids] end\n"
    "return out\n",
};

const char *script_text(script_id id) {
    return id < SCRIPT__COUNT ? scripts[id] : NULL;
}

/* SHA1 hex of every script, filled by scripts_init() before the loop
 * starts and read-only afterwards. */
static char script_sha[SCRIPT__COUNT][2 * SHA_DIGEST_LENGTH + 1];

void scripts_init(void) {
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < SCRIPT__COUNT; i++) {
        const char *t = scripts[i] ? scripts[i] : "";
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)t, strlen(t), md);
        for (int k = 0; k < SHA_DIGEST_LENGTH; k++) {
            script_sha[i][2 * k] = hx[md[k] >> 4];
            script_sha[i][2 * k + 1] = hx[md[k] & 15];
        }
        script_sha[i][2 * SHA_DIGEST_LENGTH] = '\0';
    }
}

const char *script_text_by_sha(const char *sha, size_t len) {
    for (int i = 0; i < SCRIPT__COUNT; i++)
        if (len == 2 * SHA_DIGEST_LENGTH && !memcmp(script_sha[i], sha, len)) return scripts[i];
    return NULL;
}

void script_args_eval(sargs *a, script_id id, const char *prefix) {
    sargs_adds(a, "EVAL");
    const char *t = script_text(id);
    sargs_adds(a, t ? t : "return {'internal', 'script missing'}");
    sargs_adds(a, "0");
    sargs_adds(a, prefix);
}

void script_args(sargs *a, script_id id, const char *prefix) {
    if (!scripts[id] || !script_sha[id][0]) {
        script_args_eval(a, id, prefix);
        return;
    }
    sargs_adds(a, "EVALSHA");
    sargs_adds(a, script_sha[id]);
    sargs_adds(a, "0");
    sargs_adds(a, prefix);
}
