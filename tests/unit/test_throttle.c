/* Login throttling is decided on arrival (issue 11): attempts in flight count as failures, so
 * a burst of guesses is evaluated at most limit times; one address cannot fill the queue. */
#include "auth/throttle.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#define NOW 1800000000

static void a_burst_for_one_account_is_evaluated_at_most_limit_times(void **state)
{
    (void)state;
    kt_throttle_limits lim = kt_throttle_defaults;
    lim.inflight_addr = 1000; /* this test is about the account */
    kt_throttle *t = kt_throttle_new(&lim);
    int go = 0;
    for (int i = 0; i < 200; i++) { /* 200 guesses arrive before any result is known */
        char addr[32];
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 200, i % 200);
        go += kt_throttle_begin(t, "Slachtoffer@Example.nl", addr, NOW) == KT_LOGIN_GO;
    }
    assert_int_equal(go, lim.limit_account);
    /* the right password, arriving now, is not even looked at */
    assert_int_equal(kt_throttle_begin(t, "slachtoffer@example.nl", "10.9.9.9", NOW),
                     KT_LOGIN_LIMITED);
    kt_throttle_free(t);
}

static void a_right_password_clears_the_account_but_failures_stay_counted(void **state)
{
    (void)state;
    kt_throttle *t = kt_throttle_new(NULL);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW), KT_LOGIN_GO);
        kt_throttle_end(t, "a@x.nl", "10.0.0.1", false, NOW);
    }
    assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW), KT_LOGIN_GO);
    kt_throttle_end(t, "a@x.nl", "10.0.0.1", true, NOW);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW + 1), KT_LOGIN_GO);
        kt_throttle_end(t, "a@x.nl", "10.0.0.1", false, NOW + 1);
    }
    assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW + 2), KT_LOGIN_LIMITED);
    /* the window ends 15 minutes after its first failure */
    assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW + 1 + 899), KT_LOGIN_LIMITED);
    assert_int_equal(kt_throttle_begin(t, "a@x.nl", "10.0.0.1", NOW + 1 + 900), KT_LOGIN_GO);
    kt_throttle_free(t);
}

static void one_address_cannot_fill_the_queue_or_spray_accounts(void **state)
{
    (void)state;
    kt_throttle *t = kt_throttle_new(NULL);
    int go = 0, busy = 0;
    for (int i = 0; i < 60; i++) {
        char acc[32];
        snprintf(acc, sizeof acc, "p%d@x.nl", i);
        kt_login_verdict v = kt_throttle_begin(t, acc, "192.0.2.7", NOW);
        go += v == KT_LOGIN_GO;
        busy += v == KT_LOGIN_BUSY;
    }
    assert_int_equal(go, kt_throttle_defaults.inflight_addr);
    assert_int_equal(busy, 60 - kt_throttle_defaults.inflight_addr);
    assert_int_equal(kt_throttle_inflight(t), kt_throttle_defaults.inflight_addr);
    /* another address goes straight on */
    assert_int_equal(kt_throttle_begin(t, "iemand@x.nl", "198.51.100.1", NOW), KT_LOGIN_GO);
    for (int i = 0; i < 4; i++) {
        char acc[32];
        snprintf(acc, sizeof acc, "p%d@x.nl", i);
        kt_throttle_end(t, acc, "192.0.2.7", false, NOW);
    }
    /* sprayed failures add up per address */
    int failures = 4;
    while (failures < 40) {
        char acc[32];
        snprintf(acc, sizeof acc, "q%d@x.nl", failures);
        if (kt_throttle_begin(t, acc, "192.0.2.7", NOW) != KT_LOGIN_GO)
            break;
        kt_throttle_end(t, acc, "192.0.2.7", false, NOW);
        failures++;
    }
    assert_int_equal(failures, kt_throttle_defaults.limit_addr);
    kt_throttle_free(t);
}

static void memory_is_bounded_and_busy_keys_are_never_forgotten(void **state)
{
    (void)state;
    kt_throttle_limits lim = kt_throttle_defaults;
    lim.max_entries = 16;
    lim.limit_addr = 1 << 20;
    lim.inflight_addr = 1 << 20;
    kt_throttle *t = kt_throttle_new(&lim);
    for (int i = 0; i < 8; i++) /* a burst for the victim, still being hashed */
        assert_int_equal(kt_throttle_begin(t, "victim@x.nl", "10.0.0.1", NOW), KT_LOGIN_GO);
    int refused = 0;
    for (int i = 0; i < 1000; i++) { /* flooding the table with other keys */
        char acc[32];
        snprintf(acc, sizeof acc, "x%d@x.nl", i);
        if (kt_throttle_begin(t, acc, "10.0.0.2", NOW + 1) == KT_LOGIN_GO)
            kt_throttle_end(t, acc, "10.0.0.2", false, NOW + 1);
        else
            refused++;
    }
    assert_int_equal(refused, 0); /* idle keys make room for new ones */
    /* the victim's attempts in flight were not forgotten to make that room */
    assert_int_equal(kt_throttle_begin(t, "victim@x.nl", "10.0.0.3", NOW + 2), KT_LOGIN_LIMITED);
    kt_throttle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_for_one_account_is_evaluated_at_most_limit_times),
        cmocka_unit_test(a_right_password_clears_the_account_but_failures_stay_counted),
        cmocka_unit_test(one_address_cannot_fill_the_queue_or_spray_accounts),
        cmocka_unit_test(memory_is_bounded_and_busy_keys_are_never_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
