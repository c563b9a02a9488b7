/*
 * test_client_cli.c -- cmocka suite of the pure parts of the `coachnet` CLI:
 * option parsing, CSV and JSON Lines import rows, CSV -> profile conversion,
 * JSON <-> msgpack, the session file, tables, progress bars, dates and JP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clients/cli/cli.h"

/* ---------------------------------------------------------------------- */
/* helpers                                                                 */
/* ---------------------------------------------------------------------- */

static int parse(cli_opts *o, char *err, const char *a0, ...) {
    static char *argv[64];
    static char store[64][256];
    va_list ap;
    int argc = 0;
    snprintf(store[argc], sizeof(store[argc]), "%s", "coachnet");
    argv[argc] = store[argc];
    argc++;
    va_start(ap, a0);
    for (const char *a = a0; a != NULL; a = va_arg(ap, const char *)) {
        snprintf(store[argc], sizeof(store[argc]), "%s", a);
        argv[argc] = store[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    return cli_parse(argc, argv, o, err, CLI_ERRLEN);
}

static FILE *mem(const char *text) {
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    return f;
}

/* Read rows from an in-memory text. */
static int rows_of(const char *text, cli_format fmt, cn_client_kind kind, cli_rows *r, char *err) {
    FILE *f = mem(text);
    int rc = cli_rows_read_fp(f, fmt, kind, r, err, CLI_ERRLEN);
    fclose(f);
    return rc;
}

static json_t *jparse(const char *s) {
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    return j;
}

static void assert_json_eq(const json_t *got, const char *want) {
    json_t *w = jparse(want);
    if (!json_equal((json_t *)got, w)) {
        char *g = json_dumps(got, JSON_SORT_KEYS);
        fprintf(stderr, "got  %s\nwant %s\n", g, want);
        free(g);
        fail();
    }
    json_decref(w);
}

/* ---------------------------------------------------------------------- */
/* options                                                                 */
/* ---------------------------------------------------------------------- */

static void test_opts_defaults_and_env(void **state) {
    (void)state;
    cli_opts o;
    char err[CLI_ERRLEN];
    setenv("COACHNET_HOST", "10.1.2.3", 1);
    setenv("COACHNET_PORT", "7411", 1);
    setenv("COACHNET_CA", "/etc/ca.pem", 1);
    assert_int_equal(parse(&o, err, "mine", NULL), 0);
    assert_string_equal(o.host, "10.1.2.3");
    assert_int_equal(o.port, 7411);
    assert_string_equal(o.ca, "/etc/ca.pem");
    assert_int_equal(o.nargs, 1);
    assert_string_equal(o.args[0], "mine");
    /* flags override the environment */
    assert_int_equal(parse(&o, err, "--host", "h", "--port", "9", "mine", NULL), 0);
    assert_string_equal(o.host, "h");
    assert_int_equal(o.port, 9);
    setenv("COACHNET_PORT", "70000", 1);
    assert_int_equal(parse(&o, err, "mine", NULL), -1);
    assert_non_null(strstr(err, "COACHNET_PORT"));
    unsetenv("COACHNET_HOST");
    unsetenv("COACHNET_PORT");
    unsetenv("COACHNET_CA");
    assert_int_equal(parse(&o, err, "mine", NULL), 0);
    assert_string_equal(o.host, CN_CLIENT_DEFAULT_HOST);
    assert_int_equal(o.port, CN_CLIENT_DEFAULT_PORT);
}

static void test_opts_anywhere_and_values(void **state) {
    (void)state;
    cli_opts o;
    char err[CLI_ERRLEN];
    assert_int_equal(parse(&o, err, "list", "--json", "--program", "p1", "--min-score", "5000", "--limit", "20",
                           "--status", "proposed", NULL),
                     0);
    assert_int_equal(o.json, 1);
    assert_string_equal(o.program, "p1");
    assert_int_equal(o.min_score, 5000);
    assert_int_equal(o.limit, 20);
    assert_string_equal(o.status, "proposed");
    assert_int_equal(o.given, O_PROGRAM | O_MIN_SCORE | O_LIMIT | O_STATUS);
    assert_int_equal(o.nargs, 1);
    assert_int_equal(
        cli_check_allowed(&o, O_PROGRAM | O_MIN_SCORE | O_LIMIT | O_STATUS | O_RUN, "list", err, sizeof(err)), 0);
    assert_int_equal(cli_check_allowed(&o, O_PROGRAM, "list", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--limit does not apply to 'list'"));
    assert_int_equal(parse(&o, err, "list", "--ids", "--explain", NULL), 0);
    assert_true(o.ids_only && o.explain);
    assert_int_equal(o.given, O_IDS | O_EXPLAIN);
    /* positional words keep their order around options */
    assert_int_equal(parse(&o, err, "approve", "m1", "--note", "ok", "m2", NULL), 0);
    assert_int_equal(o.nargs, 3);
    assert_string_equal(o.args[1], "m1");
    assert_string_equal(o.args[2], "m2");
    assert_string_equal(o.note, "ok");
}

static void test_opts_errors(void **state) {
    (void)state;
    cli_opts o;
    char err[CLI_ERRLEN];
    assert_int_equal(parse(&o, err, "list", "--bogus", NULL), -1);
    assert_non_null(strstr(err, "unknown option --bogus"));
    assert_int_equal(parse(&o, err, "list", "--limit", NULL), -1);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(parse(&o, err, "list", "--limit", "0", NULL), -1);
    assert_non_null(strstr(err, "--limit"));
    assert_int_equal(parse(&o, err, "feedback", "m", "--rating", "6", NULL), -1);
    assert_int_equal(parse(&o, err, "feedback", "m", "--rating", "4x", NULL), -1);
    assert_int_equal(parse(&o, err, "meeting", "log", "m", "--minutes", "-5", NULL), -1);
    assert_int_equal(parse(&o, err, "profile", "put", "f", "--kind", "admin", NULL), -1);
    assert_non_null(strstr(err, "neither mentee nor coach"));
    assert_int_equal(parse(&o, err, "--port", "http", "mine", NULL), -1);
    long long v;
    assert_int_equal(cli_parse_int("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cli_parse_int("", 0, 100, &v), -1);
    assert_int_equal(cli_parse_int("101", 0, 100, &v), -1);
    assert_int_equal(cli_parse_int("99999999999999999999", 0, 100, &v), -1);
}

/* ---------------------------------------------------------------------- */
/* CSV -> profile                                                          */
/* ---------------------------------------------------------------------- */

static void test_csv_mentee_profile(void **state) {
    (void)state;
    char *names[] = { "id", "name", "competencies", "modality", "languages", "availability", "goals", "agency" };
    char *cells[] = {
        "199001012015011001", "Dewi Lestari", "M.01:2:3; M.03:1:4", "online;offline", "id;jv", "0x1FFFFF", "", "K001"
    };
    char err[CLI_ERRLEN];
    json_t *p = cli_csv_profile(CN_CLIENT_MENTEE, names, cells, 8, err, sizeof(err));
    assert_non_null(p);
    assert_json_eq(p, "{\"id\":\"199001012015011001\",\"name\":\"Dewi Lestari\","
                      "\"competencies\":[{\"code\":\"M.01\",\"current\":2,\"required\":3},"
                      "{\"code\":\"M.03\",\"current\":1,\"required\":4}],"
                      "\"modality\":[\"online\",\"offline\"],\"languages\":[\"id\",\"jv\"],"
                      "\"availability\":2097151,\"agency\":\"K001\"}");
    json_decref(p);
}

static void test_csv_coach_profile(void **state) {
    (void)state;
    char *names[] = { "id", "kind", "rank", "capacity", "competencies", "programs", "bio" };
    char *cells[] = { "c-17", "pkn1_alumni", " 5 ", "3", "M.01:5;T.keuangan:4", "", "Mentor" };
    char err[CLI_ERRLEN];
    json_t *p = cli_csv_profile(CN_CLIENT_COACH, names, cells, 7, err, sizeof(err));
    assert_non_null(p);
    assert_json_eq(p, "{\"id\":\"c-17\",\"kind\":\"pkn1_alumni\",\"rank\":5,\"capacity\":3,"
                      "\"competencies\":[{\"code\":\"M.01\",\"level\":5},"
                      "{\"code\":\"T.keuangan\",\"level\":4}],\"programs\":[],\"bio\":\"Mentor\"}");
    json_decref(p);
}

static void test_csv_profile_errors(void **state) {
    (void)state;
    char err[CLI_ERRLEN];
    char *n1[] = { "id", "rank" };
    char *c1[] = { "c1", "five" };
    assert_null(cli_csv_profile(CN_CLIENT_COACH, n1, c1, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "column rank: 'five' is not an integer"));
    char *n2[] = { "id", "competencies" };
    char *c2[] = { "1", "M.01:2" };
    assert_null(cli_csv_profile(CN_CLIENT_MENTEE, n2, c2, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "'M.01:2' is not CODE:CURRENT:REQUIRED"));
    char *c3[] = { "1", "M.01:x:3" };
    assert_null(cli_csv_profile(CN_CLIENT_MENTEE, n2, c3, 2, err, sizeof(err)));
    char *c4[] = { "c1", "M.01:4:5" };
    assert_null(cli_csv_profile(CN_CLIENT_COACH, n2, c4, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "CODE:LEVEL"));
    char *n5[] = { "id", "capacity" }; /* a coach column in a mentee file */
    char *c5[] = { "1", "3" };
    assert_null(cli_csv_profile(CN_CLIENT_MENTEE, n5, c5, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "unknown column 'capacity'"));
    char *c6[] = { "1", "\xff\xfe" };
    char *n6[] = { "id", "name" };
    assert_null(cli_csv_profile(CN_CLIENT_MENTEE, n6, c6, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "UTF-8"));
}

static void test_csv_header_check(void **state) {
    (void)state;
    char err[CLI_ERRLEN];
    char *ok[] = { "name", "id" };
    assert_int_equal(cli_csv_header_check(CN_CLIENT_MENTEE, ok, 2, err, sizeof(err)), 0);
    char *noid[] = { "name" };
    assert_int_equal(cli_csv_header_check(CN_CLIENT_MENTEE, noid, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no 'id' column"));
    char *dup[] = { "id", "name", "name" };
    assert_int_equal(cli_csv_header_check(CN_CLIENT_MENTEE, dup, 3, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "twice"));
    char *unk[] = { "id", "shoe" };
    assert_int_equal(cli_csv_header_check(CN_CLIENT_COACH, unk, 2, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown column 'shoe' for coach profiles (column 2)"));
}

/* ---------------------------------------------------------------------- */
/* import rows                                                             */
/* ---------------------------------------------------------------------- */

static void test_rows_csv_lines(void **state) {
    (void)state;
    cli_rows r;
    char err[CLI_ERRLEN];
    const char *text = "\xef\xbb\xbfid,name,goals,availability\n" /* BOM of a spreadsheet */
                       "1,Ana,\"two\nlines\",0\n"                 /* lines 2-3 */
                       "\n"                                       /* line 4: blank */
                       "2,\"Budi, S.H.\",x,abc\n"                 /* line 5: bad integer */
                       "3,Citra\n"                                /* line 6: too few fields */
                       "4,Dewi,\"\",7";                           /* line 7: no final newline */
    assert_int_equal(rows_of(text, CLI_FMT_CSV, CN_CLIENT_MENTEE, &r, err), 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.rows[0].line, 2);
    assert_non_null(r.rows[0].profile);
    assert_json_eq(r.rows[0].profile, "{\"id\":\"1\",\"name\":\"Ana\",\"goals\":\"two\\nlines\",\"availability\":0}");
    assert_int_equal(r.rows[1].line, 5);
    assert_null(r.rows[1].profile);
    assert_non_null(strstr(r.rows[1].error, "availability"));
    assert_int_equal(r.rows[2].line, 6);
    assert_null(r.rows[2].profile);
    assert_non_null(strstr(r.rows[2].error, "2 fields, the header has 4"));
    assert_int_equal(r.rows[3].line, 7);
    assert_json_eq(r.rows[3].profile, "{\"id\":\"4\",\"name\":\"Dewi\",\"availability\":7}");
    cli_rows_free(&r);
}

static void test_rows_csv_fatal(void **state) {
    (void)state;
    cli_rows r;
    char err[CLI_ERRLEN];
    assert_int_equal(rows_of("", CLI_FMT_CSV, CN_CLIENT_MENTEE, &r, err), -1);
    assert_non_null(strstr(err, "header"));
    assert_int_equal(rows_of("id,colour\n1,red\n", CLI_FMT_CSV, CN_CLIENT_MENTEE, &r, err), -1);
    assert_non_null(strstr(err, "line 1: unknown column 'colour'"));
    assert_int_equal(rows_of("id,name\n1,\"Ana\"x\n", CLI_FMT_CSV, CN_CLIENT_MENTEE, &r, err), -1);
    assert_non_null(strstr(err, "line 2: CSV syntax error"));
    assert_int_equal(rows_of("id,name\n1,\"open\n", CLI_FMT_CSV, CN_CLIENT_MENTEE, &r, err), -1);
    assert_non_null(strstr(err, "end of file"));
    assert_int_equal(r.n, 0);
}

static void test_rows_jsonl(void **state) {
    (void)state;
    cli_rows r;
    char err[CLI_ERRLEN];
    const char *text = "{\"id\":\"1\",\"rank\":3}\n"
                       "\n"
                       "{\"id\":\"2\",\"id\":\"3\"}\n" /* duplicate key */
                       "[1,2]\r\n"
                       "{broken\n"
                       "  {\"id\":\"4\"}  ";
    assert_int_equal(rows_of(text, CLI_FMT_JSONL, CN_CLIENT_COACH, &r, err), 0);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.rows[0].line, 1);
    assert_json_eq(r.rows[0].profile, "{\"id\":\"1\",\"rank\":3}");
    assert_int_equal(r.rows[1].line, 3);
    assert_null(r.rows[1].profile);
    assert_non_null(strstr(r.rows[1].error, "invalid JSON"));
    assert_int_equal(r.rows[2].line, 4);
    assert_non_null(strstr(r.rows[2].error, "not a JSON object"));
    assert_int_equal(r.rows[3].line, 5);
    assert_null(r.rows[3].profile);
    assert_int_equal(r.rows[4].line, 6);
    assert_json_eq(r.rows[4].profile, "{\"id\":\"4\"}");
    cli_rows_free(&r);
}

/* A callback that keeps the first two rows and then stops the reading. */
static int take_two(void *ud, cli_row *row) {
    int *n = ud;
    json_decref(row->profile);
    return ++*n == 2 ? -1 : 0;
}

static void test_rows_each_stops(void **state) {
    (void)state;
    char err[CLI_ERRLEN];
    int n = 0;
    FILE *f = mem("id\n1\n2\n3\n4\n");
    assert_int_equal(cli_rows_each(f, CLI_FMT_CSV, CN_CLIENT_MENTEE, take_two, &n, err, sizeof(err)), 1);
    fclose(f);
    assert_int_equal(n, 2);
    n = 0;
    f = mem("{}\n{}\n{}\n");
    assert_int_equal(cli_rows_each(f, CLI_FMT_JSONL, CN_CLIENT_COACH, take_two, &n, err, sizeof(err)), 1);
    fclose(f);
    assert_int_equal(n, 2);
    n = 0;
    f = mem("id\n1\n\"2\"x\n"); /* a syntax error after one row: that row was handed over */
    assert_int_equal(cli_rows_each(f, CLI_FMT_CSV, CN_CLIENT_MENTEE, take_two, &n, err, sizeof(err)), -1);
    fclose(f);
    assert_int_equal(n, 1);
    assert_non_null(strstr(err, "line 3: CSV syntax error"));
}

static void test_format_of(void **state) {
    (void)state;
    assert_int_equal(cli_format_of("a/b.csv"), CLI_FMT_CSV);
    assert_int_equal(cli_format_of("B.CSV"), CLI_FMT_CSV);
    assert_int_equal(cli_format_of("m.jsonl"), CLI_FMT_JSONL);
    assert_int_equal(cli_format_of("m.ndjson"), CLI_FMT_JSONL);
    assert_int_equal(cli_format_of("m.txt"), -1);
    assert_int_equal(cli_format_of("noext"), -1);
}

/* ---------------------------------------------------------------------- */
/* JSON <-> msgpack                                                        */
/* ---------------------------------------------------------------------- */

static void test_json_msgpack_roundtrip(void **state) {
    (void)state;
    const char *doc = "{\"s\":\"Sulawesi \xc3\xa9\",\"i\":-42,\"big\":9007199254740993,"
                      "\"f\":0.75,\"t\":true,\"n\":null,\"a\":[1,[2,{}],\"x\"],\"o\":{}}";
    json_t *j = jparse(doc);
    msgpack_sbuffer sb;
    char err[CLI_ERRLEN];
    assert_int_equal(cli_json_to_sbuf(j, &sb, err, sizeof(err)), 0);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
    const msgpack_object *i = cn_client_map_get(&u.data, "i");
    assert_int_equal(i->type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
    const msgpack_object *f = cn_client_map_get(&u.data, "f");
    assert_int_equal(f->type, MSGPACK_OBJECT_FLOAT64);
    json_t *back = cli_mp_to_json(&u.data);
    assert_true(json_equal(j, back));
    json_decref(back);
    json_decref(j);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
}

static void test_msgpack_to_json_odd_values(void **state) {
    (void)state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    msgpack_pack_int(&pk, 7); /* non-string key */
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "a", 1);
    msgpack_pack_str(&pk, 3);
    msgpack_pack_str_body(&pk, "bin", 3);
    msgpack_pack_bin(&pk, 2);
    msgpack_pack_bin_body(&pk, "\x01\xab", 2);
    msgpack_pack_str(&pk, 3);
    msgpack_pack_str_body(&pk, "bad", 3);
    msgpack_pack_str(&pk, 2);
    msgpack_pack_str_body(&pk, "\xff\x00", 2); /* not UTF-8: shown as hex */
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "u", 1);
    msgpack_pack_uint64(&pk, UINT64_MAX);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    json_t *j = cli_mp_to_json(&u.data);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "7")), "a");
    assert_string_equal(json_string_value(json_object_get(j, "bin")), "01ab");
    assert_string_equal(json_string_value(json_object_get(j, "bad")), "ff00");
    assert_true(json_is_real(json_object_get(j, "u")));
    json_decref(j);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
}

static void test_json_file(void **state) {
    (void)state;
    char path[] = "/tmp/test_client_cli_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"a\": 1,\n \"a\": 2}", 18), 18);
    close(fd);
    char err[CLI_ERRLEN];
    assert_null(cli_json_file(path, err, sizeof(err)));
    assert_non_null(strstr(err, ":2:")); /* file:line:column of the duplicate */
    FILE *f = fopen(path, "w");
    fputs("[1]", f);
    fclose(f);
    assert_null(cli_json_file(path, err, sizeof(err)));
    assert_non_null(strstr(err, "expected a JSON object"));
    f = fopen(path, "w");
    fputs("{\"id\": \"x\"}", f);
    fclose(f);
    json_t *j = cli_json_file(path, err, sizeof(err));
    assert_non_null(j);
    json_decref(j);
    unlink(path);
    assert_null(cli_json_file("/nonexistent.json", err, sizeof(err)));
}

/* ---------------------------------------------------------------------- */
/* session file                                                            */
/* ---------------------------------------------------------------------- */

static void test_token_roundtrip_and_mode(void **state) {
    (void)state;
    char dir[] = "/tmp/test_client_tok_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/sub/dir/token", dir);
    cli_token t = { "127.0.0.1", 7400, "budi", "mentee", "199001012015011001", "abc123" };
    char err[CLI_ERRLEN];
    assert_int_equal(cli_token_save(path, &t, err, sizeof(err)), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    cli_token u;
    assert_int_equal(cli_token_load(path, &u, err, sizeof(err)), 1);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 7400);
    assert_string_equal(u.login, "budi");
    assert_string_equal(u.role, "mentee");
    assert_string_equal(u.subject, "199001012015011001");
    assert_string_equal(u.token, "abc123");
    /* readable by others: refused */
    chmod(path, 0640);
    assert_int_equal(cli_token_load(path, &u, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "chmod 600"));
    chmod(path, 0600);
    /* malformed */
    FILE *f = fopen(path, "w");
    fputs("host x\nport 99999\ntoken t\n", f);
    fclose(f);
    assert_int_equal(cli_token_load(path, &u, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad line 2"));
    f = fopen(path, "w");
    fputs("host x\nport 1\n", f);
    fclose(f);
    assert_int_equal(cli_token_load(path, &u, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "incomplete"));
    assert_int_equal(cli_token_remove(path, err, sizeof(err)), 0);
    assert_int_equal(cli_token_load(path, &u, err, sizeof(err)), 0);
    assert_int_equal(cli_token_remove(path, err, sizeof(err)), 0); /* already gone: fine */
    char leaf[256];
    snprintf(leaf, sizeof(leaf), "%s/sub/dir", dir);
    assert_int_equal(rmdir(leaf), 0);
    rmdir(sub);
    rmdir(dir);
}

static void test_token_path(void **state) {
    (void)state;
    char buf[256];
    assert_int_equal(cli_token_path("/x/t", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/x/t");
    setenv("XDG_CONFIG_HOME", "/cfg", 1);
    assert_int_equal(cli_token_path(NULL, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/cfg/coachnet/token");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    assert_int_equal(cli_token_path("", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/home/u/.config/coachnet/token");
    assert_int_equal(cli_token_path(NULL, buf, 8), -1);
}

/* ---------------------------------------------------------------------- */
/* formatting                                                              */
/* ---------------------------------------------------------------------- */

static void test_table_alignment(void **state) {
    (void)state;
    static const char *const h[] = { "MATCH", "SCORE", "NAME" };
    cli_table *t = cli_table_new(3, h, "lrl");
    const char *r1[] = { "m-1", "9120", "Dewi" };
    const char *r2[] = { "m-22", "75", "Ni Luh Putu \xc3\x89ka" }; /* É: one column */
    cli_table_add(t, r1);
    cli_table_add(t, r2);
    assert_int_equal(cli_table_rows(t), 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_table_print(t, f);
    fclose(f);
    assert_string_equal(buf, "MATCH  SCORE  NAME\n"
                             "m-1     9120  Dewi\n"
                             "m-22      75  Ni Luh Putu \xc3\x89ka\n");
    free(buf);
    cli_table_free(t);
    assert_int_equal(cli_utf8_width("\xc3\x89\xe2\x82\xac"), 2);
}

static void test_progress_bar(void **state) {
    (void)state;
    char b[128];
    cli_progress_bar(b, sizeof(b), "solve", 42, 100, 10);
    assert_string_equal(b, "[####......]  42% solve 42/100");
    cli_progress_bar(b, sizeof(b), "load", 0, 0, 4);
    assert_string_equal(b, "[....]   0% load 0/0");
    cli_progress_bar(b, sizeof(b), "x", 150, 100, 4);
    assert_string_equal(b, "[####] 100% x 150/100");
}

static void test_dates_and_jp(void **state) {
    (void)state;
    assert_int_equal(cli_date_valid("2026-03-02"), 0);
    assert_int_equal(cli_date_valid("2024-02-29"), 0);
    assert_int_equal(cli_date_valid("2026-02-29"), -1);
    assert_int_equal(cli_date_valid("2000-02-29"), 0);
    assert_int_equal(cli_date_valid("1900-02-29"), -1);
    assert_int_equal(cli_date_valid("2026-13-01"), -1);
    assert_int_equal(cli_date_valid("2026-04-31"), -1);
    assert_int_equal(cli_date_valid("2026-4-1"), -1);
    assert_int_equal(cli_date_valid("2026/04/01"), -1);
    assert_int_equal(cli_date_valid(NULL), -1);
}

static void test_scalar_and_print(void **state) {
    (void)state;
    char b[64];
    msgpack_object o;
    o.type = MSGPACK_OBJECT_FLOAT64;
    o.via.f64 = 0.75;
    assert_string_equal(cli_scalar(&o, b, sizeof(b)), "0.75");
    o.via.f64 = 2.0;
    assert_string_equal(cli_scalar(&o, b, sizeof(b)), "2");
    assert_string_equal(cli_percent(&o, b, sizeof(b)), "200%");
    o.via.f64 = 0.0013;
    assert_string_equal(cli_percent(&o, b, sizeof(b)), "0.1%");
    o.via.f64 = 0.875;
    assert_string_equal(cli_percent(&o, b, sizeof(b)), "88%");
    o.type = MSGPACK_OBJECT_BOOLEAN;
    o.via.boolean = true;
    assert_string_equal(cli_percent(&o, b, sizeof(b)), "");
    assert_string_equal(cli_scalar(&o, b, sizeof(b)), "yes");
    o.type = MSGPACK_OBJECT_NIL;
    assert_string_equal(cli_scalar(&o, b, sizeof(b)), "");
    assert_string_equal(cli_scalar(NULL, b, sizeof(b)), "");

    json_t *j = jparse("{\"matched\":3,\"unmatched\":{\"capacity\":1},\"codes\":[\"a\",\"b\"],"
                       "\"none\":[]}");
    msgpack_sbuffer sb;
    char err[CLI_ERRLEN];
    assert_int_equal(cli_json_to_sbuf(j, &sb, err, sizeof(err)), 0);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_print_obj(f, &u.data, 0);
    fclose(f);
    assert_string_equal(buf, "matched: 3\nunmatched:\n  capacity: 1\ncodes:\n  a, b\nnone: (none)\n");
    free(buf);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    json_decref(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_defaults_and_env),
        cmocka_unit_test(test_opts_anywhere_and_values),
        cmocka_unit_test(test_opts_errors),
        cmocka_unit_test(test_csv_mentee_profile),
        cmocka_unit_test(test_csv_coach_profile),
        cmocka_unit_test(test_csv_profile_errors),
        cmocka_unit_test(test_csv_header_check),
        cmocka_unit_test(test_rows_csv_lines),
        cmocka_unit_test(test_rows_csv_fatal),
        cmocka_unit_test(test_rows_jsonl),
        cmocka_unit_test(test_rows_each_stops),
        cmocka_unit_test(test_format_of),
        cmocka_unit_test(test_json_msgpack_roundtrip),
        cmocka_unit_test(test_msgpack_to_json_odd_values),
        cmocka_unit_test(test_json_file),
        cmocka_unit_test(test_token_roundtrip_and_mode),
        cmocka_unit_test(test_token_path),
        cmocka_unit_test(test_table_alignment),
        cmocka_unit_test(test_progress_bar),
        cmocka_unit_test(test_dates_and_jp),
        cmocka_unit_test(test_scalar_and_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
