/* mailer.c — coachnet-mailer: delivers the outbox by SMTP (design.md §10).
 *
 *   coachnet-mailer --config FILE      (the same file as coachnetd's)
 *
 * A separate process, not a thread of coachnetd (docs/design.md "Mail
 * outside the app" says why): one loop, synchronous hiredis and libcurl's
 * easy API, so a slow or dead SMTP server never touches the event loop
 * that serves clients, and the mailer can be restarted, killed or run
 * several times on its own.
 *
 * The loop, per outbox entry (common.lua's outbox() wrote it in the script
 * of the change):
 *   - entries come from the consumer group `mailer` of P outbox: first
 *     those another mailer held longer than mail-claim-idle-ms (it died:
 *     XAUTOCLAIM), then new ones (XREADGROUP, blocking a second);
 *   - for each recipient of `to`: if P mail:sent:<event>:<recipient>
 *     exists the SMTP server already accepted this message: skip it.  Else
 *     read the recipient's profile (name, email, language, notify); no
 *     address or the kind turned off: skip.  Else render the templates
 *     (mail-templates/<language>/<kind>.txt|.html), add the invitation of
 *     a meeting (mail.c's mail_ics), and send with Message-ID
 *     <event.recipient@domain>;
 *   - 250: SET mail:sent:<event>:<recipient> (30 days); a 5xx reply to
 *     RCPT TO, DATA or the message: a dead letter at once (the server
 *     refused it for good); a 4xx reply there: retry after
 *     mail-retry-base-ms, doubled per try up to mail-retry-max-ms, and a
 *     dead letter after smtp-max-tries replies; no reply at all (connect
 *     refused, timeout, connection lost) or any refusal before RCPT TO
 *     (554 at the greeting, AUTH, 530 to MAIL FROM: the server refuses
 *     the mailer, not this message): retry with the same backoff without
 *     counting a try, for as long as it takes;
 *   - once every recipient is delivered, skipped or dead: XACK and XDEL.
 * Before each entry and every CLAIM_RENEW_MS (at most a third of
 * mail-claim-idle-ms) while it waits, the mailer
 * renews its claim on every entry of the batch not done yet
 * (server/lua/mail_claim.lua), so no other mailer takes an entry from a
 * live one: not the one being retried, nor the 31 behind it.  An entry
 * another mailer took all the same (this one stalled longer than
 * mail-claim-idle-ms) is left to that mailer, not claimed back, and
 * skipped, so the two never send it at once.
 *
 * The guarantee (docs/design.md): every entry is delivered to each
 * recipient with an address and the kind on, or is a dead letter; a
 * second copy is sent only when the mailer dies (or loses Redis) after
 * the SMTP server accepted a message and before SET mail:sent returned,
 * a window of one Redis round trip per message.
 *
 * Jobs.  Every JOB_CHECK_MS each mailer tries the lock of the reminder job
 * (P lock:mail:remind, SET NX PX remind-interval-s) and of the digest job
 * (P lock:mail:digest, PX digest-interval-s); the one that takes a lock
 * runs the job (server/lua/mail_remind.lua over each program's matches,
 * mail_digest.lua over the users, a page per call), which writes its
 * messages to the outbox like any change: several mailers (or restarts)
 * run each job once per interval, and the scripts' own marks keep a
 * reminder once per waiting period.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <libical/ical.h>
#include <msgpack.h>

#include "mailer/mail.h"
#include "proto/proto.h"
#include "server/config.h"
#include "server/keys.h"
#include "server/log.h"
#include "server/lua_scripts.h"

#define BATCH          32      /* entries per XREADGROUP / XAUTOCLAIM */
#define BLOCK_MS       1000    /* XREADGROUP BLOCK: how soon a stop is seen */
#define SENT_TTL_S     2592000 /* mail:sent records: 30 days */
#define CLAIM_RENEW_MS 1000    /* XCLAIM our entry this often while waiting */
#define REDIS_RETRY_MS 500     /* between Redis reconnects */
#define KEY_MAX        512     /* a key name */
#define GROUP          "mailer"
#define REASON_MAX     PROTO_MAIL_REASON_MAX
#define JOB_CHECK_MS   1000 /* how often the job locks are tried */
#define JOB_PAGE       500  /* matches / users per job script call */
#define DAY_S          86400

static const char *const kinds[] = { "approved",          "requested",        "accepted", "declined",
                                     "cancelled",         "completed",        "meeting",  "meeting_cancel",
                                     "reminder_response", "reminder_meeting", "digest",   NULL };

static volatile sig_atomic_t stopping;
static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

/* The entries of the batch process_all works through: their ids (in the
 * reply it reads) and whether this mailer still holds each (mail_claim.lua). */
