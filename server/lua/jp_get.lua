-- jp_get.lua (SCRIPT_JP_GET): jp.get: a mentee's meeting minutes of a year and its program's JP target.
-- ARGV: prefix mentee year role scope target_default -> ok minutes target
--   minutes: jp:mentee:<id>'s field of the year (meeting_log.lua counts each meeting once there), '0' when
--   none; target: the jp_target field of program:<program> of the mentee's program, target_default when
--   the program or the field is not there.  A coordinator sees the mentees of its programs (scope, csv);
--   the handler has checked that a mentee asks for itself.
--! uses: keys common
--! db: jp_get(mentee_id, year:int, role, scope, target_default:int) -> strs
local id, year, role, scope = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local prog = redis.call('HGET', K.mentee..id, 'program')
if not prog then return {'not_found', 'no mentee '..id, 'mentee_id'} end
if role == 'coordinator' and not has(scope, prog) then return {'forbidden', 'mentee '..id..' is in program '..prog..', outside your programs', 'mentee_id'} end
local minutes = redis.call('HGET', K.jp_mentee..id, year) or '0'
local target = redis.call('HGET', K.program..prog, 'jp_target') or ARGV[6]
return {'ok', tostring(minutes), tostring(target)}
