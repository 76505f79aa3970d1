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

/* A client that asked for heartbeats every 30 s gets a frame when nothing went to it for 30 s,
 * none while frames flow, and the bound it may rely on is the interval plus one sweep. */
static void a_heartbeat_goes_out_only_after_30_s_of_nothing_sent(void **state)
{
    (void)state;
    kt_conn c;
    memset(&c, 0, sizeof c);
    assert_int_equal(kt_conn_init(&c, 16, 1 << 16), 0); /* no socket: frames are queued */
    c.heartbeat_ms = 30000;
    c.heard_at = c.progress_at = c.sent_at = 0;
    kt_ws_keepalive_conn(&c, 30 * S - 1, 30);
    assert_int_equal(c.q_len, 0);
    kt_ws_keepalive_conn(&c, 30 * S, 30);
    assert_int_equal(c.q_len, 1);
    kt_frame *f = kt_conn_peek(&c);
    assert_memory_equal(kt_frame_payload(f), "{\"heartbeat\":{\"within\":34}}", f->len);
    kt_conn_pop(&c);
    assert_int_equal(c.sent_at, 30 * S);
    kt_ws_keepalive_conn(&c, 45 * S, 30); /* sent 15 s ago: nothing */
    assert_int_equal(c.q_len, 0);
    c.heard_at = c.sent_at = 50 * S; /* an event went out, a request came in */
    kt_ws_keepalive_conn(&c, 79 * S, 30);
    assert_int_equal(c.q_len, 0);
    kt_ws_keepalive_conn(&c, 80 * S, 30);
    assert_int_equal(c.q_len, 1);
    assert_int_equal(kt_ws_heartbeat_within_s(30, 30), 34);
    assert_int_equal(kt_ws_heartbeat_within_s(2, 1), 3);
    kt_conn_release(&c);
}

/* Without the request (every client before it, and the tools) no heartbeat is ever sent. */
static void no_heartbeat_unless_asked(void **state)
{
    (void)state;
    kt_conn c;
    memset(&c, 0, sizeof c);
    assert_int_equal(kt_conn_init(&c, 16, 1 << 16), 0);
    c.heard_at = c.progress_at = c.sent_at = 0;
    for (int64_t t = 0; t < 60 * S; t += S)
        kt_ws_keepalive_conn(&c, t, 30);
    assert_int_equal(c.q_len, 0);
    kt_conn_release(&c);
}

/* The loop was kept from its sockets for 3 s (a commit waiting for the disk): the sweep that comes
 * late may not drop a session for a silence the loop could not have heard the end of. The same
 * sweep without the excuse drops it (so the excuse is what keeps it). */
static void time_the_loop_was_away_is_not_the_clients_silence(void **state)
{
    (void)state;
    kt_conn c, control;
    memset(&c, 0, sizeof c);
    c.heard_at = c.progress_at = 10 * S;
    kt_ws_keepalive_conn(&c, 10 * S + S / 3, 1);
    control = c;
    int64_t late = 10 * S + S / 3 + 3 * S, away = 3 * S - S / 3;
    kt_ws_loop_was_away(&c, late, away);
    kt_ws_keepalive_conn(&c, late, 1);
    assert_int_equal(c.close_code, 0);
    kt_ws_keepalive_conn(&control, late, 1);
    assert_int_equal(control.close_code, KT_CLOSE_SHUTDOWN);
    /* never later than the sweep itself */
    kt_ws_loop_was_away(&c, late, 100 * S);
    assert_int_equal(c.heard_at, late);
    assert_int_equal(c.progress_at, late);
    /* still silent afterwards: dropped 2.5 intervals after the excused time */
    kt_ws_keepalive_conn(&c, late + 2500 * S / 1000, 1);
    assert_int_equal(c.close_code, KT_CLOSE_SHUTDOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_silent_session_is_pinged_once_at_60_s_and_dropped_at_75_s),
        cmocka_unit_test(an_answer_resets_the_silence),
        cmocka_unit_test(short_intervals_ping_after_one_interval),
        cmocka_unit_test(every_interval_leaves_time_to_answer),
        cmocka_unit_test(a_heartbeat_goes_out_only_after_30_s_of_nothing_sent),
        cmocka_unit_test(no_heartbeat_unless_asked),
        cmocka_unit_test(time_the_loop_was_away_is_not_the_clients_silence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
