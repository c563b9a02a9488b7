/* pack.h — the one adapter between what coachnetd holds and the wire.
 *
 * Every result and notification leaves the server through libproto's
 * codecs (proto_*_pack, the same codecs clients decode with) or through
 * the functions below; server/pack.c is the only file of server/ that calls
 * msgpack-c's packing functions itself.  It holds:
 *
 *   - the checked conversions of what the server has into proto structs:
 *     a match hash (Redis HGETALL field list, or the same list as the
 *     msgpack array an event carries), a matcher explanation, a session,
 *     a review outcome, a stored meeting record or feedback, an audit entry;
 *   - the envelopes proto has no codec for because they only wrap one
 *     ({match}, {explain}, {items: [...]}, {items, cursor}, {}, {run_id},
 *     {id, version}, {profile, version, load?}, {pins, forbids});
 *   - the writers of raw stored msgpack (profiles), bytes that passed
 *     proto_body_check() when they were read back.
 *
 * Conversions return 0, or -1 when the input does not make a valid object
 * (a corrupted or foreign store value, a matcher value out of the
 * protocol's ranges); the caller then answers `internal`.  The packers
 * write exactly one object (or, for the *_begin ones, the start of one that
 * the caller completes as documented).
 */
#ifndef COACHNET_SERVER_PACK_H
#define COACHNET_SERVER_PACK_H

#include <stdbool.h>

#include "server/server.h"

/* ---- conversions ---- */

/* A match from the flat field list a script returned (HGETALL order:
 * name, value, ...): the fields of a match are decoded and validated with
 * proto_match_decode() (an "explain" value is the stored explanation
 * blob); internal fields of the hash (mentee_ok, coach_ok, jp_minutes,
 * notes) are ignored, and so are an empty run_id or explain. */
int pack_conv_match(const redisReply *flat, proto_match *out);
/* The same from the msgpack array of strings an event carries (Lua's
 * cmsgpack packing of the same HGETALL list). */
int pack_conv_match_array(const msgpack_object_array *a, proto_match *out);
/* A coach card blob of coach_cards.lua, decoded and checked as clients
 * will; 0 or -1. */
int pack_conv_coach_card(const char *blob, size_t len, proto_coach_card *out);

/* An explanation of libmatcher (its reason codes, "program" first, are
 * proto's; codes and counts must fit proto's limits). */
int pack_conv_explain(const match_explain *in, proto_explain *out);

/* A suggestion of libmatcher with its explanation (NULL: none could be
 * made; explain is then nil, and so it is when ex does not convert). */
int pack_conv_suggestion(const match_suggestion *s, const match_explain *ex, proto_suggestion *out);

/* The session result of auth.login (token given: {token, role, subject?,
 * programs (coordinators)}) or of auth.resume (token NULL: {login, role,
 * subject?}), expiring in expires_in seconds. */
int pack_conv_session(const srv_session *sess, const char *token, int64_t expires_in, proto_session *out);

/* One outcome of match.review: the script's id, new status, error code
 * and message ("" code: applied). */
int pack_conv_review(const redisReply *id, const redisReply *status, const redisReply *code, const redisReply *msg,
                     proto_review_item *out);

/* One stored meeting record (a value of meeting:<match>, meeting_log.lua's
 * msgpack {id, date, minutes, topic, logged_by, at, confirmed_by?,
 * confirmed_at?}) as an item of meeting.list: pre-checked, unpacked, the
 * times left out, decoded with proto_meeting_item_decode(). */
int pack_conv_meeting(const char *blob, size_t len, proto_meeting_item *out);

/* One item of feedback.list from a value of feedback:<match>
 * (feedback_put.lua's msgpack {rating, comment, at}) and the match id, the
 * side's id and role (NUL-terminated) it was found under: decoded with
 * proto_feedback_item_decode(). */
int pack_conv_feedback(const char *match_id, const char *by, const char *role, const char *blob, size_t len,
                       proto_feedback_item *out);

/* One item of audit.list from the five strings audit_list.lua made of a
 * stream entry (at in decimal unix seconds, actor, action, object, detail;
 * NUL-terminated, lengths in len): decoded with proto_audit_item_decode(). */
int pack_conv_audit(const char *const s[5], const size_t len[5], proto_audit_item *out);

/* One item of run.unmatched from the script's strings (name "" when the
 * mentee is gone); -1 when an id, name or reason is out of the protocol. */
