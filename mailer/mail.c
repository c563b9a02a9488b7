/* mail.c — see mail.h. */
#include "mailer/mail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>
#include <openssl/evp.h>

static const char *const lang_dir[MAIL_LANGS] = { "id", "en" }; /* proto_language_names' order */

#define B64_LINE 57 /* raw bytes per base64 line: 76 characters (RFC 2045) */
#define WORD_RAW 45 /* raw bytes per encoded word: 60 characters, under RFC 2047's 75 */

/* ---- a growing buffer ---------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf;

static void bput(buf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void bputs(buf *b, const char *s) { bput(b, s, strlen(s)); }

static char *bdone(buf *b, size_t *len) {
    if (b->oom || !b->p) {
        free(b->p);
        return NULL;
    }
    if (len) *len = b->len;
    return b->p;
}

/* ---- templates ------------------------------------------------------------ */

static char *read_file(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *s = malloc(MAIL_TEMPLATE_MAX + 1);
    size_t n = s ? fread(s, 1, MAIL_TEMPLATE_MAX + 1, f) : 0;
    fclose(f);
    if (!s || n > MAIL_TEMPLATE_MAX) {
        free(s);
        snprintf(err, errlen, "%s: %s", path, s ? "too large" : "out of memory");
        return NULL;
    }
    s[n] = '\0';
    return s;
}

int mail_templates_load(mail_templates *ts, const char *dir, const char *const *kinds, char *err, size_t errlen) {
    memset(ts, 0, sizeof *ts);
    char path[4096];
    for (size_t k = 0; kinds[k]; k++) {
        if (ts->n == MAIL_KINDS_MAX) {
            snprintf(err, errlen, "too many template kinds");
            goto fail;
        }
        mail_template *t = &ts->t[ts->n++];
        snprintf(t->kind, sizeof t->kind, "%s", kinds[k]);
        for (int l = 0; l < MAIL_LANGS; l++) {
            snprintf(path, sizeof path, "%s/%s/%s.txt", dir, lang_dir[l], kinds[k]);
            char *txt = read_file(path, err, errlen);
            if (!txt) goto fail;
            char *nl = strstr(txt, "\n\n");
            if (strncmp(txt, "Subject: ", 9) != 0 || !nl) {
                free(txt);
                snprintf(err, errlen, "%s: must start with 'Subject: ...' and a blank line", path);
                goto fail;
            }
            *nl = '\0';
            t->subject[l] = strdup(txt + 9);
            t->text[l] = strdup(nl + 2);
            free(txt);
            snprintf(path, sizeof path, "%s/%s/%s.html", dir, lang_dir[l], kinds[k]);
            t->html[l] = read_file(path, err, errlen);
            if (!t->subject[l] || !t->text[l] || !t->html[l]) {
                if (t->html[l]) snprintf(err, errlen, "out of memory");
                goto fail;
            }
        }
    }
    return 0;
fail:
    mail_templates_free(ts);
    return -1;
}

void mail_templates_free(mail_templates *ts) {
    for (size_t i = 0; i < ts->n; i++)
        for (int l = 0; l < MAIL_LANGS; l++) {
            free(ts->t[i].subject[l]);
            free(ts->t[i].text[l]);
            free(ts->t[i].html[l]);
        }
    memset(ts, 0, sizeof *ts);
}

const mail_template *mail_template_find(const mail_templates *ts, const char *kind) {
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->t[i].kind, kind) == 0) return &ts->t[i];
    return NULL;
}

void mail_var(mail_vars *v, const char *name, const char *value) {
    if (v->n == MAIL_VARS_MAX) return;
    v->name[v->n] = name;
    v->value[v->n++] = value ? value : "";
}

static void put_escaped(buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': bputs(b, "&amp;"); break;
        case '<': bputs(b, "&lt;"); break;
        case '>': bputs(b, "&gt;"); break;
        case '"': bputs(b, "&quot;"); break;
        case '\'': bputs(b, "&#39;"); break;
        default: bput(b, s, 1);
        }
    }
}

