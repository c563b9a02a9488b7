/* test_tokset.c — unit tests of server/tokset.c, the sets of token hashes by
 * which sessions end (the `revoke` event, auth.logout, the periodic session
 * check): only well-formed hashes enter, sealing sorts and drops duplicates,
 * membership is exact, and a set grows past its first allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/tokset.h"

/* A hash made of one repeated hex digit, and one that differs from it in
 * the last place only (neighbours in sorted order). */
static void hash_of(char *out, char digit, char last) {
    memset(out, digit, AUTH_SHA_HEX - 2);
    out[AUTH_SHA_HEX - 2] = last;
    out[AUTH_SHA_HEX - 1] = '\0';
}

static void only_hashes_enter(void **state) {
    (void)state;
    tokset t;
    tokset_init(&t);
    char h[AUTH_SHA_HEX];
    hash_of(h, 'a', '0');
    assert_int_equal(tokset_add(&t, h, 64), 0);
    assert_int_equal(tokset_add(&t, h, 63), -1); /* too short */
    char upper[AUTH_SHA_HEX];
    hash_of(upper, 'A', '0'); /* sha256 hex is lowercase */
    assert_int_equal(tokset_add(&t, upper, 64), -1);
    char bad[AUTH_SHA_HEX];
    hash_of(bad, 'a', 'g');
    assert_int_equal(tokset_add(&t, bad, 64), -1);
    assert_int_equal(tokset_add(&t, "", 0), -1);
    assert_int_equal(t.n, 1);
    /* hex is not NUL-terminated in a msgpack string: only len bytes count */
    char longer[AUTH_SHA_HEX + 8];
    hash_of(longer, 'b', '1');
    memcpy(longer + 64, "ffffffff", 8);
    assert_int_equal(tokset_add(&t, longer, 64), 0);
    tokset_seal(&t);
    char want[AUTH_SHA_HEX];
    hash_of(want, 'b', '1');
    assert_true(tokset_has(&t, want));
    tokset_free(&t);
}

static void seal_sorts_and_drops_duplicates(void **state) {
    (void)state;
    tokset t;
    tokset_init(&t);
    char h[3][AUTH_SHA_HEX];
    hash_of(h[0], 'c', '2');
    hash_of(h[1], 'c', '1');
    hash_of(h[2], '0', '9');
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 3; i++) assert_int_equal(tokset_add(&t, h[i], 64), 0);
    assert_int_equal(t.n, 9);
    tokset_seal(&t);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.h[0], h[2]);
    assert_string_equal(t.h[1], h[1]);
    assert_string_equal(t.h[2], h[0]);
    for (int i = 0; i < 3; i++) assert_true(tokset_has(&t, h[i]));
    char other[AUTH_SHA_HEX];
    hash_of(other, 'c', '3'); /* a neighbour that is not there */
    assert_false(tokset_has(&t, other));
    hash_of(other, 'c', '0');
    assert_false(tokset_has(&t, other));
    assert_false(tokset_has(&t, "")); /* an unauthenticated session's empty hash */
    /* adding after sealing: sealed again, the new one found */
    assert_int_equal(tokset_add(&t, other, 64), 0);
    tokset_seal(&t);
    assert_int_equal(t.n, 4);
    assert_true(tokset_has(&t, other));
    tokset_free(&t);
    assert_int_equal(t.n, 0);
}

static void empty_set_holds_nothing(void **state) {
    (void)state;
    tokset t;
    tokset_init(&t);
    tokset_seal(&t);
    char h[AUTH_SHA_HEX];
    hash_of(h, 'e', 'e');
    assert_false(tokset_has(&t, h));
    tokset_free(&t);
}

static void grows_to_many(void **state) {
    (void)state;
    enum { N = 5000 }; /* several reallocations, as a round over many sessions */
    tokset t;
    tokset_init(&t);
    char h[AUTH_SHA_HEX];
    for (int i = N - 1; i >= 0; i--) {
        snprintf(h, sizeof h, "%064x", (unsigned)i * 7u);
        assert_int_equal(tokset_add(&t, h, 64), 0);
    }
    tokset_seal(&t);
    assert_int_equal(t.n, N);
    for (size_t i = 1; i < t.n; i++) assert_true(strcmp(t.h[i - 1], t.h[i]) < 0);
    for (int i = 0; i < N; i++) {
        snprintf(h, sizeof h, "%064x", (unsigned)i * 7u);
        assert_true(tokset_has(&t, h));
        snprintf(h, sizeof h, "%064x", (unsigned)i * 7u + 1);
        assert_false(tokset_has(&t, h));
    }
    tokset_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_hashes_enter),
        cmocka_unit_test(seal_sorts_and_drops_duplicates),
        cmocka_unit_test(empty_set_holds_nothing),
        cmocka_unit_test(grows_to_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
