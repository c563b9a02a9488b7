/* test_sentinel.c — the pure parts of the Sentinel support (issue 15):
 * the redis-sentinels address list (config.c's cfg_hostports_parse and
 * cfg_validate) and the order in which the Sentinels are asked
 * (store_sentinel_promote: the one that answered goes first, the others
 * keep their order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/config.h"
#include "server/store.h"

static void parses_ipv4_and_ipv6_lists(void **state) {
    (void)state;
    cfg_hostport hp[CFG_SENTINELS_MAX];
    size_t n = 99;
    char err[200] = "";
    assert_int_equal(
        cfg_hostports_parse("127.0.0.1:26379, 10.0.0.2:26380 ,[::1]:5000", hp, CFG_SENTINELS_MAX, &n, err, sizeof err),
        CFG_OK);
    assert_int_equal(n, 3);
    assert_string_equal(hp[0].host, "127.0.0.1");
    assert_int_equal(hp[0].port, 26379);
    assert_string_equal(hp[1].host, "10.0.0.2");
    assert_int_equal(hp[1].port, 26380);
    assert_string_equal(hp[2].host, "::1");
    assert_int_equal(hp[2].port, 5000);
    assert_int_equal(cfg_hostports_parse("[2001:db8::7]:65535", hp, CFG_SENTINELS_MAX, &n, err, sizeof err), CFG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hp[0].host, "2001:db8::7");
    assert_int_equal(hp[0].port, 65535);
}

static void refuses_malformed_items(void **state) {
    (void)state;
    static const struct {
        const char *text, *why;
    } bad[] = {
        { "", "is not ip:port" },
        { "127.0.0.1", "is not ip:port" },
        { "127.0.0.1:", "the port must be" },
        { "127.0.0.1:0", "the port must be" },
        { "127.0.0.1:65536", "the port must be" },
        { "127.0.0.1:26379x", "the port must be" },
        { "127.0.0.1:-1", "the port must be" },
        { "localhost:26379", "not an IP literal" },
        { "::1:26379", "in brackets" },
        { "[::1]26379", "is not [ipv6]:port" },
        { "[::1", "is not [ipv6]:port" },
        { "127.0.0.1:26379,", "is not ip:port" },
        { "127.0.0.1:26379,,127.0.0.1:26380", "is not ip:port" },
        { "127.0.0.1:26379,127.0.0.1:26379", "listed twice" },
        { ":26379", "is not ip:port" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg_hostport hp[CFG_SENTINELS_MAX];
        size_t n;
        char err[200] = "";
        if (cfg_hostports_parse(bad[i].text, hp, CFG_SENTINELS_MAX, &n, err, sizeof err) != CFG_ERR)
            fail_msg("\"%s\" accepted", bad[i].text);
        if (!strstr(err, bad[i].why)) fail_msg("\"%s\": error \"%s\", wanted \"%s\"", bad[i].text, err, bad[i].why);
    }
}

static void refuses_more_than_max(void **state) {
    (void)state;
    char text[1024] = "";
    for (int i = 0; i <= CFG_SENTINELS_MAX; i++) {
        char item[32];
        snprintf(item, sizeof item, "%s127.0.0.1:%d", i ? "," : "", 26379 + i);
        strcat(text, item);
    }
    cfg_hostport hp[CFG_SENTINELS_MAX];
    size_t n;
    char err[200] = "";
    assert_int_equal(cfg_hostports_parse(text, hp, CFG_SENTINELS_MAX, &n, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "more than 16"));
    *strrchr(text, ',') = '\0'; /* exactly the maximum */
    assert_int_equal(cfg_hostports_parse(text, hp, CFG_SENTINELS_MAX, &n, err, sizeof err), CFG_OK);
    assert_int_equal(n, CFG_SENTINELS_MAX);
}

static void validate_checks_sentinel_keys(void **state) {
    (void)state;
    cfg c;
    char err[256];
    assert_int_equal(cfg_init(&c), CFG_OK);
    assert_int_equal(cfg_set(&c, "port", "0", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_set(&c, "unixsocket", "/tmp/x.sock", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK); /* no Sentinels by default */
    assert_string_equal(c.redis_sentinels, "");
    assert_string_equal(c.redis_master_name, "coachnet");
    assert_int_equal(c.redis_min_replicas, 0);
    assert_int_equal(cfg_set(&c, "redis-sentinels", "127.0.0.1:26379,sentinel2:26379", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "redis-sentinels"));
    assert_non_null(strstr(err, "sentinel2"));
    assert_int_equal(cfg_set(&c, "redis-sentinels", "127.0.0.1:26379,127.0.0.2:26379", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    assert_int_equal(cfg_set(&c, "redis-master-name", "two words", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "redis-master-name"));
    assert_int_equal(cfg_set(&c, "redis-min-replicas", "65", err, sizeof err), CFG_ERR);
    assert_int_equal(cfg_set(&c, "redis-min-replicas", "2", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_set(&c, "redis-wait-timeout-ms", "0", err, sizeof err), CFG_ERR);
    cfg_free(&c);
}

/* The order of the list as ports, e.g. "1 2 3". */
static const char *order(const cfg_hostport *hp, size_t n) {
    static char buf[128];
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), i ? " %d" : "%d", hp[i].port);
    return buf;
}

static void the_sentinel_that_answered_goes_first(void **state) {
    (void)state;
    cfg_hostport hp[4] = { { "127.0.0.1", 1 }, { "127.0.0.1", 2 }, { "127.0.0.1", 3 }, { "127.0.0.1", 4 } };
    store_sentinel_promote(hp, 4, 0); /* the first answered: nothing moves */
    assert_string_equal(order(hp, 4), "1 2 3 4");
    store_sentinel_promote(hp, 4, 2); /* 1 and 2 did not answer, 3 did */
    assert_string_equal(order(hp, 4), "3 1 2 4");
    store_sentinel_promote(hp, 4, 3);
    assert_string_equal(order(hp, 4), "4 3 1 2");
    store_sentinel_promote(hp, 4, 1);
    assert_string_equal(order(hp, 4), "3 4 1 2");
    store_sentinel_promote(hp, 4, 4); /* out of range: unchanged */
    assert_string_equal(order(hp, 4), "3 4 1 2");
    store_sentinel_promote(hp, 1, 0);
    assert_string_equal(order(hp, 4), "3 4 1 2");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_ipv4_and_ipv6_lists),
        cmocka_unit_test(refuses_malformed_items),
        cmocka_unit_test(refuses_more_than_max),
        cmocka_unit_test(validate_checks_sentinel_keys),
        cmocka_unit_test(the_sentinel_that_answered_goes_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
