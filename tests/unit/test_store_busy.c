/* store_busy under contention: the connections of one process that write to one database (the
 * loop thread's, the search indexer's, the detectors' builder, a store opened meanwhile) take the
 * write lock in turn, first come first served, instead of polling for it in SQLite's busy
 * handler, which sleeps longer each time it finds the lock taken (up to 100 ms) and so keeps
 * losing to writers that take the lock again right after their commit: a waiter was starved
 * until its busy timeout ran out, and its write answered store_busy. Opening a store whose
 * schema is current takes no write lock at all. */
#include "store/store.h"
#include "test_clock.h"
#include "util/err.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char path[64];

static void drop_files(void)
{
    char f[80];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

/* A short busy timeout, as a starved writer reaches any timeout: the waits of fair turns are a
 * few transactions long, far below it. */
#define TIMEOUT_MS 2000

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/kt-unit-busy-%d.db", (int)getpid());
    drop_files();
    kt_store_options o = {.path = path, .busy_timeout_ms = TIMEOUT_MS};
    kt_store *st;
    if (kt_store_open(&o, &st))
        return -1;
    int rc = kt_store_exec(st, "CREATE TABLE busy_probe (id INTEGER PRIMARY KEY, who INTEGER)");
    kt_store_close(st);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    drop_files();
    return 0;
}

enum { VICTIMS = 3, TXNS = 20, HOLDER_ROWS = 200, MAX_HOLDER_TXNS = 100000 };

typedef struct writer {
    pthread_t thread;
    pthread_barrier_t *start;
    atomic_int *done; /* victims finished (the holder stops when all are) */
    int who;
    bool holder;     /* takes the lock again right after each commit, until the others are done */
    bool background; /* the indexer's kind: kt_store_set_background */
    bool opener;     /* the builder's kind: opens a store of its own for each transaction */
    int failures;    /* transactions or opens that failed (store_busy) */
    int first_rc;
    int rows; /* rows committed */
} writer;

static void failed(writer *w, int rc)
{
    if (!w->failures++)
        w->first_rc = rc;
}

/* One transaction of rows inserts; a failure is counted, not asserted (cmocka's asserts belong
 * to the main thread). */
static int one_txn(writer *w, kt_store *st, int rows)
{
    int rc = kt_store_begin(st);
    if (rc) {
        failed(w, rc);
        return rc;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT INTO busy_probe (who) VALUES (%d)", w->who);
    for (int i = 0; !rc && i < rows; i++)
        rc = kt_store_exec(st, sql);
    if (!rc)
        rc = kt_store_commit(st);
    else
        kt_store_rollback(st);
    if (rc)
        failed(w, rc);
    else
        w->rows += rows;
    return rc;
}

static void *writer_main(void *arg)
{
    writer *w = arg;
    kt_store_options o = {.path = path, .busy_timeout_ms = TIMEOUT_MS};
    kt_store *st = NULL;
    int rc = kt_store_open(&o, &st);
    if (rc)
        failed(w, rc);
    else if (w->background)
        kt_store_set_background(st);
    pthread_barrier_wait(w->start);
    if (rc) {
        atomic_fetch_add(w->done, !w->holder);
        return NULL;
    }
    if (w->holder) {
        /* Like the loop thread under a stream of writes: a group commit, and the next group
         * begun as soon as the last one committed. */
        for (int i = 0; i < MAX_HOLDER_TXNS && atomic_load(w->done) < VICTIMS; i++)
            if (one_txn(w, st, HOLDER_ROWS))
                break;
    } else {
        for (int i = 0; i < TXNS; i++) {
            kt_store *own = NULL;
            if (w->opener && (rc = kt_store_open(&o, &own))) {
                failed(w, rc); /* the builder's open */
                break;
            }
            rc = one_txn(w, own ? own : st, 1);
            kt_store_close(own);
            if (rc)
                break; /* one store_busy tells enough (and each costs a busy timeout) */
        }
        atomic_fetch_add(w->done, 1);
    }
    kt_store_close(st);
    return NULL;
}

/* A writer that takes the lock again right after each commit, and three others of the same
 * process - a foreground one, the indexer's kind, and one opening a store for each transaction
 * (the detectors' builder): every transaction of every one commits. Before, the others polled
 * in SQLite's busy handler, sleeping up to 100 ms between looks, and almost always found the
 * lock taken: store_busy after the busy timeout. */
static void a_writer_taking_the_lock_again_starves_no_one(void **state)
{
    (void)state;
    enum { N = VICTIMS + 1 };
    writer w[N];
    pthread_barrier_t start;
    atomic_int done = 0;
    pthread_barrier_init(&start, NULL, N);
    memset(w, 0, sizeof w);
    for (int i = 0; i < N; i++) {
        w[i].who = i + 1;
        w[i].start = &start;
        w[i].done = &done;
        w[i].holder = i == 0;
        w[i].background = i == 2;
        w[i].opener = i == 3;
        assert_int_equal(pthread_create(&w[i].thread, NULL, writer_main, &w[i]), 0);
    }
    int rows = 0, failures = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].failures)
            fprintf(stderr, "writer %d (%s): %d failed, first rc=%d\n", w[i].who,
                    w[i].holder       ? "holder"
                    : w[i].opener     ? "opener"
                    : w[i].background ? "background"
                                      : "foreground",
                    w[i].failures, w[i].first_rc);
        failures += w[i].failures;
        rows += w[i].rows;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(failures, 0);
    for (int i = 1; i < N; i++)
        assert_int_equal(w[i].rows, TXNS);
    kt_store_options o = {.path = path, .busy_timeout_ms = TIMEOUT_MS};
    kt_store *st;
    assert_int_equal(kt_store_open(&o, &st), 0);
    int64_t n = 0;
    assert_int_equal(kt_store_scalar(st, "SELECT count(*) FROM busy_probe", &n), 0);
    assert_int_equal(n, rows);
    kt_store_close(st);
}

/* A store opened on a current schema takes no write lock: it opens while another connection
 * holds the lock (here one of the same thread, which would wait for itself until the timeout). */
static void opening_a_current_schema_takes_no_write_lock(void **state)
{
    (void)state;
    kt_store_options o = {.path = path, .busy_timeout_ms = 200};
    kt_store *holder, *other = NULL;
    assert_int_equal(kt_store_open(&o, &holder), 0);
    assert_int_equal(kt_store_begin(holder), 0);
    assert_int_equal(kt_store_exec(holder, "INSERT INTO busy_probe (who) VALUES (0)"), 0);
    assert_int_equal(kt_store_open(&o, &other), 0);
    assert_int_equal(kt_store_schema_version(other), kt_store_latest_version(other));
    kt_store_close(other);
    assert_int_equal(kt_store_commit(holder), 0);
    kt_store_close(holder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_writer_taking_the_lock_again_starves_no_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(opening_a_current_schema_takes_no_write_lock, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
