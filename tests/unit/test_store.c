/* The store: migrations, transactions, and the gap-free per-body event seq. */
#include "test_clock.h"
#include "store/store.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char path[64];

static int open_fresh(void **state)
{
    snprintf(path, sizeof path, "/tmp/kt-unit-store-%d.db", (int)getpid());
    unlink(path);
    kt_store_options o = {.path = path};
    kt_store *st;
    if (kt_store_open(&o, &st))
        return -1;
    *state = st;
    return 0;
}

static int close_store(void **state)
{
    kt_store_close(*state);
    char wal[80];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return 0;
}

static void migrations_reach_the_latest_version(void **state)
{
    kt_store *st = *state;
    assert_int_equal(kt_store_schema_version(st), kt_store_latest_version(st));
    /* reopening migrates nothing and keeps the version */
    kt_store_options o = {.path = path};
    kt_store *again;
    assert_int_equal(kt_store_open(&o, &again), 0);
    assert_int_equal(kt_store_schema_version(again), kt_store_latest_version(again));
    kt_store_close(again);
}

static void seq_is_gap_free_per_body(void **state)
{
    kt_store *st = *state;
    int64_t seq;
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(kt_store_begin(st), 0);
        assert_int_equal(kt_store_event_append(st, 7, "chat.posted", NULL, "{}", 1, &seq), 0);
        assert_int_equal(kt_store_commit(st), 0);
        assert_int_equal(seq, i);
    }
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_event_append(st, 8, "chat.posted", NULL, "{}", 1, &seq), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(kt_store_stream_seq(st, 7), 5);
    assert_int_equal(kt_store_stream_seq(st, 8), 1);
    assert_int_equal(kt_store_stream_seq(st, 9), 0);
}

static void rollback_leaves_no_seq_behind(void **state)
{
    kt_store *st = *state;
    int64_t seq;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_event_append(st, 3, "x", NULL, "{}", 0, &seq), 0);
    kt_store_rollback(st);
    assert_int_equal(kt_store_stream_seq(st, 3), 0);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_event_append(st, 3, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(seq, 1);
}

static void events_read_back_in_order_with_visibility(void **state)
{
    kt_store *st = *state;
    int64_t seq;
    assert_int_equal(kt_store_begin(st), 0);
    kt_store_event_append(st, 4, "agenda.added", "{\"item\":1}", "{\"a\":1}", 2, &seq);
    kt_store_event_append(st, 4, "agenda.added", NULL, "{\"a\":2}", 2, &seq);
    kt_store_event_append(st, 4, "agenda.added", NULL, "{\"a\":3}", 2, &seq);
    assert_int_equal(kt_store_commit(st), 0);
    kt_stored_event evs[8];
    int n = kt_store_events_after(st, 4, 1, evs, 8);
    assert_int_equal(n, 2);
    assert_int_equal(evs[0].seq, 2);
    assert_string_equal(evs[1].payload, "{\"a\":3}");
    assert_null(evs[0].vis);
    for (int i = 0; i < n; i++)
        kt_store_event_clear(&evs[i]);
    n = kt_store_events_after(st, 4, 0, evs, 1);
    assert_int_equal(n, 1);
    assert_string_equal(evs[0].vis, "{\"item\":1}");
    kt_store_event_clear(&evs[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_reach_the_latest_version, open_fresh,
                                        close_store),
        cmocka_unit_test_setup_teardown(seq_is_gap_free_per_body, open_fresh, close_store),
        cmocka_unit_test_setup_teardown(rollback_leaves_no_seq_behind, open_fresh, close_store),
        cmocka_unit_test_setup_teardown(events_read_back_in_order_with_visibility, open_fresh,
                                        close_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
