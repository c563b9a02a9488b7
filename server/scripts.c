/* scripts.c — the Lua scripts of every multi-key state change (DESIGN §6).
 *
 * Each script runs atomically in Redis, so checks and writes cannot
 * interleave with another coachnetd: "read then write from C" never
 * happens.  Every script takes ARGV[1] = the key prefix and returns an
 * array whose first element is "ok" or an error code of DESIGN §2
 * followed by a message.  Keys are documented in docs/operations.md.
 */
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
    "local function setstatus(m, st, now) redis.call('HSET', p..'match:'..m.id, 'status', st, 'updated_at', now) m.status = st end\n"

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

/* ARGV: prefix login pwhash role subject programs now by */
[SCRIPT_USER_CREATE] = LUA_COMMON
    "local k = p..'user:'..ARGV[2]\n"
    "if redis.call('EXISTS', k) == 1 then return {'conflict', 'user '..ARGV[2]..' exists'} end\n"
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
 * -> ok next-cursor blob... (at most 1000 ids examined per call) */
[SCRIPT_LIST] = LUA_COMMON
    "local kind, idx = ARGV[2], p..ARGV[3]\n"
    "local start = ARGV[4] == '' and '-' or '('..ARGV[4]\n"
    "local limit, prov, prog, scope = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]\n"
    "local out, examined, last = {'ok', ''}, 0, nil\n"
    "while #out - 2 < limit and examined < 1000 do\n"
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
    "    if ok then out[#out+1] = h[1] end\n"
    "    if #out - 2 >= limit or examined >= 1000 then break end\n"
    "  end\n"
    "  start = '('..last\n"
    "end\n"
    "if last and #redis.call('ZRANGEBYLEX', idx, '('..last, '+', 'LIMIT', 0, 1) > 0 then out[2] = last end\n"
    "return out\n",

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

void script_args(sargs *a, script_id id, const char *prefix) {
    sargs_adds(a, "EVAL");
    const char *t = script_text(id);
    sargs_adds(a, t ? t : "return {'internal', 'script missing'}");
    sargs_adds(a, "0");
    sargs_adds(a, prefix);
}
