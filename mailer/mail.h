/* mail.h — coachnet-mailer's pieces that need no Redis and no network:
 * message templates, MIME messages, iCalendar invitations (design.md §10).
 *
 * The mailer (mailer.c) reads an outbox entry, finds each recipient's
 * name, address, language and notify preferences, and asks this module
 * for the bytes of one message; smtp.c sends them.  Everything here is
 * pure and owns what it returns (the caller frees).
 */
#ifndef COACHNET_MAILER_MAIL_H
#define COACHNET_MAILER_MAIL_H

#include <stddef.h>
#include <time.h>

#define MAIL_VARS_MAX     24    /* variables of one message */
#define MAIL_LANGS        2     /* id, en (proto_language) */
#define MAIL_KINDS_MAX    16    /* template kinds */
#define MAIL_TEMPLATE_MAX 65536 /* bytes of one template file */

/* One template kind in every language: the subject and text body from
 * <dir>/<lang>/<kind>.txt (first line "Subject: ...", a blank line, the
 * body), the HTML body from <dir>/<lang>/<kind>.html. */
typedef struct mail_template {
    char kind[32];
    char *subject[MAIL_LANGS], *text[MAIL_LANGS], *html[MAIL_LANGS];
} mail_template;

typedef struct mail_templates {
    mail_template t[MAIL_KINDS_MAX];
    size_t n;
} mail_templates;

/* Load every kind of `kinds` (NULL-terminated) in id and en from dir.
 * Returns 0, or -1 with err naming the file. */
int mail_templates_load(mail_templates *ts, const char *dir, const char *const *kinds, char *err, size_t errlen);
void mail_templates_free(mail_templates *ts);
const mail_template *mail_template_find(const mail_templates *ts, const char *kind);

/* name=value pairs that {{name}} in a template is replaced with (an
 * unknown name becomes ""; in HTML the value is escaped). */
typedef struct mail_vars {
    const char *name[MAIL_VARS_MAX];
    const char *value[MAIL_VARS_MAX];
    size_t n;
} mail_vars;
void mail_var(mail_vars *v, const char *name, const char *value);

/* The text of tpl with vars substituted; html escapes the values.  NULL
 * on allocation failure. */
char *mail_render(const char *tpl, const mail_vars *v, int html);

/* A whole message (RFC 5322, CRLF lines): headers (From, To, Subject as a
 * UTF-8 encoded word, Date, Message-ID, MIME-Version) and a
 * multipart/alternative body of text/plain, text/html and, when ics is not
 * NULL, text/calendar; method=<ics_method> (each part base64).  NULL on
 * allocation failure; *len is its length. */
char *mail_message(const char *from, const char *to, const char *subject, const char *text, const char *html,
                   const char *ics, const char *ics_method, const char *message_id, time_t now, size_t *len);

/* One attendee of an invitation. */
typedef struct mail_attendee {
    const char *name, *email;
} mail_attendee;

/* The iCalendar object (RFC 5545, built with libical) of a planned meeting:
 * METHOD (REQUEST or CANCEL), one VEVENT with UID uid, SEQUENCE seq, DTSTAMP
 * now, DTSTART start in the time zone tz (TZID=tz and its VTIMEZONE),
 * DURATION minutes, SUMMARY, LOCATION (when place is not empty), STATUS
 * (CONFIRMED or CANCELLED), ORGANIZER mailto:organizer and an ATTENDEE per
 * entry of att.  NULL when tz is unknown to libical or on allocation
 * failure. */
char *mail_ics(const char *method, const char *uid, int seq, time_t start, int minutes, const char *tz,
               const char *summary, const char *place, const char *organizer, const mail_attendee *att, size_t natt,
               time_t now);

/* The time t in zone tz as "YYYY-MM-DD HH:MM (tz)" into out. */
void mail_local_time(char *out, size_t outsz, time_t t, const char *tz);

#endif
