/* test_keys.c — server/keys.c: the key names, and the key schema being one
 * list in three places (keys.c, the table of docs/operations.md, the keys
 * the Lua scripts of server/lua/ name).  Run from the repository root, as
 * `make check` does (it reads docs/ and server/lua/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/keys.h"

#define DOCS    "docs/operations.md"
#define LUA_DIR "server/lua"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run the test from the repository root)", path);
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 4096 > cap) {
            cap = cap ? 2 * cap : 65536;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The fixed part of kind k ("mentee:" of "mentee:<id>"), into out. */
static void fixed_part(key_kind k, char *out, size_t size) {
    const char *pat = keys_pattern(k);
    assert_non_null(pat);
    size_t n = strcspn(pat, "<");
    assert_true(n < size);
    memcpy(out, pat, n);
    out[n] = '\0';
}

static void names_are_prefix_kind_id(void **state) {
    (void)state;
    char buf[64];
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_MENTEE, "u7"), 12);
    assert_string_equal(buf, "cn:mentee:u7");
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_IDX_MENTEE_PROG, "PKP"), 22);
    assert_string_equal(buf, "cn:idx:mentee:prog:PKP");
    assert_int_equal(keys_name(buf, sizeof buf, "x", KEY_EVENTS, NULL), 7);
    assert_string_equal(buf, "xevents");
    assert_int_equal(keys_name(buf, sizeof buf, "", KEY_IDX_COACH, NULL), 9);
    assert_string_equal(buf, "idx:coach");
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_TOK, "ab12"), 11);
    assert_string_equal(buf, "cn:tok:ab12");
}

static void bad_ids_and_short_buffers_are_refused(void **state) {
    (void)state;
    char buf[16];
    strcpy(buf, "junk");
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_MENTEE, NULL), -1); /* needs an id */
    assert_string_equal(buf, "");
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_MENTEE, ""), -1);
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_AUDIT, "x"), -1); /* takes none */
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY__COUNT, NULL), -1);
    assert_null(keys_pattern(KEY__COUNT));
    /* "cn:mentee:" + 5 = 15 bytes fit 16 with the NUL; 6 do not */
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_MENTEE, "abcde"), 15);
    assert_int_equal(keys_name(buf, sizeof buf, "cn:", KEY_MENTEE, "abcdef"), -1);
    assert_string_equal(buf, "");
}

static void keys_add_appends_an_owned_copy(void **state) {
    (void)state;
    sargs a;
    sargs_init(&a);
    char id[] = "c9";
    keys_add(&a, "cn:", KEY_LOAD, id);
    id[0] = 'X'; /* the argument is a copy */
    assert_false(a.oom);
    assert_int_equal(a.argc, 1);
    assert_int_equal(a.len[0], strlen("cn:load:c9"));
    assert_memory_equal(a.argv[0], "cn:load:c9", a.len[0]);
    keys_add(&a, "cn:", KEY_LOAD, NULL);
    assert_true(a.oom); /* store_cmda refuses the vector */
    sargs_free(&a);
}

/* Every kind is a row of the docs' table, written P`<pattern>`, and the
 * table has no other key. */
static void kinds_are_the_docs_key_table(void **state) {
    (void)state;
    char *doc = read_file(DOCS);
    char *sec = strstr(doc, "### Key schema");
    assert_non_null(sec);
    char *end = strstr(sec, "\n## ");
    if (end) *end = '\0';
    size_t rows = 0;
    for (const char *p = sec; (p = strstr(p, "P`")); p += 2) rows++;
    for (int k = 0; k < KEY__COUNT; k++) {
        char want[128];
        snprintf(want, sizeof want, "P`%s`", keys_pattern((key_kind)k));
        if (!strstr(sec, want)) fail_msg("%s: no %s in the key table", DOCS, want);
    }
    assert_int_equal(rows, KEY__COUNT);
    free(doc);
}

/* The name of kind k in the scripts' table K (keys.lua): KEY_MINE_MENTEE
 * is mine_mentee. */