typedef struct batch {
    const char *id[BATCH];
    unsigned char ours[BATCH];
    size_t n, at; /* entries, the one being processed */
} batch;

typedef struct mailer {
    cfg c;
    mail_templates tpl;
    redisContext *rc;
    CURL *curl;
    char consumer[128];
    char password[512];
    char domain[256];
    char k_outbox[KEY_MAX], k_dead[KEY_MAX];
    unsigned long delivered, skipped, dead, already;
    long long next_jobs_ms;
    int rcpt_sent; /* this send got as far as RCPT TO (smtp_seen) */
    batch b;
} mailer;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Redis ------------------------------------------------------------------ */

static void redis_drop(mailer *m) {
    if (m->rc) redisFree(m->rc);
    m->rc = NULL;
}

/* A command; NULL (and the connection dropped) when Redis failed. */
static redisReply *cmd(mailer *m, const char *fmt, ...) {
    if (!m->rc) return NULL;
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(m->rc, fmt, ap);
    va_end(ap);
    if (!r) {
        log_warn("mailer: redis: %s", m->rc->errstr);
        redis_drop(m);
    }
    return r;
}

static int redis_ensure(mailer *m) {
    if (m->rc) return 0;
    struct timeval tv = { m->c.redis_timeout_ms / 1000, (m->c.redis_timeout_ms % 1000) * 1000 };
    m->rc = redisConnectWithTimeout(m->c.redis_host, m->c.redis_port, tv);
    if (!m->rc || m->rc->err) {
        log_warn("mailer: cannot connect to redis %s:%d: %s", m->c.redis_host, m->c.redis_port,
                 m->rc ? m->rc->errstr : "out of memory");
        redis_drop(m);
        return -1;
    }
    /* the block of XREADGROUP is within this timeout */
    tv.tv_sec += BLOCK_MS / 1000 + 1;
    redisSetTimeout(m->rc, tv);
    redisReply *r = cmd(m, "XGROUP CREATE %s %s 0 MKSTREAM", m->k_outbox, GROUP);
    if (!r) return -1;
    int bad = r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0;
    if (bad) log_error("mailer: XGROUP CREATE: %s", r->str);
    freeReplyObject(r);
    if (bad) {
        redis_drop(m);
        return -1;
    }
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stopping) {}
}

/* ---- an outbox entry ----------------------------------------------------------- */

#define FIELDS_MAX 32
typedef struct entry {
    char id[64];
    const char *name[FIELDS_MAX], *value[FIELDS_MAX];
    size_t n;
} entry;

static const char *field(const entry *e, const char *name) {
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->name[i], name) == 0) return e->value[i];
    return "";
}

/* Fill e from a stream entry reply [id, [f, v, ...]]; -1 when its shape is
 * wrong (a trimmed entry has nil fields). */
static int entry_read(const redisReply *r, entry *e) {
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING) return -1;
    snprintf(e->id, sizeof e->id, "%s", r->element[0]->str);
    e->n = 0;
    const redisReply *f = r->element[1];
    if (f->type != REDIS_REPLY_ARRAY) return -1;
    for (size_t i = 0; i + 1 < f->elements && e->n < FIELDS_MAX; i += 2) {
        if (f->element[i]->type != REDIS_REPLY_STRING || f->element[i + 1]->type != REDIS_REPLY_STRING) return -1;
        e->name[e->n] = f->element[i]->str;
        e->value[e->n++] = f->element[i + 1]->str;
    }
    return 0;
}

/* ---- people ----------------------------------------------------------------------- */

typedef struct person {
    char ref[PROTO_MAIL_TO_MAX + 1]; /* mentee:<id> */
    char name[PROTO_NAME_MAX + 1];
    char email[PROTO_EMAIL_MAX + 1];
    int language;        /* proto_language */
    uint32_t notify_off; /* proto_contact's */
    int found;
} person;

static void obj_str(const msgpack_object *o, char *out, size_t outsz) {
    if (o->type == MSGPACK_OBJECT_STR) snprintf(out, outsz, "%.*s", (int)o->via.str.size, o->via.str.ptr);
}

/* The fields of a stored profile blob the mail needs (the blob is the
 * canonical one of proto_mentee_pack / proto_coach_pack). */
