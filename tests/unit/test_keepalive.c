/* Keepalive (issue 15): a silent WebSocket is dropped at 2.5 ping intervals and pinged once
 * before that, early enough to answer: at the default 30 s after 60 s of silence, not 30. */
#include "live/conn.h"
#include "net/net.h"
#include "protocol/errors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#define S 1000000000LL /* ns */

static void a_silent_session_is_pinged_once_at_60_s_and_dropped_at_75_s(void **state)
{
    (void)state;
    kt_conn c;
    memset(&c, 0, sizeof c); /* no socket: a ping is left due, as when one is queued */
    int64_t t0 = 1000 * S;
    c.heard_at = c.progress_at = t0;
    for (int64_t t = t0; t < t0 + 60 * S; t += S / 2) {
        kt_ws_keepalive_conn(&c, t, 30);
        assert_false(c.pinged);
    }
    kt_ws_keepalive_conn(&c, t0 + 60 * S, 30);
    assert_true(c.pinged);
    assert_true(c.ping_due);
    kt_ws_keepalive_conn(&c, t0 + 75 * S - 1, 30);
    assert_int_equal(c.close_code, 0);
    kt_ws_keepalive_conn(&c, t0 + 75 * S, 30);
    assert_int_equal(c.close_code, KT_CLOSE_SHUTDOWN);
}

static void an_answer_resets_the_silence(void **state)
{
    (void)state;
    kt_conn c;
    memset(&c, 0, sizeof c);
    c.heard_at = c.progress_at = 0;
    kt_ws_keepalive_conn(&c, 61 * S, 30);
    assert_true(c.pinged);
    c.heard_at = 62 * S; /* the pong (net/ws.c heard()) */
    c.pinged = c.ping_due = false;
    kt_ws_keepalive_conn(&c, 100 * S, 30);
    assert_false(c.pinged);
    assert_int_equal(c.close_code, 0);
    kt_ws_keepalive_conn(&c, 122 * S, 30);
    assert_true(c.pinged);
}

/* Short intervals (the tests' --ping-secs 1) keep pinging after one interval. */
static void short_intervals_ping_after_one_interval(void **state)
{
    (void)state;
    assert_int_equal(kt_ws_ping_after_ms(1), 1000);
    assert_int_equal(kt_ws_sweep_ms(1), 333);
    assert_int_equal(kt_ws_ping_after_ms(10), 15000);
    assert_int_equal(kt_ws_sweep_ms(10), 2500);
    assert_int_equal(kt_ws_ping_after_ms(30), 60000);
    assert_int_equal(kt_ws_sweep_ms(30), 3750);
}

/* For every interval the option allows: the ping comes no sooner than one interval, and a peer
 * has at least 3/4 of the answer window (or 7/6 of an interval) between the sweep that pings it
 * and the one that would drop it. */
static void every_interval_leaves_time_to_answer(void **state)
{
    (void)state;
    for (int p = 1; p <= 3600; p++) {
        int64_t drop = p * 2500LL, ping = kt_ws_ping_after_ms(p), sweep = kt_ws_sweep_ms(p);
        int64_t answer = p * 500LL > 10000 ? p * 500LL : 10000;
        int64_t want = answer * 3 / 4 < p * 7000LL / 6 ? answer * 3 / 4 : p * 7000LL / 6;
        assert_true(ping >= p * 1000LL);
        assert_true(sweep > 0);
        assert_true(drop - ping - sweep >= want - 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_silent_session_is_pinged_once_at_60_s_and_dropped_at_75_s),
        cmocka_unit_test(an_answer_resets_the_silence),
        cmocka_unit_test(short_intervals_ping_after_one_interval),
        cmocka_unit_test(every_interval_leaves_time_to_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