static void lua_name(key_kind k, char *out, size_t size) {
    static const char *const names[KEY__COUNT] = {
        [KEY_USER] = "user",
        [KEY_SUBJ_MENTEE] = "subj_mentee",
        [KEY_SUBJ_COACH] = "subj_coach",
        [KEY_IDX_USER] = "idx_user",
        [KEY_UTOK] = "utok",
        [KEY_TOK] = "tok",
        [KEY_RL_LOGIN] = "rl_login",
        [KEY_PROGRAM] = "program",
        [KEY_IDX_PROGRAM] = "idx_program",
        [KEY_MENTEE] = "mentee",
        [KEY_COACH] = "coach",
        [KEY_IDX_MENTEE] = "idx_mentee",
        [KEY_IDX_COACH] = "idx_coach",
        [KEY_IDX_MENTEE_PROG] = "idx_mentee_prog",
        [KEY_IDX_MENTEE_PROV] = "idx_mentee_prov",
        [KEY_IDX_COACH_PROV] = "idx_coach_prov",
        [KEY_LOAD] = "load",
        [KEY_MATCH] = "match",
        [KEY_SEQ_MATCH] = "seq_match",
        [KEY_SEQ_RUN] = "seq_run",
        [KEY_SEQ_MEETING] = "seq_meeting",
        [KEY_IDX_MATCH_PROG] = "idx_match_prog",
        [KEY_IDX_MATCH_RUN] = "idx_match_run",
        [KEY_PROPOSED] = "proposed",
        [KEY_MINE_MENTEE] = "mine_mentee",
        [KEY_MINE_COACH] = "mine_coach",
        [KEY_WAIT] = "wait",
        [KEY_PIN] = "pin",
        [KEY_FORBID] = "forbid",
        [KEY_RUN] = "run",
        [KEY_LASTRUN] = "lastrun",
        [KEY_LASTPUB] = "lastpub",
        [KEY_LOCK_RUN] = "lock_run",
        [KEY_RUNS_STAGED] = "runs_staged",
        [KEY_STAGE_PROPOSED] = "stage_proposed",
        [KEY_STAGE_WAIT] = "stage_wait",
        [KEY_SUPERSEDE] = "supersede",
        [KEY_IDX_RUN_PROG] = "idx_run_prog",
        [KEY_REV] = "rev",
        [KEY_RUN_UNMATCHED] = "run_unmatched",
        [KEY_MEETING] = "meeting",
        [KEY_JP] = "jp",
        [KEY_JP_MENTEE] = "jp_mentee",
        [KEY_FEEDBACK] = "feedback",
        [KEY_FB] = "fb",
        [KEY_NOTES] = "notes",
        [KEY_AUDIT] = "audit",
        [KEY_EVENTS] = "events",
        [KEY_IDEM] = "idem",
        [KEY_SEQ_FEEDBACK] = "seq_feedback",
        [KEY_FBIDX] = "fbidx",
        [KEY_IDX_MATCH_MENTEE] = "idx_match_mentee",
        [KEY_IDX_MATCH_COACH] = "idx_match_coach",
        [KEY_SORT_MATCH] = "sort_match",
        [KEY_OUTBOX] = "outbox",
        [KEY_COUNT_MATCH] = "count_match",
        [KEY_MAIL_DEAD] = "mail_dead",
        [KEY_MAIL_SENT] = "mail_sent",
        [KEY_SCHED] = "sched",
        [KEY_LOCK_MAIL] = "lock_mail",
        [KEY_MAIL_DIGEST] = "mail_digest",
    };
    snprintf(out, size, "%s", names[k] ? names[k] : "");
}

/* keys.lua (generated from server/keys.c's table) names every kind exactly
 * as keys.c does: `<name> = p..'<fixed part>',` for each. */
static void lua_key_table_is_keys_c(void **state) {
    (void)state;
    char *text = read_file(LUA_DIR "/keys.lua");
    for (int k = 0; k < KEY__COUNT; k++) {
        char name[32], fixed[64], want[128];
        lua_name((key_kind)k, name, sizeof name);
        fixed_part((key_kind)k, fixed, sizeof fixed);
        snprintf(want, sizeof want, "  %s = p..'%s',\n", name, fixed);
        if (!strstr(text, want)) fail_msg("keys.lua lacks: %s", want);
    }
    free(text);
}

/* No script writes a key name of its own: none builds one from the prefix
 * (p..'<literal>'), and every K.<name> it uses is a kind of keys.c. */
static void lua_keys_are_kinds(void **state) {
    (void)state;
    DIR *d = opendir(LUA_DIR);
    if (!d) fail_msg("cannot open %s (run the test from the repository root)", LUA_DIR);
    int files = 0, keys = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".lua") || !strcmp(e->d_name, "keys.lua")) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", LUA_DIR, e->d_name);
        char *text = read_file(path);
        files++;
        for (const char *p = text; (p = strstr(p, "p..'"));) {
            int word = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'); /* mp..', not p */
            if (!word) fail_msg("%s: builds a key from the prefix (%.20s): use K (keys.lua)", path, p);
            p += 4;
        }
        for (const char *p = text; (p = strstr(p, "K."));) {
            int word = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
            p += 2;
            if (word) continue;
            size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
            int found = 0;
            for (int k = 0; k < KEY__COUNT && !found; k++) {
                char name[32];
                lua_name((key_kind)k, name, sizeof name);
                found = len == strlen(name) && !strncmp(name, p, len);
            }
            if (!found) fail_msg("%s: K.%.*s is not a kind of server/keys.c", path, (int)len, p);
            keys++;
            p += len;
        }
        free(text);
    }
    closedir(d);
    assert_true(files >= 20);
    assert_true(keys >= 90);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_are_prefix_kind_id),       cmocka_unit_test(bad_ids_and_short_buffers_are_refused),
        cmocka_unit_test(keys_add_appends_an_owned_copy), cmocka_unit_test(kinds_are_the_docs_key_table),
        cmocka_unit_test(lua_key_table_is_keys_c),        cmocka_unit_test(lua_keys_are_kinds),
    };
    return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