static void person_from_blob(person *p, const char *blob, size_t len) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (proto_body_check(blob, len, NULL, NULL) == PROTO_OK &&
        msgpack_unpack_next(&u, blob, len, NULL) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP) {
        p->found = 1;
        const msgpack_object_map *mp = &u.data.via.map;
        for (uint32_t i = 0; i < mp->size; i++) {
            const msgpack_object *k = &mp->ptr[i].key, *v = &mp->ptr[i].val;
            if (k->type != MSGPACK_OBJECT_STR) continue;
            char key[32];
            obj_str(k, key, sizeof key);
            if (strcmp(key, "name") == 0)
                obj_str(v, p->name, sizeof p->name);
            else if (strcmp(key, "email") == 0)
                obj_str(v, p->email, sizeof p->email);
            else if (strcmp(key, "language") == 0) {
                char l[8] = "";
                obj_str(v, l, sizeof l);
                p->language = strcmp(l, "en") == 0 ? PROTO_LANGUAGE_EN : PROTO_LANGUAGE_ID;
            } else if (strcmp(key, "notify") == 0 && v->type == MSGPACK_OBJECT_MAP) {
                for (uint32_t j = 0; j < v->via.map.size; j++) {
                    char kind[32] = "";
                    obj_str(&v->via.map.ptr[j].key, kind, sizeof kind);
                    const msgpack_object *on = &v->via.map.ptr[j].val;
                    for (int n = 0; proto_notify_kind_names[n]; n++)
                        if (strcmp(kind, proto_notify_kind_names[n]) == 0 && on->type == MSGPACK_OBJECT_BOOLEAN &&
                            !on->via.boolean)
                            p->notify_off |= 1u << n;
                }
            }
        }
    }
    msgpack_unpacked_destroy(&u);
}

/* Look up ref ("mentee:<id>" or "coach:<id>"); 0, or -1 when Redis failed.
 * A ref of another kind or without a profile leaves p->found 0. */
static int person_load(mailer *m, const char *ref, person *p) {
    memset(p, 0, sizeof *p);
    snprintf(p->ref, sizeof p->ref, "%s", ref);
    const char *colon = strchr(ref, ':');
    if (!colon) return 0;
    key_kind k;
    if (strncmp(ref, "mentee:", 7) == 0)
        k = KEY_MENTEE;
    else if (strncmp(ref, "coach:", 6) == 0)
        k = KEY_COACH;
    else if (strncmp(ref, "user:", 5) == 0)
        k = KEY_USER;
    else
        return 0;
    char key[KEY_MAX];
    if (keys_name(key, sizeof key, m->c.redis_prefix, k, colon + 1) < 0) return 0;
    if (k == KEY_USER) {
        /* a user without a profile: user.create's email and language */
        redisReply *u = cmd(m, "HMGET %s email language", key);
        if (!u) return -1;
        if (u->type == REDIS_REPLY_ARRAY && u->elements == 2 && u->element[0]->type == REDIS_REPLY_STRING) {
            p->found = 1;
            snprintf(p->name, sizeof p->name, "%s", colon + 1);
            snprintf(p->email, sizeof p->email, "%s", u->element[0]->str);
            p->language = u->element[1]->type == REDIS_REPLY_STRING && strcmp(u->element[1]->str, "en") == 0
                              ? PROTO_LANGUAGE_EN
                              : PROTO_LANGUAGE_ID;
        }
        freeReplyObject(u);
        return 0;
    }
    redisReply *r = cmd(m, "HGET %s p", key);
    if (!r) return -1;
    if (r->type == REDIS_REPLY_STRING) person_from_blob(p, r->str, r->len);
    freeReplyObject(r);
    return 0;
}

/* ---- SMTP ---------------------------------------------------------------------------- */

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *ud) {
    upload *u = ud;
    size_t n = size * nmemb, left = u->len - u->pos;
    if (n > left) n = left;
    memcpy(ptr, u->data + u->pos, n);
    u->pos += n;
    return n;
}

enum { SEND_OK, SEND_PERMANENT, SEND_TRANSIENT, SEND_DOWN };

/* libcurl's debug callback, for one fact: whether the session got as far
 * as RCPT TO.  A refusal before it (the greeting, EHLO, STARTTLS, AUTH,
 * MAIL FROM) is about the mailer's session with the server, whatever its
 * code -- a blocklisted host (554 at the greeting), AUTH wanted (530), a
 * sender refused -- and must not turn every message of the outbox into a
 * dead letter; only a refusal of the recipient or the message is.  The
 * commands are only compared, never kept or logged (AUTH carries the
 * password). */
static int smtp_seen(CURL *c, curl_infotype type, char *data, size_t size, void *ud) {
    (void)c;
    mailer *m = ud;
    if (type == CURLINFO_HEADER_OUT && size >= 4 && strncasecmp(data, "RCPT", 4) == 0) m->rcpt_sent = 1;
    return 0;
}

/* Send one message; the outcome, and the reply or error in reason.
 * Permanent (a dead letter): a 5xx to RCPT TO, DATA or the message;
 * transient (smtp-max-tries): a 4xx there; down (retried with backoff for
 * as long as it takes): no answer, or any refusal before RCPT TO. */
