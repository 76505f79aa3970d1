/* The search indexer's thread; see indexer.h. */
#include "store/indexer.h"

#include "store/search.h"
#include "util/err.h"
#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct kt_indexer {
    kt_store *st; /* used by the indexer's thread only */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* kicks and stop; and "a round ended" for kt_indexer_wait */
    bool kicked, stopping;
    bool hurry;               /* kt_indexer_wait: no settling */
    bool idle;                /* the thread waits for a kick (else a kick needs no wake-up) */
    bool settling;            /* it waits for KT_INDEXER_SETTLE_MS or KT_INDEXER_BATCH writes */
    int writes;               /* writes kicked since the last round started */
    struct timespec round_at; /* when the last round started */
    uint64_t rounds;          /* rounds started */
    uint64_t last_empty;      /* the last round that ended with the queue seen empty */
    kt_indexer_stats stats;
};

/* now + ms on the monotonic clock, the one the condition variable waits by. */
static struct timespec deadline(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static double thread_cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Batches until the queue is empty (or an error, or a stop). Returns whether it ended empty. */
static bool round_of_batches(kt_indexer *ix)
{
    for (;;) {
        int done = 0;
        int64_t left = 0;
        double c0 = thread_cpu_ms();
        int rc = kt_store_search_index_for(ix->st, KT_INDEXER_BATCH,
                                           (int64_t)KT_INDEXER_BATCH_MS * 1000, &done, &left);
        double cpu = thread_cpu_ms() - c0;
        pthread_mutex_lock(&ix->lock);
        ix->stats.cpu_ms += cpu;
        ix->stats.indexed += (uint64_t)done;
        ix->stats.batches += done > 0;
        ix->stats.pending = rc ? ix->stats.pending : left;
        ix->stats.errors += rc != 0 && rc != KT_EBUSY;
        bool stop = ix->stopping;
        pthread_mutex_unlock(&ix->lock);
        if (rc == KT_EBUSY) {
            /* Another process (a node sharing the file) holds the database's lock: the indexer
             * gave up at once rather than wait holding this process's lock, ahead of the loop
             * thread's writes (store/sqlite/sqlite.c lite_begin_write). It tries again in the
             * next round, KT_INDEXER_SETTLE_MS on; what is queued stays queued. */
            pthread_mutex_lock(&ix->lock);
            ix->stats.busy++;
            ix->kicked = true;
            pthread_mutex_unlock(&ix->lock);
            struct timespec pause = {0, 2 * 1000 * 1000}; /* kt_indexer_wait does not settle */
            nanosleep(&pause, NULL);
            return false;
        }
        if (rc) {
            kt_error("search indexer failed", "error=%d", rc);
            return false;
        }
        if (!left || !done || stop)
            return !left;
        /* Less than a batch left (a batch that gave way to a writer, or changes committed
         * meanwhile): it waits for the next round, KT_INDEXER_SETTLE_MS on (kicked, so that it
         * does not wait for a write to come). Taking the lock again at once for a few changes
         * met each group commit of the loop's with a transaction of the indexer's. */
        if (left < KT_INDEXER_BATCH) {
            pthread_mutex_lock(&ix->lock);
            ix->kicked = true;
            pthread_mutex_unlock(&ix->lock);
            return false;
        }
        /* Let the other writers of this database in between two batches: this process's give
         * notice (kt_store_writers_waiting), other processes' (nodes sharing the file) poll. */
        struct timespec pause = {0, 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

static void *indexer_main(void *arg)
{
    kt_indexer *ix = arg;
    pthread_setname_np(pthread_self(), "kt-indexer"); /* in top, perf and gdb */
    /* The word list is loaded here, not inside the first batch with the write lock held. */
    int ready = kt_store_search_ready(ix->st);
    if (ready)
        kt_warn("search indexer: the index could not be opened before its first round", "error=%d",
                ready);
    pthread_mutex_lock(&ix->lock);
    while (!ix->stopping) {
        if (!ix->kicked) {
            struct timespec until = deadline(KT_INDEXER_IDLE_MS);
            int w = 0;
            ix->idle = true;
            while (!ix->kicked && !ix->stopping && w != ETIMEDOUT)
                w = pthread_cond_timedwait(&ix->cond, &ix->lock, &until);
            ix->idle = false;
            if (ix->stopping)
                break;
        }
        /* Rounds start at most every KT_INDEXER_SETTLE_MS: kicks that arrive meanwhile join the
         * next round, so that a busy node commits the index a few times a second, not once per
         * write (each of its commits makes the node's own connection drop its page cache). */
        if (ix->round_at.tv_sec) {
            struct timespec until = ix->round_at;
            until.tv_nsec += (long)KT_INDEXER_SETTLE_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            int w = 0;
            ix->settling = true;
            while (!ix->stopping && !ix->hurry && ix->writes < KT_INDEXER_BATCH && w != ETIMEDOUT)
                w = pthread_cond_timedwait(&ix->cond, &ix->lock, &until);
            ix->settling = false;
            if (ix->stopping)
                break;
        }
        clock_gettime(CLOCK_MONOTONIC, &ix->round_at);
        ix->kicked = ix->hurry = false;
        ix->writes = 0;
        uint64_t round = ++ix->rounds;
        pthread_mutex_unlock(&ix->lock);
        /* While the store refuses writes (disk full), find out here whether it takes them again:
         * the probe may wait for the write lock (busy timeout), which the loop thread must not. */
        kt_store_faults faults;
        kt_store_faults_get(&faults);
        if (faults.unavailable)
            kt_store_probe_write(ix->st);
        bool empty = round_of_batches(ix);
        pthread_mutex_lock(&ix->lock);
        if (empty)
            ix->last_empty = round;
        pthread_cond_broadcast(&ix->cond);
    }
    pthread_mutex_unlock(&ix->lock);
    return NULL;
}

int kt_indexer_start(const kt_store_options *opt, kt_indexer **out)
{
    *out = NULL;
    kt_indexer *ix = calloc(1, sizeof *ix);
    if (!ix)
        return KT_ENOMEM;
    /* No fsync at the indexer's commits (synchronous=NORMAL on its connection): the index is
     * derived from rows that are durable already, and a batch removes its changes from the queue
     * in the same transaction, so a batch lost to a crash is indexed again from the queue. The log
     * is written in order, so the next durable commit of the node (the loop's, with --sync full)
     * syncs the batches before it too. An fsync per batch cost each of the loop's group commits
     * a second fsync to wait for at 64 writers (bench/README "writes7"). */
    kt_store_options o = *opt;
    o.sync_full = false;
    int rc = kt_store_open(&o, &ix->st);
    if (rc) {
        free(ix);
        return rc;
    }
    kt_store_set_background(ix->st);
    kt_store_set_name(ix->st, "search-indexer");
    pthread_mutex_init(&ix->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ix->cond, &ca);
    pthread_condattr_destroy(&ca);
    ix->kicked = true; /* whatever waits from before this start */
    if (pthread_create(&ix->thread, NULL, indexer_main, ix)) {
        kt_store_close(ix->st);
        pthread_mutex_destroy(&ix->lock);
        pthread_cond_destroy(&ix->cond);
        free(ix);
        return KT_ENOMEM;
    }
    *out = ix;
    return 0;
}

void kt_indexer_kick(kt_indexer *ix)
{
    kt_indexer_kick_writes(ix, 1);
}

void kt_indexer_kick_writes(kt_indexer *ix, int writes)
{
    if (!ix)
        return;
    pthread_mutex_lock(&ix->lock);
    ix->kicked = true;
    int before = ix->writes;
    ix->writes = before + (writes > 0 ? writes : 1);
    /* Settling or indexing, the thread looks at kicked before it waits again: waking it on
     * every write would cost two context switches each. A settling one is woken once, when a
     * batch's worth of writes has come. */
    if (ix->idle || (ix->settling && before < KT_INDEXER_BATCH && ix->writes >= KT_INDEXER_BATCH))
        pthread_cond_broadcast(&ix->cond);
    pthread_mutex_unlock(&ix->lock);
}

int kt_indexer_wait(kt_indexer *ix, int timeout_ms)
{
    struct timespec until = deadline(timeout_ms);
    pthread_mutex_lock(&ix->lock);
    /* A round that starts after this call and ends with the queue empty. */
    uint64_t want = ix->rounds + 1;
    ix->kicked = ix->hurry = true;
    pthread_cond_broadcast(&ix->cond);
    int w = 0;
    while (ix->last_empty < want && w != ETIMEDOUT && !ix->stopping) {
        if (ix->rounds >= want && !(ix->kicked && ix->hurry))
            ix->kicked = ix->hurry = true; /* that round ended with work left: another one */
        w = pthread_cond_timedwait(&ix->cond, &ix->lock, &until);
    }
    bool ok = ix->last_empty >= want;
    pthread_mutex_unlock(&ix->lock);
    return ok ? 0 : KT_EBUSY;
}

void kt_indexer_get_stats(kt_indexer *ix, kt_indexer_stats *out)
{
    pthread_mutex_lock(&ix->lock);
    *out = ix->stats;
    pthread_mutex_unlock(&ix->lock);
}

void kt_indexer_stop(kt_indexer *ix)
{
    if (!ix)
        return;
    pthread_mutex_lock(&ix->lock);
    ix->stopping = true;
    pthread_cond_broadcast(&ix->cond);
    pthread_mutex_unlock(&ix->lock);
    pthread_join(ix->thread, NULL);
    kt_store_close(ix->st);
    pthread_mutex_destroy(&ix->lock);
    pthread_cond_destroy(&ix->cond);
    free(ix);
}
