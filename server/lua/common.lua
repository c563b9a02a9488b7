-- common.lua: the prelude of every script (scripts/embed-lua prepends it).
--
-- Contract of every script (design.md §6):
--   * ARGV[1] is the key prefix P (redis-prefix); the rest of ARGV is named
--     in each script's header.  Scripts take no KEYS: coachnet runs on one
--     Redis primary, not on a cluster, so a script may touch any key.
--   * Key names come from one table, server/keys.c's (the "Key schema" of
--     docs/operations.md): keys.lua, the prelude before this one, is
--     generated from it by scripts/gen-api and holds K, the kind's name up
--     to its id (K.mentee..id is P..'mentee:'..id; K.audit is P..'audit').
--     A script touches keys it only learns while it runs (the match ids of
--     an index, the coach of a match, match:<id> of the id it allocates
--     with INCR seq:match), so it builds them from K; a script never writes
--     a key name of its own (tests/unit/test_keys.c checks it).
--   * The reply is an array whose first element is "ok" or an error code
--     of design.md §2 followed by a message (and sometimes the param's name).
--   * A write that names a program checks it exists (no_program()).
--   * Every state change appends to P..'audit' (audit()) and tells the
--     other coachnetd processes on P..'events' (event()).
--   * A change that people hear of outside the app (design.md §10) appends
--     its message to the stream P..'outbox' with outbox(), in the same script,
--     so no change is committed without its message (the mailer,
--     mailer/mailer.c, delivers them).
--   * Sessions end by token (design.md §14): end_tokens() deletes tokens of
--     a login and publishes their hashes (`revoke`: every coachnetd ends the
--     sessions of its connections holding one); end_sessions() does it for
--     every token of a login but `keep` (nil: all of them).  A session whose
--     event is lost ends at the next periodic check (session_check.lua).
--
--   * A change of what a run of a program reads (profiles, pins, forbids,
--     seats, live matches, waitlist) calls touch(programs): +1 on
--     rev:<program> of each program of the csv ('' is a coach of every
--     program: rev:* then).  A run records revision(program) when it takes
--     its lock, and a draft is published only if it is unchanged
--     (run_draft_publish.lua): a cheap fingerprint of the run's inputs.
--
-- The text sent to Redis is keys.lua's body, this file's body, then
-- match.lua's body for the scripts that use it, then the script's body: the headers (these
-- leading "--" lines) are left out, so editing a comment here changes no
-- script's SHA1.
--! prelude
local function audit(...) redis.call('XADD', K.audit, 'MAXLEN', '~', '100000', '*', ...) end
local function split(csv) local t = {} for x in string.gmatch(csv or '', '[^,]+') do t[#t+1] = x end return t end
local function has(csv, x) for _, y in ipairs(split(csv)) do if y == x then return true end end return false end
-- stream_id(s): s normalised (no leading zeros) when it is a stream id Redis takes, two decimal
-- numbers of 64 bits '<ms>-<seq>' (XRANGE fails on a longer one, which was `internal`), else nil.
local STREAM_ID_MAX = '18446744073709551615-18446744073709551615'
local function u64(x)
  x = (string.gsub(x, '^0+', ''))
  if x == '' then return '0' end
  return (#x < 20 or (#x == 20 and x <= '18446744073709551615')) and x or nil
end
local function stream_id(s)
  local a, b = string.match(s or '', '^(%d+)%-(%d+)$')
  a, b = a and u64(a), b and u64(b)
  return a and b and a..'-'..b or nil
end
local function meets(a, b) for _, x in ipairs(split(a)) do if has(b, x) then return true end end return false end
local function event(t) redis.call('PUBLISH', K.events, cmsgpack.pack(t)) end
-- us_since(t0): microseconds since t0, a reply of redis.call('TIME') (a paced script's own
-- run time, which runs.c sizes its next chunk by; TIME is not inflated by the AOF's fsync).
local function us_since(t0) local t1 = redis.call('TIME') return (t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2]) end
-- outbox(kind, to, ...): the message of this change for people outside the
-- app: one entry of P..'outbox'.  kind is a notify kind (approved,
-- requested, accepted, declined, cancelled, completed, meeting, reminder,
-- digest), to a csv of recipients ('mentee:<id>', 'coach:<id>',
-- 'user:<login>'), the rest field/value pairs of the kind's data.  Whether
-- and how a recipient gets mail (email, language, notify of its profile) is
-- read by the mailer when it sends, not here: the change pays one XADD.
-- MAXLEN bounds the stream when no mailer runs at all (OUTBOX_MAX entries,
-- about 200 bytes each; docs/design.md "Outbox").
local OUTBOX_MAX = '1000000'
local function outbox(kind, to, ...) redis.call('XADD', K.outbox, 'MAXLEN', '~', OUTBOX_MAX, '*', 'kind', kind, 'to', to, ...) end
-- no_program(csv, field, list): the refusal of a write naming a program
-- that does not exist (DESIGN §9: programs are objects, program.put makes
-- them), or nil when each program of csv has its program:<id>.  field is
-- the param's path; with list, the failing element's (field..'[i]', from 0).
local function no_program(csv, field, list)
  for i, id in ipairs(split(csv)) do
    if redis.call('EXISTS', K.program..id) == 0 then
      return {'invalid_params', 'no program '..id..' (an admin creates it: program.put)', list and field..'['..(i - 1)..']' or field}
    end
  end
  return nil
end
local function touch(progs)
  if progs == '' then redis.call('INCR', K.rev..'*') end
  for _, x in ipairs(split(progs)) do redis.call('INCR', K.rev..x) end
end
local function revision(prog) return (redis.call('GET', K.rev..prog) or '0')..'/'..(redis.call('GET', K.rev..'*') or '0') end
local function end_tokens(login, ths)
  for i = 1, #ths, 256 do
    local chunk = {}
    for j = i, math.min(i + 255, #ths) do
      redis.call('DEL', K.tok..ths[j])
      redis.call('SREM', K.utok..login, ths[j])
      chunk[#chunk+1] = ths[j]
    end
    event({'revoke', chunk})
  end
end
local function end_sessions(login, keep)
  local ths = {}
  for _, th in ipairs(redis.call('SMEMBERS', K.utok..login)) do if th ~= keep then ths[#ths+1] = th end end
  end_tokens(login, ths)
end
-- idem_run(body): the request_id check (DESIGN §14) around the body of a
-- script whose header says `--! idempotent` (scripts/embed-lua wraps it).
-- Its sender (db_idem_args) appends three ARGV, taken off here before the
-- body sees ARGV: the request's key '<login>:<request_id>' ('' when the
-- call has none: the body just runs), its fingerprint '<method> <sha256 of
-- the params>', and the seconds to keep the answer.  The first "ok" answer
-- is kept with the fingerprint under K.idem in the same script as the
-- change, so "applied" and "answer kept" cannot part; a repeat is answered
-- from it with the status 'replay' (the server answers it as ok) and runs
-- nothing.  A refusal is not kept: it changed nothing, and a retry may
-- succeed.  The same request_id with another method or other params is a
-- conflict.
local function idem_run(body)
  local ttl = table.remove(ARGV)
  local fp = table.remove(ARGV)
  local ik = table.remove(ARGV)
  if ik == '' then return body() end
  local k = K.idem..ik
  local prev = redis.call('GET', k)
  if prev then
    local rec = cmsgpack.unpack(prev)
    if rec[1] ~= fp then
      return {'conflict', 'this request_id was used for another request', 'request_id'}
    end
    local r = rec[2]
    r[1] = 'replay'
    -- Rewritten as it is: a write, so that the WAIT that follows this script
    -- (DESIGN §13) also covers the first call's write, made perhaps by
    -- another coachnetd whose WAIT failed.
    redis.call('SET', k, prev, 'KEEPTTL')
    return r
  end
  local r = body()
  if type(r) == 'table' and r[1] == 'ok' then redis.call('SET', k, cmsgpack.pack({fp, r}), 'EX', ttl) end
  return r
end