static int smtp_send(mailer *m, const char *rcpt, const char *msg, size_t len, char *reason, size_t rlen) {
    upload u = { msg, len, 0 };
    struct curl_slist *to = curl_slist_append(NULL, rcpt);
    char from[PROTO_EMAIL_MAX + 3];
    snprintf(from, sizeof from, "<%s>", m->c.mail_from);
    CURL *c = m->curl;
    curl_easy_setopt(c, CURLOPT_URL, m->c.smtp_url);
    /* STARTTLS whenever the server offers it; required once a password
     * would cross the wire */
    curl_easy_setopt(c, CURLOPT_USE_SSL, m->c.smtp_user[0] ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (m->c.smtp_ca_file[0]) curl_easy_setopt(c, CURLOPT_CAINFO, m->c.smtp_ca_file);
    if (m->c.smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, m->c.smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)m->c.smtp_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)m->c.smtp_timeout_ms);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, smtp_seen);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, m);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* to smtp_seen, not stderr */
    m->rcpt_sent = 0;
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(to);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) return SEND_OK;
    snprintf(reason, rlen, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
    if (!m->rcpt_sent || code < 400) return SEND_DOWN;
    return code >= 500 ? SEND_PERMANENT : SEND_TRANSIENT;
}

/* ---- one recipient ----------------------------------------------------------------------- */

enum { DONE, ABORT, LOST };

/* How often a waiting mailer claims its entries again: every
 * CLAIM_RENEW_MS, and three times within mail-claim-idle-ms when that is
 * shorter, so that one late renewal does not yet let another mailer in. */
static long claim_renew_ms(const mailer *m) {
    long third = m->c.mail_claim_idle_ms / 3;
    return third < CLAIM_RENEW_MS ? (third > 0 ? third : 1) : CLAIM_RENEW_MS;
}

/* Claim again the entries of the batch from the current one on that this
 * mailer still holds (mail_claim.lua): their idle times restart, so no
 * other mailer's XAUTOCLAIM takes them while this one works or waits.  An
 * entry it no longer holds is marked not ours for good.  0, or -1 when
 * Redis failed (the marks are then unchanged). */
static int renew_claims(mailer *m) {
    batch *b = &m->b;
    const char *argv[BATCH + 5];
    size_t argl[BATCH + 5], k = 0;
    argv[k++] = "EVAL";
    argv[k++] = lua_script_text[SCRIPT_MAIL_CLAIM];
    argv[k++] = "0";
    argv[k++] = m->c.redis_prefix;
    argv[k++] = m->consumer;
    for (size_t i = b->at; i < b->n; i++)
        if (b->ours[i]) argv[k++] = b->id[i];
    if (k == 5 || !m->rc) return m->rc ? 0 : -1;
    for (size_t i = 0; i < k; i++) argl[i] = strlen(argv[i]);
    redisReply *r = redisCommandArgv(m->rc, (int)k, argv, argl);
    if (!r) {
        log_warn("mailer: redis: %s", m->rc->errstr);
        redis_drop(m);
        return -1;
    }
    if (r->type != REDIS_REPLY_ARRAY) {
        log_error("mailer: mail_claim: %s", r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
        freeReplyObject(r);
        return -1;
    }
    for (size_t i = b->at; i < b->n; i++) {
        if (!b->ours[i]) continue;
        int kept = 0;
        for (size_t j = 0; j < r->elements && !kept; j++)
            kept = r->element[j]->type == REDIS_REPLY_STRING && strcmp(r->element[j]->str, b->id[i]) == 0;
        if (!kept) log_notice("mailer: %s was taken over by another mailer: left to it", b->id[i]);
        b->ours[i] = (unsigned char)kept;
    }
    freeReplyObject(r);
    return 0;
}

static int dead_letter(mailer *m, const entry *e, const char *ev, const char *rcpt, const char *reason, int tries) {
    const char *argv[2 * FIELDS_MAX + 16];
    size_t argl[2 * FIELDS_MAX + 16], n = 0;
    char tbuf[24], abuf[24];
    snprintf(tbuf, sizeof tbuf, "%d", tries);
    snprintf(abuf, sizeof abuf, "%lld", now_ms() / 1000);
    argv[n++] = "XADD";
    argv[n++] = m->k_dead;
    argv[n++] = "*";
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->name[i], "to") == 0 || strcmp(e->name[i], "ev") == 0) continue;
        argv[n++] = e->name[i];
        argv[n++] = e->value[i];
    }
    const char *tail[] = { "to", rcpt, "ev", ev, "reason", reason, "tries", tbuf, "dead_at", abuf };
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) argv[n++] = tail[i];
    for (size_t i = 0; i < n; i++) argl[i] = strlen(argv[i]);
    if (!m->rc) return ABORT;
    redisReply *r = redisCommandArgv(m->rc, (int)n, argv, argl);
    if (!r) {
        redis_drop(m);
        return ABORT;
    }
    /* Refused (a full Redis, a key of another type): the entry stays in
     * the outbox, pending, and is tried again once claimable; acknowledging
     * it now would lose the message (design.md §10, "Nothing lost"). */
    if (r->type == REDIS_REPLY_ERROR) {
        log_error("mailer: dead letter of event %s to %s not written (%s): left in the outbox", ev, rcpt, r->str);
        freeReplyObject(r);
        return ABORT;
    }
    freeReplyObject(r);
    m->dead++;
    log_warn("mailer: dead letter: event %s to %s after %d tries: %s", ev, rcpt, tries, reason);
    return DONE;
}