int pack_conv_unmatched(const char *mentee_id, const char *name, const char *reason, proto_unmatched_item *out);

/* The index of s (len bytes) in a NULL-terminated name list (proto's
 * *_names tables), or -1. */
int pack_name_index(const char *const *names, const char *s, size_t len);

/* ---- stored blobs ---- */

/* Append the explanation as the blob stored in a match hash (what
 * pack_conv_match() reads back).  -1 (nothing appended) when it does not
 * convert.  Pure: the run's worker thread calls it. */
int pack_explain_blob(msgpack_sbuffer *sb, const match_explain *ex);

/* The program of program.put's params as proto's struct (the schema
 * reader checked every field). */
void pack_conv_program(const api_program_put_params_program *in, proto_program *out);
/* Append the canonical program blob stored in program:<id> ('p'). */
void pack_program_blob(msgpack_sbuffer *sb, const proto_program *p);
/* 0 when blob (len bytes) is one program that proto_program_decode()
 * accepts, else -1: a stored blob is checked before it is sent. */
int pack_program_valid(const char *blob, size_t len);

/* ---- results ---- */

void pack_empty(msgpack_packer *pk);                                         /* {} */
void pack_run_id(msgpack_packer *pk, const char *run_id);                    /* {run_id} */
void pack_put_result(msgpack_packer *pk, const char *id, long long version); /* {id, version} */
/* {profile, version} (coach.get: and load when has_load); blob is a stored
 * profile that passed proto_body_check(). */
void pack_profile(msgpack_packer *pk, const char *blob, size_t len, long long version, bool has_load, long long load);
void pack_match_result(msgpack_packer *pk, const proto_match *m); /* {match} */
/* {key: n} (run.publish's {published}). */
void pack_count_result(msgpack_packer *pk, const char *key, long long n);
/* {key: s} (meeting.schedule's {meeting_id}) */
void pack_str_result(msgpack_packer *pk, const char *key, const char *s);
/* {key: ...}: the caller packs the one value (run.get's {run}). */
void pack_wrap_begin(msgpack_packer *pk, const char *key);
/* One run record from the PACK_RUN_FIELDS strings of run.lua's record()
 * (id program status draft published_at policy stats started_at finished_at
 * by; "" for an absent one): built as the run object, checked with
 * proto_run_decode() and packed with proto_run_pack().  -1, nothing
 * written, when it does not make a valid run.  A run recorded before
 * policies were (no policy field) shows the policy {}. */
#define PACK_RUN_FIELDS 10
int pack_run(msgpack_packer *pk, redisReply *const *e);
void pack_explain_result(msgpack_packer *pk, const proto_explain *e); /* {explain} */
/* {program}; blob passed pack_program_valid(). */
void pack_program_result(msgpack_packer *pk, const char *blob, size_t len);
/* match.pins: {pins: [npins rules], forbids: [nforbids rules]} */
void pack_pins_result(msgpack_packer *pk, const proto_pair_rule *pins, size_t npins, const proto_pair_rule *forbids,
                      size_t nforbids);

/* Start {key: [n items]} (has_cursor: {key: [n items], cursor}); the
 * caller then packs the n items (proto_*_pack or pack_raw) and, with a
 * cursor, ends with pack_cursor(). */
void pack_items_begin(msgpack_packer *pk, const char *key, size_t n, bool has_cursor);
/* The cursor of a list: an encoded cursor, or nil for NULL (last page). */
void pack_cursor(msgpack_packer *pk, const char *cursor);
/* One stored msgpack object (checked by proto_body_check()) as it is. */
void pack_raw(msgpack_packer *pk, const char *data, size_t len);

/* The sha256 (AUTH_SHA_HEX hex) of o packed as msgpack, leaving out the
 * entries of a map o whose keys are among secrets (NULL-terminated, or
 * NULL): a fingerprint of a request's params that is kept in Redis, so a
 * password must not go into it (a plain sha256 of it is cheap to guess).
 * 0, or -1 when out of memory. */
int pack_object_sha256(const msgpack_object *o, const char *const *secrets, char *out);

/* ---- notifications (srv_pack_fn) ---- */

void pack_match_updated(msgpack_packer *pk, void *match);   /* ud: proto_match, {match} */
void pack_run_progress(msgpack_packer *pk, void *progress); /* ud: proto_run_progress */
void pack_run_done(msgpack_packer *pk, void *done);         /* ud: proto_run_done */

#endif
