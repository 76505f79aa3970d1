/* The write lock among this process's connections to one SQLite file; see wlock.h. */
#include "store/sqlite/wlock.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* One waiter, on its thread's stack, in the lock's queue. */
typedef struct waiter {
    struct waiter *next;
} waiter;

struct kt_wlock {
    struct kt_wlock *next; /* the registry's list */
    dev_t dev;
    ino_t ino;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC: "the lock or the queue's head changed" */
    waiter *head, *tail;
    bool held;
    /* The holder, for the log and to catch a thread waiting for itself. */
    pthread_t owner;
    long owner_tid;
    const char *who;
    int64_t since_ns;
    _Atomic(const char *) sql; /* what the holder ran last (written by the holder only) */
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static kt_wlock *registry;

kt_wlock *kt_wlock_for(dev_t dev, ino_t ino)
{
    pthread_mutex_lock(&registry_mu);
    kt_wlock *l = registry;
    while (l && (l->dev != dev || l->ino != ino))
        l = l->next;
    if (!l && (l = calloc(1, sizeof *l))) {
        l->dev = dev;
        l->ino = ino;
        pthread_mutex_init(&l->mu, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&l->cv, &ca);
        pthread_condattr_destroy(&ca);
        l->next = registry;
        registry = l;
    }
    pthread_mutex_unlock(&registry_mu);
    return l;
}

static long thread_id(void)
{
    return (long)syscall(SYS_gettid);
}

static struct timespec mono_at(int64_t ns)
{
    return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

/* The holder, as the log says it (l->mu held). */
#define HOLDER_FMT "holder=%s holder_thread=%ld held_ms=%lld holder_sql=\"%.100s\""
#define HOLDER_ARGS(l, now)                                                                        \
    (l)->who, (l)->owner_tid, (long long)(((now) - (l)->since_ns) / 1000000),                      \
        atomic_load_explicit(&(l)->sql, memory_order_relaxed)                                      \
            ? atomic_load_explicit(&(l)->sql, memory_order_relaxed)                                \
            : ""

static void unqueue(kt_wlock *l, waiter *me)
{
    waiter **p = &l->head, *prev = NULL;
    while (*p && *p != me)
        prev = *p, p = &(*p)->next;
    if (!*p)
        return;
    *p = me->next;
    if (l->tail == me)
        l->tail = prev;
}

int kt_wlock_acquire(kt_wlock *l, const char *who, int timeout_ms)
{
    pthread_mutex_lock(&l->mu);
    int64_t t0 = kt_mono_ns();
    if (l->held && pthread_equal(l->owner, pthread_self())) {
        kt_error("a thread waits for the write lock it holds through another connection",
                 "who=%s " HOLDER_FMT, who, HOLDER_ARGS(l, t0));
        pthread_mutex_unlock(&l->mu);
        return KT_EBUSY;
    }
    waiter me = {NULL};
    if (l->tail)
        l->tail->next = &me;
    else
        l->head = &me;
    l->tail = &me;
    int64_t slow_at = t0 + (int64_t)KT_WLOCK_SLOW_MS * 1000000;
    int64_t until = t0 + (int64_t)(timeout_ms > 0 ? timeout_ms : 5000) * 1000000;
    bool said = false;
    int rc = 0;
    while (l->held || l->head != &me) {
        int64_t now = kt_mono_ns();
        if (now >= until) {
            kt_warn("store busy: waited out the busy timeout for the write lock",
                    "who=%s waited_ms=%lld " HOLDER_FMT, who, (long long)((now - t0) / 1000000),
                    HOLDER_ARGS(l, now));
            rc = KT_EBUSY;
            break;
        }
        if (!said && now >= slow_at && l->held) {
            kt_warn("waiting long for the write lock", "who=%s waited_ms=%lld " HOLDER_FMT, who,
                    (long long)((now - t0) / 1000000), HOLDER_ARGS(l, now));
            said = true;
        }
        struct timespec at = mono_at(!said && slow_at < until ? slow_at : until);
        int w = pthread_cond_timedwait(&l->cv, &l->mu, &at);
        if (w && w != ETIMEDOUT)
            break; /* cannot happen with a valid lock and time; the loop looks again */
    }
    unqueue(l, &me);
    if (!rc) {
        l->held = true;
        l->owner = pthread_self();
        l->owner_tid = thread_id();
        l->who = who;
        l->since_ns = kt_mono_ns();
        atomic_store_explicit(&l->sql, NULL, memory_order_relaxed);
    }
    /* The next one in the queue may now be the head (after a time-out: of a free lock). */
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    return rc;
}

void kt_wlock_note(kt_wlock *l, const char *sql)
{
    atomic_store_explicit(&l->sql, sql, memory_order_relaxed);
}

void kt_wlock_release(kt_wlock *l)
{
    pthread_mutex_lock(&l->mu);
    int64_t now = kt_mono_ns();
    if (now - l->since_ns >= (int64_t)KT_WLOCK_SLOW_MS * 1000000)
        kt_warn("the write lock was held long", HOLDER_FMT, HOLDER_ARGS(l, now));
    l->held = false;
    l->who = NULL;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}