/* The kind's template name and the message's variables and invitation. */
static char *build(mailer *m, const entry *e, const person *to, const person *me, const person *co, const char *msgid,
                   size_t *len) {
    const char *kind = field(e, "kind");
    int meeting = strcmp(kind, "meeting") == 0;
    int cancel = meeting && strcmp(field(e, "method"), "CANCEL") == 0;
    const char *tname = kind;
    if (cancel)
        tname = "meeting_cancel";
    else if (strcmp(kind, "reminder") == 0)
        tname = strcmp(field(e, "reason"), "meeting") == 0 ? "reminder_meeting" : "reminder_response";
    const mail_template *t = mail_template_find(&m->tpl, tname);
    if (!t) return NULL;
    const person *other = to == me ? co : me;
    char start[96] = "";
    time_t st = (time_t)strtoll(field(e, "start"), NULL, 10);
    if (meeting) mail_local_time(start, sizeof start, st, m->c.timezone);
    mail_vars v = { 0 };
    mail_var(&v, "name", to->name);
    mail_var(&v, "other", other->name);
    mail_var(&v, "mentee", me->name);
    mail_var(&v, "coach", co->name);
    mail_var(&v, "match", field(e, "match"));
    mail_var(&v, "program", field(e, "program"));
    mail_var(&v, "status", field(e, "status"));
    mail_var(&v, "start", start);
    mail_var(&v, "minutes", field(e, "minutes"));
    mail_var(&v, "place", field(e, "place"));
    static const char *const digest_vars[] = { "programs", "proposed", "waiting", "declined", "jp", "unmatched" };
    for (size_t i = 0; i < sizeof digest_vars / sizeof digest_vars[0]; i++)
        mail_var(&v, digest_vars[i], field(e, digest_vars[i]));
    int l = to->language;
    char *subject = mail_render(t->subject[l], &v, 0), *text = mail_render(t->text[l], &v, 0),
         *html = mail_render(t->html[l], &v, 1), *ics = NULL;
    if (meeting && subject) {
        char uid[PROTO_OBJID_MAX + 300];
        snprintf(uid, sizeof uid, "%s@%s", field(e, "meeting"), m->domain);
        mail_attendee att[2];
        size_t na = 0;
        if (me->email[0]) att[na++] = (mail_attendee){ me->name, me->email };
        if (co->email[0]) att[na++] = (mail_attendee){ co->name, co->email };
        ics = mail_ics(cancel ? "CANCEL" : "REQUEST", uid, atoi(field(e, "seq")), st, atoi(field(e, "minutes")),
                       m->c.timezone, subject, field(e, "place"), m->c.mail_from, att, na, time(NULL));
    }
    char *msg = NULL;
    if (subject && text && html && (!meeting || ics))
        msg = mail_message(m->c.mail_from, to->email, subject, text, html, ics, cancel ? "CANCEL" : "REQUEST", msgid,
                           time(NULL), len);
    free(subject);
    free(text);
    free(html);
    free(ics);
    return msg;
}

