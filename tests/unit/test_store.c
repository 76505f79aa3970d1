/* The store: migrations, transactions, and the gap-free per-body event seq. */
#include "store/fixture.h"
#include "store/items.h"
#include "store/store.h"
#include "test_clock.h"
#include "util/err.h"

#include <time.h>

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

/* A group's operations (SQLite: no savepoint each): one that changed nothing leaves freely; one
 * that changed rows asks for the group to be redone; an isolated one undoes only itself. */
static void a_group_operation_that_changed_rows_cannot_leave_alone(void **state)
{
    kt_store *st = *state;
    int64_t seq;
    assert_int_equal(kt_store_group_enter(st), 0);
    assert_int_equal(kt_store_event_append(st, 5, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(kt_store_group_leave(st, true), 0);
    assert_int_equal(kt_store_group_enter(st), 0);
    assert_int_equal(kt_store_group_leave(st, false), 0); /* changed nothing */
    assert_int_equal(kt_store_group_enter(st), 0);
    assert_int_equal(kt_store_event_append(st, 5, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(kt_store_group_leave(st, false), KT_EREDO);
    kt_store_group_abort(st);
    assert_int_equal(kt_store_stream_seq(st, 5), 0); /* nothing of the group stays */
    /* run again, isolated: the failing one undoes itself alone */
    assert_int_equal(kt_store_group_enter_isolated(st), 0);
    assert_int_equal(kt_store_event_append(st, 5, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(kt_store_group_leave(st, true), 0);
    assert_int_equal(kt_store_group_enter_isolated(st), 0);
    assert_int_equal(kt_store_event_append(st, 5, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(kt_store_group_leave(st, false), 0);
    assert_int_equal(kt_store_group_enter(st), 0);
    assert_int_equal(kt_store_event_append(st, 5, "x", NULL, "{}", 0, &seq), 0);
    assert_int_equal(seq, 2); /* gap-free after the undone one */
    assert_int_equal(kt_store_group_leave(st, true), 0);
    assert_int_equal(kt_store_group_commit(st), 0);
    assert_int_equal(kt_store_stream_seq(st, 5), 2);
}

/* checkpoint_aside: past 1,000 pages of log the store's own thread checkpoints it (the
 * committing connection does not); without it, no such thread runs. */
static void the_log_is_checkpointed_aside(void **state)
{
    (void)state;
    char aside[80];
    snprintf(aside, sizeof aside, "/tmp/kt-unit-store-aside-%d.db", (int)getpid());
    unlink(aside);
    kt_store_options o = {.path = aside, .checkpoint_aside = true};
    kt_store *st;
    assert_int_equal(kt_store_open(&o, &st), 0);
    static char payload[3000];
    memset(payload, 'a', sizeof payload - 1);
    int64_t seq;
    kt_store_ckpt_stats ck = {0};
    /* ~1,500 pages of log: one overflow page and more per event */
    for (int t = 0; t < 30; t++) {
        assert_int_equal(kt_store_begin(st), 0);
        for (int i = 0; i < 50; i++)
            assert_int_equal(kt_store_event_append(st, 9, "x", NULL, payload, 0, &seq), 0);
        assert_int_equal(kt_store_commit(st), 0);
    }
    /* the thread runs when it gets the CPU: wait for it (bounded, for a stuck thread) */
    for (int i = 0; i < 6000 && ck.done + ck.partial == 0; i++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        kt_store_checkpoint_stats(st, &ck);
    }
    assert_true(ck.done + ck.partial >= 1);
    assert_int_equal(kt_store_stream_seq(st, 9), 1500);
    kt_store_close(st);
    assert_int_equal(kt_store_open(&o, &st), 0);
    assert_int_equal(kt_store_stream_seq(st, 9), 1500);
    kt_store_close(st);
    kt_store *plain = *state; /* opened without it */
    kt_store_checkpoint_stats(plain, &ck);
    assert_int_equal(ck.done + ck.partial, 0);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", aside, suffix[i]);
        unlink(p);
    }
}

/* Seconds on the monotonic clock: for deadlines of a test, never for a date. */
static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* checkpoint_aside under a stream of commits that never pauses: the log is copied and started
 * from its beginning again while writes go on (SQLite restarts it only when a write begins after
 * a checkpoint that copied all of it; with PASSIVE checkpoints alone it grew without end), the
 * checkpointing thread held the writers off to restart it, and no checkpoint failed. */
static void the_log_restarts_under_a_stream_of_commits(void **state)
{
    (void)state;
    char aside[80];
    snprintf(aside, sizeof aside, "/tmp/kt-unit-store-stream-%d.db", (int)getpid());
    unlink(aside);
    kt_store_options o = {.path = aside, .checkpoint_aside = true, .sync_full = false};
    kt_store *st;
    assert_int_equal(kt_store_open(&o, &st), 0);
    static char payload[3000];
    memset(payload, 'b', sizeof payload - 1);
    int64_t seq, most = 0, commits = 0;
    bool restarted = false;
    kt_store_ckpt_stats ck = {0};
    /* Until a commit finds the log shorter than one before it, after the thread's restart;
     * bounded (a stuck thread fails the test, not hangs it). */
    for (double end = monotonic_s() + 120; !restarted && monotonic_s() < end; commits++) {
        assert_int_equal(kt_store_begin(st), 0);
        for (int i = 0; i < 4; i++)
            assert_int_equal(kt_store_event_append(st, 9, "x", NULL, payload, 0, &seq), 0);
        assert_int_equal(kt_store_commit(st), 0);
        kt_store_checkpoint_stats(st, &ck);
        if (ck.log_frames > most)
            most = ck.log_frames;
        restarted = ck.holds >= 1 && ck.log_frames < most;
    }
    assert_true(restarted);
    assert_true(most >= 1000); /* a checkpoint was due, not only a small log */
    assert_true(ck.done >= 1);
    assert_int_equal(ck.errors, 0);
    assert_false(ck.failing);
    assert_true(ck.holds_copying <= ck.holds);
    assert_int_equal(kt_store_stream_seq(st, 9), commits * 4);
    kt_store_close(st);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", aside, suffix[i]);
        unlink(p);
    }
}

/* The count an index build sizes itself by is the number of rows the index read returns. */
static int64_t index_rows(kt_store *st)
{
    kt_index_cursor *cur = NULL;
    assert_int_equal(kt_store_index_open(st, 0, &cur), 0);
    kt_index_row r;
    int64_t n = 0;
    int step;
    while ((step = kt_store_index_next(cur, &r)) == KT_STORE_ROW)
        n++;
    assert_int_equal(step, 0);
    kt_store_index_close(cur);
    return n;
}

static void the_item_count_is_what_the_index_read_returns(void **state)
{
    kt_store *st = *state;
    int64_t n = -1, scope, body, meeting, id[3];
    assert_int_equal(kt_store_item_count(st, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_fixture_scope(st, "Testdam", &scope), 0);
    assert_int_equal(kt_store_fixture_body(st, "Regiegroep", scope, &body), 0);
    assert_int_equal(kt_store_fixture_meeting(st, body, 1800000000, &meeting), 0);
    for (int i = 0; i < 3; i++) /* one in the backlog, one confidential: all are read */
        assert_int_equal(kt_store_fixture_item(st, body, i ? meeting : 0, "Cameratoezicht", "",
                                               i == 2, 0, 1800000000, &id[i]),
                         0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(kt_store_item_count(st, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(index_rows(st), 3);
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_item_delete(st, id[1]), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(kt_store_item_count(st, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(index_rows(st), 2);
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
        cmocka_unit_test_setup_teardown(a_group_operation_that_changed_rows_cannot_leave_alone,
                                        open_fresh, close_store),
        cmocka_unit_test_setup_teardown(the_log_is_checkpointed_aside, open_fresh, close_store),
        cmocka_unit_test_setup_teardown(the_item_count_is_what_the_index_read_returns, open_fresh,
                                        close_store),
        cmocka_unit_test(the_log_restarts_under_a_stream_of_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
