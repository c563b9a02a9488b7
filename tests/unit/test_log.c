/* test_log.c — unit tests of server/log.c: log_reopen() after the file was
 * renamed (logrotate without copytruncate) sends later lines to a new file of
 * the same name and none to the renamed one, and is a no-op on stderr;
 * log_limited() writes the first line of each LOG_LIMIT_MS window and says
 * in the next one how many were left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/log.h"

#define TEXT_MAX 8192

static char dir[64];

static int make_dir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/coachnet-test-log.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The whole file at dir/name into buf ("" when it does not exist). */
static const char *slurp(const char *name, char *buf) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return buf;
    size_t n = fread(buf, 1, TEXT_MAX - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void reopen_follows_the_name(void **state) {
    (void)state;
    char path[128], moved[128], a[TEXT_MAX], b[TEXT_MAX];
    snprintf(path, sizeof path, "%s/coachnetd.log", dir);
    snprintf(moved, sizeof moved, "%s/coachnetd.log.1", dir);
    assert_int_equal(log_open(CFG_LOG_INFO, path), 0);
    log_info("before rotation");
    assert_int_equal(rename(path, moved), 0);
    log_info("after rename, before reopen");
    assert_int_equal(log_reopen(), 0);
    log_info("after reopen");
    log_close();
    slurp("coachnetd.log.1", a);
    slurp("coachnetd.log", b);
    assert_non_null(strstr(a, "before rotation"));
    assert_non_null(strstr(a, "after rename, before reopen"));
    assert_null(strstr(a, "after reopen"));
    assert_non_null(strstr(b, "after reopen"));
    assert_null(strstr(b, "before"));
}

static void reopen_on_stderr_is_a_no_op(void **state) {
    (void)state;
    assert_int_equal(log_open(CFG_LOG_INFO, ""), 0);
    assert_int_equal(log_reopen(), 0);
    log_close();
}

static void limited_lines_are_counted(void **state) {
    (void)state;
    char path[128], text[TEXT_MAX];
    snprintf(path, sizeof path, "%s/limited.log", dir);
    assert_int_equal(log_open(CFG_LOG_INFO, path), 0);
    static log_limit ll;
    for (int i = 0; i < 100; i++) log_limited(&ll, CFG_LOG_WARNING, "store down (%d)", i);
    slurp("limited.log", text);
    assert_int_equal(count(text, "store down"), 1);
    assert_non_null(strstr(text, "store down (0)"));
    struct timespec wait = { 0, (LOG_LIMIT_MS + 50) * 1000000L };
    while (wait.tv_nsec >= 1000000000L) {
        wait.tv_sec++;
        wait.tv_nsec -= 1000000000L;
    }
    nanosleep(&wait, NULL);
    log_limited(&ll, CFG_LOG_WARNING, "store down (%d)", 100);
    log_close();
    slurp("limited.log", text);
    assert_int_equal(count(text, "store down"), 2);
    assert_non_null(strstr(text, "store down (100) (and 99 more like it in the last"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reopen_follows_the_name),
        cmocka_unit_test(reopen_on_stderr_is_a_no_op),
        cmocka_unit_test(limited_lines_are_counted),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