static int deliver_one(mailer *m, const entry *e, const char *ev, const char *rcpt, const person *me,
                       const person *co) {
    static person user;
    char skey[KEY_MAX], sid[256], msgid[600];
    snprintf(sid, sizeof sid, "%s:%s", ev, rcpt);
    if (keys_name(skey, sizeof skey, m->c.redis_prefix, KEY_MAIL_SENT, sid) < 0) return DONE;
    redisReply *r = cmd(m, "EXISTS %s", skey);
    if (!r) return ABORT;
    int sent = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (sent) {
        m->already++;
        return DONE;
    }
    const person *to = strcmp(rcpt, me->ref) == 0 ? me : strcmp(rcpt, co->ref) == 0 ? co : NULL;
    if (!to) {
        if (person_load(m, rcpt, &user)) return ABORT;
        to = &user;
    }
    int kind = -1;
    for (int k = 0; proto_notify_kind_names[k]; k++)
        if (strcmp(field(e, "kind"), proto_notify_kind_names[k]) == 0) kind = k;
    if (!to || !to->found || !to->email[0] || kind < 0 || (to->notify_off >> kind) & 1u) {
        m->skipped++;
        return DONE;
    }
    /* <event.recipient@domain>: ':' and '@' (of a login that is an address,
     * user:a@b) are not allowed left of the '@'; '=' is, and is in no login */
    char left[sizeof sid];
    snprintf(left, sizeof left, "%s.%s", ev, rcpt);
    for (char *c = left; *c; c++)
        if (*c == ':')
            *c = '.';
        else if (*c == '@')
            *c = '=';
    snprintf(msgid, sizeof msgid, "<%s@%s>", left, m->domain);
    size_t len = 0;
    char *msg = build(m, e, to, me, co, msgid, &len);
    if (!msg) return dead_letter(m, e, ev, rcpt, "the message could not be built (template or time zone)", 0);
    int tries = 0, out = DONE;
    long delay = m->c.mail_retry_base_ms;
    char reason[REASON_MAX + 1] = "";
    for (;;) {
        int s = smtp_send(m, to->email, msg, len, reason, sizeof reason);
        if (s == SEND_OK) {
            r = cmd(m, "SET %s %s EX %d", skey, msgid, SENT_TTL_S);
            if (!r) {
                out = ABORT;
                break;
            }
            /* sent: a refused mark only risks sending it again, if the
             * entry is not acknowledged either */
            if (r->type == REDIS_REPLY_ERROR) log_warn("mailer: cannot mark %s as sent: %s", msgid, r->str);
            freeReplyObject(r);
            m->delivered++;
            log_info("mailer: delivered %s (%s) to %s", msgid, field(e, "kind"), rcpt);
            break;
        }
        if (s == SEND_PERMANENT || (s == SEND_TRANSIENT && ++tries >= m->c.smtp_max_tries)) {
            out = dead_letter(m, e, ev, rcpt, reason, tries + (s == SEND_PERMANENT));
            break;
        }
        log_warn("mailer: %s to %s: %s; again in %ld ms", msgid, rcpt, reason, delay);
        long step = claim_renew_ms(m);
        for (long waited = 0; waited < delay && !stopping && m->b.ours[m->b.at]; waited += step) {
            sleep_ms(delay - waited < step ? delay - waited : step);
            renew_claims(m);
        }
        if (stopping || !m->rc) {
            out = ABORT;
            break;
        }
        if (!m->b.ours[m->b.at]) { /* another mailer retries it now */
            out = LOST;
            break;
        }
        delay = delay * 2 > m->c.mail_retry_max_ms ? m->c.mail_retry_max_ms : delay * 2;
    }
    free(msg);
    return out;
}

/* Every recipient of an entry, then XACK + XDEL. */
static void process(mailer *m, const entry *e) {
    const char *ev = field(e, "ev")[0] ? field(e, "ev") : e->id;
    char me_ref[PROTO_MAIL_TO_MAX + 1], co_ref[PROTO_MAIL_TO_MAX + 1];
    snprintf(me_ref, sizeof me_ref, "mentee:%s", field(e, "mentee"));
    snprintf(co_ref, sizeof co_ref, "coach:%s", field(e, "coach"));
    person me, co;
    if (person_load(m, me_ref, &me) || person_load(m, co_ref, &co)) return;
    char to[1024];
    snprintf(to, sizeof to, "%s", field(e, "to"));
    char *save = NULL;
    for (char *rcpt = strtok_r(to, ",", &save); rcpt; rcpt = strtok_r(NULL, ",", &save))
        if (stopping || deliver_one(m, e, ev, rcpt, &me, &co) != DONE) return;
    /* both or neither: an entry acknowledged but not deleted would stay in
     * the stream for ever (no consumer reads it again) */
    /* one round trip: MULTI, XACK, XDEL, EXEC pipelined */
    if (!m->rc) return;
    redisAppendCommand(m->rc, "MULTI");
    redisAppendCommand(m->rc, "XACK %s %s %s", m->k_outbox, GROUP, e->id);
    redisAppendCommand(m->rc, "XDEL %s %s", m->k_outbox, e->id);
    redisAppendCommand(m->rc, "EXEC");
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        if (redisGetReply(m->rc, &r) != REDIS_OK || !r) {
            log_warn("mailer: redis: %s", m->rc->errstr);
            redis_drop(m);
            return;
        }
        freeReplyObject(r);
    }
}

/* Process the entries of a reply's array of entries (at most BATCH), each
 * while this mailer still holds it. */
