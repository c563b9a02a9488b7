/* test_mail.c — coachnet-mailer's pure pieces (mailer/mail.c): templates,
 * rendering and escaping, the MIME message, the iCalendar invitation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>
#include <openssl/evp.h>

#include "mailer/mail.h"

/* 2026-12-03 08:00:00 UTC = 15:00 in Asia/Jakarta (UTC+7, no DST) */
#define T_START 1796284800

static void render_replaces_and_escapes(void **state) {
    (void)state;
    mail_vars v = { 0 };
    mail_var(&v, "name", "Siti <b>&\"'");
    mail_var(&v, "match", "m7");
    char *text = mail_render("Yth. {{name}}, {{match}}{{unknown}}.", &v, 0);
    char *html = mail_render("<p>{{name}} {{match}}</p>{{", &v, 1);
    assert_string_equal(text, "Yth. Siti <b>&\"', m7.");
    assert_string_equal(html, "<p>Siti &lt;b&gt;&amp;&quot;&#39; m7</p>{{");
    free(text);
    free(html);
}

/* The decoded text of the first base64 body after marker in msg. */
static char *part_after(const char *msg, const char *marker) {
    const char *p = strstr(msg, marker);
    if (!p) return NULL;
    p = strstr(p, "\r\n\r\n");
    if (!p) return NULL;
    p += 4;
    char *out = calloc(1, strlen(p) + 1);
    size_t n = 0;
    while (*p && *p != '-') {
        const char *eol = strstr(p, "\r\n");
        int len = (int)(eol - p);
        n += (size_t)EVP_DecodeBlock((unsigned char *)out + n, (const unsigned char *)p, len);
        while (n > 0 && out[n - 1] == '\0') n--; /* EVP_DecodeBlock counts padding as zeros */
        p = eol + 2;
    }
    out[n] = '\0';
    return out;
}

