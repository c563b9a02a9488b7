/* test_loginrl.c — server/loginrl.c: the per-address login limit (its
 * window, refunds, address keys, and the bounded table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/loginrl.h"

static void keys_of_peers(void **state) {
    (void)state;
    unsigned char a[LOGINRL_KEY], b[LOGINRL_KEY];
    assert_int_equal(loginrl_key("127.0.0.1:5000", a), 1);
    assert_int_equal(loginrl_key("127.0.0.1:6000", b), 1);
    assert_memory_equal(a, b, LOGINRL_KEY); /* the port does not count */
    assert_int_equal(loginrl_key("127.0.0.2:5000", b), 1);
    assert_memory_not_equal(a, b, LOGINRL_KEY);
    /* IPv4 and its IPv4-mapped IPv6 spelling are one address */
    assert_int_equal(loginrl_key("::ffff:127.0.0.1:5000", b), 1);
    assert_memory_equal(a, b, LOGINRL_KEY);
    /* an IPv6 address counts with its /64 */
    assert_int_equal(loginrl_key("2001:db8:1:2:aaaa::1:443", a), 1);
    assert_int_equal(loginrl_key("2001:db8:1:2:bbbb::9:443", b), 1);
    assert_memory_equal(a, b, LOGINRL_KEY);
    assert_int_equal(loginrl_key("2001:db8:1:3::1:443", b), 1);
    assert_memory_not_equal(a, b, LOGINRL_KEY);
    /* no address: the unix socket, and anything that is not ip:port */
    assert_int_equal(loginrl_key("unix", a), 0);
    assert_int_equal(loginrl_key("", a), 0);
    assert_int_equal(loginrl_key(NULL, a), 0);
    assert_int_equal(loginrl_key("host.example:80", a), 0);
    assert_int_equal(loginrl_key("1.2.3.4", a), 0);
}

static void limit_window_and_refund(void **state) {
    (void)state;
    loginrl *t = loginrl_new(64, 3, 42);
    assert_non_null(t);
    const char *p = "10.0.0.1:1";
    int64_t now = 1000;
    for (int i = 0; i < 3; i++) assert_int_equal(loginrl_take(t, p, now), 0);
    assert_int_equal(loginrl_take(t, p, now), LOGINRL_WINDOW_S);
    assert_int_equal(loginrl_take(t, p, now + 20), LOGINRL_WINDOW_S - 20);
    /* another address, and the unix socket, are not affected */
    assert_int_equal(loginrl_take(t, "10.0.0.2:1", now), 0);
    for (int i = 0; i < 100; i++) assert_int_equal(loginrl_take(t, "unix", now), 0);
    /* a success gives its attempt back: one more may go */
    loginrl_refund(t, p, now + 30);
    assert_int_equal(loginrl_take(t, p, now + 30), 0);
    assert_int_equal(loginrl_take(t, p, now + 30), LOGINRL_WINDOW_S - 30);
    /* refunds never go below zero (a refund of a forgotten attempt) */
    for (int i = 0; i < 10; i++) loginrl_refund(t, "10.0.0.2:1", now);
    for (int i = 0; i < 4; i++) assert_int_equal(loginrl_take(t, "10.0.0.2:1", now), i < 3 ? 0 : LOGINRL_WINDOW_S);
    /* the window ends: the address starts again */
    assert_int_equal(loginrl_take(t, p, now + LOGINRL_WINDOW_S), 0);
    loginrl_free(t);
}

static void zero_limit_is_off(void **state) {
    (void)state;
    loginrl *t = loginrl_new(64, 0, 1);
    assert_non_null(t);
    for (int i = 0; i < 1000; i++) assert_int_equal(loginrl_take(t, "10.0.0.1:1", 5), 0);
    loginrl_free(t);
    assert_null(loginrl_new(LOGINRL_PROBE - 1, 1, 1));
    assert_null(loginrl_new(64, -1, 1));
}

/* More live addresses than slots: the table stays its size, new addresses
 * are always counted (the oldest windows are forgotten), and an address
 * limited just now is still limited after many others came. */
static void table_is_bounded(void **state) {
    (void)state;
    loginrl *t = loginrl_new(1024, 2, 7);
    assert_non_null(t);
    char peer[64];
    assert_int_equal(loginrl_take(t, "192.0.2.1:1", 100), 0);
    assert_int_equal(loginrl_take(t, "192.0.2.1:1", 100), 0);
    for (int i = 0; i < 20000; i++) {
        snprintf(peer, sizeof peer, "10.%d.%d.%d:9", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        assert_int_equal(loginrl_take(t, peer, 100 + i / 1000), 0);
    }
    /* the last few hundred addresses are remembered, each limited at 2 */
    int limited = 0;
    for (int i = 19900; i < 20000; i++) {
        snprintf(peer, sizeof peer, "10.%d.%d.%d:9", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        assert_int_equal(loginrl_take(t, peer, 120), 0);
        limited += loginrl_take(t, peer, 120) > 0;
    }
    assert_true(limited >= 90);
    assert_int_equal(loginrl_take(t, "192.0.2.9:1", 121), 0);
    assert_int_equal(loginrl_take(t, "192.0.2.9:1", 121), 0);
    assert_true(loginrl_take(t, "192.0.2.9:1", 121) > 0);
    loginrl_free(t);
}

/* Keys other than addresses (auth.login's names in flight): the limit of
 * the call, taken and given back. */
static void keys_in_flight(void **state) {
    (void)state;
    loginrl *t = loginrl_new(64, 0, 3); /* no address limit: keys still count */
    assert_non_null(t);
    unsigned char k[LOGINRL_KEY] = { 'n', 'a', 'm', 'e' };
    assert_int_equal(loginrl_take_key(t, k, 2, 10), 0);
    assert_int_equal(loginrl_take_key(t, k, 2, 10), 0);
    assert_true(loginrl_take_key(t, k, 2, 10) > 0);
    loginrl_refund_key(t, k, 11);
    assert_int_equal(loginrl_take_key(t, k, 2, 11), 0);
    assert_true(loginrl_take_key(t, k, 2, 11) > 0);
    loginrl_refund_key(t, k, 12);
    loginrl_refund_key(t, k, 12);
    assert_int_equal(loginrl_take_key(t, k, 1, 12), 0);
    assert_true(loginrl_take_key(t, k, 1, 12) > 0);
    loginrl_free(t);
}

/* A slot whose attempts were all given back is reused before a live one
 * is forgotten: a limited address stays limited while many others come
 * and log in successfully. */
static void refunded_slots_are_reused_first(void **state) {
    (void)state;
    loginrl *t = loginrl_new(LOGINRL_PROBE, 1, 5); /* one probe window: every address meets */
    assert_non_null(t);
    char peer[64];
    assert_int_equal(loginrl_take(t, "192.0.2.1:1", 100), 0);
    for (int i = 0; i < 50; i++) {
        snprintf(peer, sizeof peer, "10.0.%d.%d:9", i / 200, i % 200);
        assert_int_equal(loginrl_take(t, peer, 101 + i / 10), 0);
        loginrl_refund(t, peer, 101 + i / 10);
    }
    assert_true(loginrl_take(t, "192.0.2.1:1", 110) > 0);
    loginrl_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_of_peers),     cmocka_unit_test(limit_window_and_refund),
        cmocka_unit_test(zero_limit_is_off), cmocka_unit_test(table_is_bounded),
        cmocka_unit_test(keys_in_flight),    cmocka_unit_test(refunded_slots_are_reused_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