static void process_all(mailer *m, const redisReply *list) {
    batch *b = &m->b;
    b->n = b->at = 0;
    for (size_t i = 0; list && list->type == REDIS_REPLY_ARRAY && i < list->elements && b->n < BATCH; i++) {
        const redisReply *x = list->element[i];
        if (x->type != REDIS_REPLY_ARRAY || x->elements < 1 || x->element[0]->type != REDIS_REPLY_STRING) continue;
        b->id[b->n] = x->element[0]->str;
        b->ours[b->n++] = 1;
    }
    for (size_t i = 0; i < b->n && !stopping && m->rc; i++) {
        b->at = i;
        if (renew_claims(m) < 0) break;
        entry e;
        if (b->ours[i] && entry_read(list->element[i], &e) == 0) process(m, &e);
    }
    b->n = b->at = 0;
}

/* One turn: the entries of dead mailers, then new ones. */
static void turn(mailer *m) {
    redisReply *r =
        cmd(m, "XAUTOCLAIM %s %s %s %d 0-0 COUNT %d", m->k_outbox, GROUP, m->consumer, m->c.mail_claim_idle_ms, BATCH);
    if (!r) return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2) process_all(m, r->element[1]);
    freeReplyObject(r);
    if (stopping || !m->rc) return;
    r = cmd(m, "XREADGROUP GROUP %s %s COUNT %d BLOCK %d STREAMS %s >", GROUP, m->consumer, BATCH, BLOCK_MS,
            m->k_outbox);
    if (!r) return;
    /* [[stream, [entries]]] or nil on timeout */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements == 2)
        process_all(m, r->element[0]->element[1]);
    freeReplyObject(r);
}

/* ---- jobs ---------------------------------------------------------------------------------- */

/* Take the job's lock for interval_s; 1 when this mailer runs it now. */
static int job_lock(mailer *m, const char *job, int interval_s) {
    char key[KEY_MAX];
    if (keys_name(key, sizeof key, m->c.redis_prefix, KEY_LOCK_MAIL, job) < 0) return 0;
    redisReply *r = cmd(m, "SET %s %s NX PX %lld", key, m->consumer, (long long)interval_s * 1000);
    int got = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    return got;
}

/* EVAL one page of a job script; its `next` into next (size nsz) and n
 * into *n; -1 on a failure (logged). */