static void message_headers_parts_and_no_injection(void **state) {
    (void)state;
    size_t len = 0;
    char *m = mail_message("coachnet@example.org", "siti@example.org\r\nBcc: evil@example.org", "Pertemuan ✓",
                           "baris 1\nbaris 2\n", "<p>x</p>", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "REQUEST",
                           "<1-0.mentee.1@example.org>", T_START, &len);
    assert_non_null(m);
    assert_int_equal(len, strlen(m));
    assert_non_null(strstr(m, "From: coachnet@example.org\r\n"));
    /* the line break of the address is dropped: no header is injected */
    assert_non_null(strstr(m, "To: siti@example.orgBcc: evil@example.org\r\n"));
    assert_null(strstr(m, "\r\nBcc:"));
    assert_non_null(strstr(m, "Message-ID: <1-0.mentee.1@example.org>\r\n"));
    assert_non_null(strstr(m, "Date: Thu, 03 Dec 2026 08:00:00 +0000\r\n"));
    assert_non_null(strstr(m, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(m, "multipart/alternative; boundary="));
    assert_non_null(strstr(m, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n"));
    char *text = part_after(m, "text/plain");
    assert_string_equal(text, "baris 1\r\nbaris 2\r\n");
    char *ics = part_after(m, "text/calendar");
    assert_string_equal(ics, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    /* the closing boundary ends the message */
    assert_int_equal(strcmp(m + len - 4, "--\r\n"), 0);
    free(text);
    free(ics);
    free(m);
}

/* A long UTF-8 subject is cut into encoded words at character boundaries:
 * each word decodes to whole characters. */
static void subject_words_keep_characters_whole(void **state) {
    (void)state;
    char subject[256] = "";
    for (int i = 0; i < 40; i++) strcat(subject, "\xc3\xa9"); /* é */
    size_t len;
    char *m = mail_message("a@b.id", "c@d.id", subject, "t", "h", NULL, "REQUEST", "<x@b.id>", T_START, &len);
    assert_non_null(m);
    assert_null(strstr(m, "text/calendar"));
    const char *p = strstr(m, "Subject:");
    int words = 0;
    size_t total = 0;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL && p < strstr(m, "Date:")) {
        p += 10;
        const char *end = strstr(p, "?=");
        unsigned char out[128];
        int n = EVP_DecodeBlock(out, (const unsigned char *)p, (int)(end - p));
        while (n > 0 && out[n - 1] == '\0') n--;
        assert_int_equal(n % 2, 0);
        for (int i = 0; i < n; i += 2) assert_true(out[i] == 0xc3 && out[i + 1] == 0xa9);
        total += (size_t)n;
        words++;
        p = end;
    }
    assert_true(words >= 2);
    assert_int_equal(total, 80);
    free(m);
}

/* RFC 5545 unfolding: CRLF + one space joins a line to the one before. */
static void unfold(char *s) {
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ')
            r += 3;
        else
            *w++ = *r++;
    }
    *w = '\0';
}

static void ics_request_and_cancel(void **state) {
    (void)state;
    mail_attendee att[] = { { "Siti", "siti@example.org" }, { "Budi", "budi@example.org" } };
    char *ics = mail_ics("REQUEST", "mt5@example.org", 2, T_START, 90, "Asia/Jakarta", "Coaching", "Ruang 2",
                         "coachnet@example.org", att, 2, T_START - 60);
    assert_non_null(ics);
    unfold(ics);
    assert_non_null(strstr(ics, "METHOD:REQUEST"));
    assert_non_null(strstr(ics, "UID:mt5@example.org"));
    assert_non_null(strstr(ics, "SEQUENCE:2"));
    assert_non_null(strstr(ics, "DTSTART;TZID=Asia/Jakarta:20261203T150000"));
    assert_non_null(strstr(ics, "TZID:Asia/Jakarta"));
    assert_non_null(strstr(ics, "DURATION:PT1H30M"));
    assert_non_null(strstr(ics, "LOCATION:Ruang 2"));
    assert_non_null(strstr(ics, "STATUS:CONFIRMED"));
    assert_non_null(strstr(ics, "mailto:siti@example.org"));
    assert_non_null(strstr(ics, "mailto:budi@example.org"));
    assert_non_null(strstr(ics, "ORGANIZER:mailto:coachnet@example.org"));
    free(ics);
    ics = mail_ics("CANCEL", "mt5@example.org", 3, T_START, 60, "Asia/Jakarta", "Coaching", "", "c@example.org", att, 0,
                   T_START);
    assert_non_null(ics);
    assert_non_null(strstr(ics, "METHOD:CANCEL"));
    assert_non_null(strstr(ics, "STATUS:CANCELLED"));
    assert_non_null(strstr(ics, "SEQUENCE:3"));
    assert_null(strstr(ics, "\nLOCATION"));
    assert_null(strstr(ics, "ATTENDEE"));
    free(ics);
    assert_null(mail_ics("REQUEST", "u", 0, T_START, 60, "Mars/Olympus", "s", "", "c@example.org", att, 0, T_START));
    char when[96];
    mail_local_time(when, sizeof when, T_START, "Asia/Jakarta");
    assert_string_equal(when, "2026-12-03 15:00 (Asia/Jakarta)");
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void templates_load_and_refuse(void **state) {
    (void)state;
    char dir[] = "/tmp/coachnet-test-mail-XXXXXX", path[512], err[512];
    assert_non_null(mkdtemp(dir));
    const char *langs[] = { "id", "en" };
    for (int l = 0; l < 2; l++) {
        snprintf(path, sizeof path, "%s/%s", dir, langs[l]);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/%s/approved.txt", dir, langs[l]);
        write_file(path,
                   l ? "Subject: Approved {{match}}\n\nDear {{name}}\n" : "Subject: Disetujui\n\nYth. {{name}}\n");
        snprintf(path, sizeof path, "%s/%s/approved.html", dir, langs[l]);
        write_file(path, "<p>{{name}}</p>\n");
    }
    static const char *const kinds[] = { "approved", NULL };
    mail_templates ts;
    assert_int_equal(mail_templates_load(&ts, dir, kinds, err, sizeof err), 0);
    const mail_template *t = mail_template_find(&ts, "approved");
    assert_non_null(t);
    assert_null(mail_template_find(&ts, "digest"));
    assert_string_equal(t->subject[0], "Disetujui");
    assert_string_equal(t->subject[1], "Approved {{match}}");
    assert_string_equal(t->text[1], "Dear {{name}}\n");
    mail_templates_free(&ts);
    /* a missing kind names its file */
    static const char *const more[] = { "approved", "digest", NULL };
    assert_int_equal(mail_templates_load(&ts, dir, more, err, sizeof err), -1);
    assert_non_null(strstr(err, "/id/digest.txt"));
    /* a text template without its Subject line */
    snprintf(path, sizeof path, "%s/en/approved.txt", dir);
    write_file(path, "Dear {{name}}\n");
    assert_int_equal(mail_templates_load(&ts, dir, kinds, err, sizeof err), -1);
    assert_non_null(strstr(err, "Subject"));
    for (int l = 0; l < 2; l++) {
        snprintf(path, sizeof path, "%s/%s/approved.txt", dir, langs[l]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s/approved.html", dir, langs[l]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", dir, langs[l]);
        rmdir(path);
    }
    rmdir(dir);
}

/* An attendee's name comes back whole from a calendar's parser (RFC 6868):
 * carets included.  libical left '^' alone, so "^n" in a name came back as
 * a newline and "^'" as a quote (a regression test; an earlier note's
 * finding). */
static void ics_names_survive_rfc6868(void **state) {
    (void)state;
    static const char *names[] = { "Siti ^n Putri", "Budi \"Bud\" ^' ^^ S", "^", "Ani^", "Plain Name" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        mail_attendee att[] = { { names[k], "siti@example.org" } };
        char *ics = mail_ics("REQUEST", "mt5@example.org", 1, T_START, 60, "Asia/Jakarta", "Coaching", "",
                             "coachnet@example.org", att, 1, T_START);
        assert_non_null(ics);
        icalcomponent *cal = icalparser_parse_string(ics);
        assert_non_null(cal);
        icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
        assert_non_null(ev);
        icalproperty *a = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
        assert_non_null(a);
        icalparameter *cn = icalproperty_get_first_parameter(a, ICAL_CN_PARAMETER);
        assert_non_null(cn);
        assert_string_equal(icalparameter_get_cn(cn), names[k]);
        icalcomponent_free(cal);
        free(ics);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_replaces_and_escapes),         cmocka_unit_test(message_headers_parts_and_no_injection),
        cmocka_unit_test(subject_words_keep_characters_whole), cmocka_unit_test(ics_request_and_cancel),
        cmocka_unit_test(templates_load_and_refuse),           cmocka_unit_test(ics_names_survive_rfc6868),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