char *mail_render(const char *tpl, const mail_vars *v, int html) {
    buf b = { 0 };
    bputs(&b, "");
    const char *p = tpl;
    for (;;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            bputs(&b, p);
            break;
        }
        bput(&b, p, (size_t)(open - p));
        size_t n = (size_t)(close - open - 2);
        for (size_t i = 0; i < v->n; i++)
            if (strlen(v->name[i]) == n && memcmp(v->name[i], open + 2, n) == 0) {
                if (html)
                    put_escaped(&b, v->value[i]);
                else
                    bputs(&b, v->value[i]);
                break;
            }
        p = close + 2;
    }
    return bdone(&b, NULL);
}

/* ---- MIME ------------------------------------------------------------------ */

static void put_b64(buf *b, const unsigned char *s, size_t n, int wrap) {
    unsigned char out[4 * ((B64_LINE + 2) / 3) + 1];
    for (size_t i = 0; i < n; i += B64_LINE) {
        size_t k = n - i < B64_LINE ? n - i : B64_LINE;
        int m = EVP_EncodeBlock(out, s + i, (int)k);
        bput(b, (const char *)out, (size_t)m);
        if (wrap) bputs(b, "\r\n");
    }
}

/* text with bare LF made CRLF, base64 as one MIME part */
static void put_part(buf *b, const char *boundary, const char *ctype, const char *body) {
    buf crlf = { 0 };
    bputs(&crlf, "");
    for (const char *s = body; *s; s++) {
        if (*s == '\n' && (s == body || s[-1] != '\r')) bputs(&crlf, "\r");
        bput(&crlf, s, 1);
    }
    bputs(b, "--");
    bputs(b, boundary);
    bputs(b, "\r\nContent-Type: ");
    bputs(b, ctype);
    bputs(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    if (crlf.oom)
        b->oom = 1;
    else
        put_b64(b, (const unsigned char *)crlf.p, crlf.len, 1);
    free(crlf.p);
}

/* Subject as UTF-8 encoded words, each cut at a character boundary. */
static void put_subject(buf *b, const char *s) {
    bputs(b, "Subject:");
    size_t n = strlen(s), i = 0;
    if (n == 0) bputs(b, " ");
    while (i < n) {
        size_t k = n - i < WORD_RAW ? n - i : WORD_RAW;
        while (k > 1 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80) k--;
        bputs(b, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
        put_b64(b, (const unsigned char *)s + i, k, 0);
        bputs(b, "?=");
        i += k;
    }
    bputs(b, "\r\n");
}

/* A header value must not carry a line break (an address or id from the
 * store is checked data, but a header is where that would hurt). */
static void put_header(buf *b, const char *name, const char *value) {
    bputs(b, name);
    bputs(b, ": ");
    for (const char *s = value; *s; s++)
        if (*s != '\r' && *s != '\n') bput(b, s, 1);
    bputs(b, "\r\n");
}

char *mail_message(const char *from, const char *to, const char *subject, const char *text, const char *html,
                   const char *ics, const char *ics_method, const char *message_id, time_t now, size_t *len) {
    buf b = { 0 };
    char date[64], boundary[96], ctype[160];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(boundary, sizeof boundary, "=_coachnet_%s", message_id);
    for (char *c = boundary; *c; c++)
        if (*c == '<' || *c == '>' || *c == '@') *c = '_';
    put_header(&b, "From", from);
    put_header(&b, "To", to);
    put_subject(&b, subject);
    put_header(&b, "Date", date);
    put_header(&b, "Message-ID", message_id);
    put_header(&b, "MIME-Version", "1.0");
    snprintf(ctype, sizeof ctype, "multipart/alternative; boundary=\"%s\"", boundary);
    put_header(&b, "Content-Type", ctype);
    bputs(&b, "\r\n");
    put_part(&b, boundary, "text/plain; charset=UTF-8", text);
    put_part(&b, boundary, "text/html; charset=UTF-8", html);
    if (ics) {
        snprintf(ctype, sizeof ctype, "text/calendar; charset=UTF-8; method=%s", ics_method);
        put_part(&b, boundary, ctype, ics);
    }
    bputs(&b, "--");
    bputs(&b, boundary);
    bputs(&b, "--\r\n");
    return bdone(&b, len);
}

/* ---- iCalendar -------------------------------------------------------------- */

void mail_local_time(char *out, size_t outsz, time_t t, const char *tz) {
    icaltimezone *z = icaltimezone_get_builtin_timezone(tz);
    struct icaltimetype it = icaltime_from_timet_with_zone(t, 0, z ? z : icaltimezone_get_utc_timezone());
    snprintf(out, outsz, "%04d-%02d-%02d %02d:%02d (%s)", it.year, it.month, it.day, it.hour, it.minute,
             z ? tz : "UTC");
}

/* The CN parameter of an attendee called name.  RFC 6868 encodes a
 * parameter value's '"' as ^', a newline as ^n and '^' itself as ^^.
 * libical (3.0.16, Debian's) writes the first two but leaves '^' alone, so
 * a name holding "^n" or "^'" would reach the attendee's calendar as a
 * newline or a quote: the carets are doubled here, before libical's own
 * encoding, which leaves them as they are.  NULL when out of memory. */
static icalparameter *ics_cn(const char *name) {
    size_t n = strlen(name), carets = 0;
    for (const char *c = name; *c; c++) carets += *c == '^';
    if (!carets) return icalparameter_new_cn(name);
    char *v = malloc(n + carets + 1), *o = v;
    if (!v) return NULL;
    for (const char *c = name; *c; c++) {
        *o++ = *c;
        if (*c == '^') *o++ = '^';
    }
    *o = '\0';
    icalparameter *cn = icalparameter_new_cn(v);
    free(v);
    return cn;
}

char *mail_ics(const char *method, const char *uid, int seq, time_t start, int minutes, const char *tz,
               const char *summary, const char *place, const char *organizer, const mail_attendee *att, size_t natt,
               time_t now) {
    icaltimezone *z = icaltimezone_get_builtin_timezone(tz);
    if (!z) return NULL;
    int cancel = strcmp(method, "CANCEL") == 0;
    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//coachnet//coachnet-mailer//EN"));
    icalcomponent_add_property(cal, icalproperty_new_method(cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    /* the zone under its IANA name, so that every client resolves the TZID
     * (libical's own TZID carries a vendor prefix) */
    icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(z));
    icalproperty *tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    if (tzid) icalproperty_set_tzid(tzid, tz);
    icalcomponent_add_component(cal, vtz);

    icalcomponent *ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_sequence(seq));
    icalcomponent_add_property(
        ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(now, 0, icaltimezone_get_utc_timezone())));
    struct icaltimetype st = icaltime_from_timet_with_zone(start, 0, z);
    st.zone = NULL; /* written as local time with the TZID parameter below */
    icalproperty *dts = icalproperty_new_dtstart(st);
    icalproperty_add_parameter(dts, icalparameter_new_tzid(tz));
    icalcomponent_add_property(ev, dts);
    icalcomponent_add_property(ev, icalproperty_new_duration(icaldurationtype_from_int(minutes * 60)));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    if (place && place[0]) icalcomponent_add_property(ev, icalproperty_new_location(place));
    icalcomponent_add_property(ev, icalproperty_new_status(cancel ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    char mailto[512];
    snprintf(mailto, sizeof mailto, "mailto:%s", organizer);
    icalcomponent_add_property(ev, icalproperty_new_organizer(mailto));
    for (size_t i = 0; i < natt; i++) {
        snprintf(mailto, sizeof mailto, "mailto:%s", att[i].email);
        icalproperty *a = icalproperty_new_attendee(mailto);
        icalparameter *cn = ics_cn(att[i].name);
        if (cn) icalproperty_add_parameter(a, cn);
        icalproperty_add_parameter(a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(a, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
        icalcomponent_add_property(ev, a);
    }
    icalcomponent_add_component(cal, ev);
    char *s = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return s;
}