static int job_page(mailer *m, script_id id, const char *const *args, size_t nargs, char *next, size_t nsz,
                    long long *n) {
    const char *argv[16];
    size_t argl[16], k = 0;
    argv[k++] = "EVAL";
    argv[k++] = lua_script_text[id];
    argv[k++] = "0";
    argv[k++] = m->c.redis_prefix;
    for (size_t i = 0; i < nargs && k < 16; i++) argv[k++] = args[i];
    for (size_t i = 0; i < k; i++) argl[i] = strlen(argv[i]);
    if (!m->rc) return -1;
    redisReply *r = redisCommandArgv(m->rc, (int)k, argv, argl);
    if (!r) {
        redis_drop(m);
        return -1;
    }
    int bad = r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
              strcmp(r->element[0]->str, "ok") != 0 || r->element[1]->type != REDIS_REPLY_STRING ||
              r->element[2]->type != REDIS_REPLY_STRING;
    if (bad)
        log_error("mailer: job %s: %s", lua_script_name[id], r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
    else {
        snprintf(next, nsz, "%s", r->element[1]->str);
        *n += atoll(r->element[2]->str);
    }
    freeReplyObject(r);
    return bad ? -1 : 0;
}

static void job_remind(mailer *m) {
    char key[KEY_MAX], now[24], limit[24], after[24], meet[24], cursor[64];
    long long n = 0;
    if (keys_name(key, sizeof key, m->c.redis_prefix, KEY_IDX_PROGRAM, NULL) < 0) return;
    redisReply *progs = cmd(m, "ZRANGE %s 0 -1", key);
    if (!progs) return;
    snprintf(now, sizeof now, "%lld", now_ms() / 1000);
    snprintf(limit, sizeof limit, "%d", JOB_PAGE);
    snprintf(after, sizeof after, "%lld", (long long)m->c.remind_after_days * DAY_S);
    snprintf(meet, sizeof meet, "%lld", (long long)m->c.meeting_remind_days * DAY_S);
    for (size_t i = 0; progs->type == REDIS_REPLY_ARRAY && i < progs->elements && !stopping; i++) {
        cursor[0] = '\0';
        do {
            const char *args[] = { progs->element[i]->str, cursor, limit, now, after, meet };
            char next[64];
            if (job_page(m, SCRIPT_MAIL_REMIND, args, 6, next, sizeof next, &n)) break;
            snprintf(cursor, sizeof cursor, "%s", next);
        } while (cursor[0] && !stopping);
    }
    freeReplyObject(progs);
    log_msg(n ? CFG_LOG_INFO : CFG_LOG_DEBUG, "mailer: reminder job: %lld reminders", n);
}

static void job_digest(mailer *m) {
    char now[24], limit[24], cursor[PROTO_MAIL_TO_MAX + 1] = "";
    long long n = 0;
    snprintf(now, sizeof now, "%lld", now_ms() / 1000);
    snprintf(limit, sizeof limit, "%d", JOB_PAGE);
    do {
        const char *args[] = { cursor, limit, now };
        char next[PROTO_MAIL_TO_MAX + 1];
        if (job_page(m, SCRIPT_MAIL_DIGEST, args, 3, next, sizeof next, &n)) break;
        snprintf(cursor, sizeof cursor, "%s", next);
    } while (cursor[0] && !stopping);
    log_msg(n ? CFG_LOG_INFO : CFG_LOG_DEBUG, "mailer: digest job: %lld digests", n);
}

static void jobs(mailer *m) {
    long long t = now_ms();
    if (t < m->next_jobs_ms) return;
    m->next_jobs_ms = t + JOB_CHECK_MS;
    if (job_lock(m, "remind", m->c.remind_interval_s)) job_remind(m);
    if (m->rc && job_lock(m, "digest", m->c.digest_interval_s)) job_digest(m);
}

/* ---- setup ------------------------------------------------------------------------------- */

static int read_password(mailer *m, char *err, size_t errlen) {
    if (!m->c.smtp_password_file[0]) return 0;
    FILE *f = fopen(m->c.smtp_password_file, "r");
    if (!f || !fgets(m->password, sizeof m->password, f)) {
        snprintf(err, errlen, "smtp-password-file %s: %s", m->c.smtp_password_file, f ? "empty" : strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    fclose(f);
    m->password[strcspn(m->password, "\r\n")] = '\0';
    return 0;
}

static int setup(mailer *m, const char *conf, char *err, size_t errlen) {
    if (cfg_init(&m->c) != CFG_OK) return snprintf(err, errlen, "out of memory"), -1;
    if (cfg_load_file(&m->c, conf, err, errlen) != CFG_OK) return -1;
    if (!m->c.smtp_url[0]) return snprintf(err, errlen, "smtp-url is not set: nothing to deliver to"), -1;
    const char *at = strrchr(m->c.mail_from, '@');
    if (!at || !at[1]) return snprintf(err, errlen, "mail-from '%s' is not an address", m->c.mail_from), -1;
    snprintf(m->domain, sizeof m->domain, "%s", at + 1);
    if (read_password(m, err, errlen)) return -1;
    if (mail_templates_load(&m->tpl, m->c.mail_templates, kinds, err, errlen)) return -1;
    if (keys_name(m->k_outbox, sizeof m->k_outbox, m->c.redis_prefix, KEY_OUTBOX, NULL) < 0 ||
        keys_name(m->k_dead, sizeof m->k_dead, m->c.redis_prefix, KEY_MAIL_DEAD, NULL) < 0)
        return snprintf(err, errlen, "redis-prefix too long"), -1;
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(m->consumer, sizeof m->consumer, "%s-%ld", host, (long)getpid());
    m->curl = curl_easy_init();
    if (!m->curl) return snprintf(err, errlen, "curl_easy_init failed"), -1;
    return 0;
}

static void usage(void) { fprintf(stderr, "usage: coachnet-mailer --config FILE\n"); }

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "--config") != 0 && strcmp(argv[1], "-c") != 0)) {
        usage();
        return 2;
    }
    static mailer m;
    char err[512] = "";
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coachnet-mailer: curl_global_init failed\n");
        return 1;
    }
    if (setup(&m, argv[2], err, sizeof err)) {
        fprintf(stderr, "coachnet-mailer: %s\n", err);
        return 1;
    }
    /* stderr (the journal under systemd): log-file is coachnetd's */
    log_open(m.c.log_level, "");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    log_notice("coachnet-mailer %s ready: outbox %s, smtp %s", m.consumer, m.k_outbox, m.c.smtp_url);
    while (!stopping) {
        if (redis_ensure(&m)) {
            sleep_ms(REDIS_RETRY_MS);
            continue;
        }
        jobs(&m);
        if (m.rc) turn(&m);
    }
    log_notice("coachnet-mailer stopping: %lu delivered, %lu skipped, %lu already delivered, %lu dead letters",
               m.delivered, m.skipped, m.already, m.dead);
    redis_drop(&m);
    curl_easy_cleanup(m.curl);
    mail_templates_free(&m.tpl);
    cfg_free(&m.c);
    curl_global_cleanup();
    icaltimezone_free_builtin_timezones();
    icalmemory_free_ring();
    log_close();
    return 0;
}
