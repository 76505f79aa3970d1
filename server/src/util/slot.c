#include "util/slot.h"

#include "util/err.h"
#include "util/imap.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <time.h>

static int64_t mono_now(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void mono_wait(void *arg, int64_t t)
{
    (void)arg;
    struct timespec ts = {.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ; /* a signal: the slot is not over */
}

const kt_slot_clock kt_slot_mono = {mono_now, mono_wait, NULL};

void kt_slot_open(kt_slot *s, const kt_slot_clock *clock, int64_t len_ns)
{
    assert(len_ns > 0);
    s->clock = clock;
    s->len = len_ns;
    s->start = clock->now_ns(clock->arg);
}

bool kt_slot_spent(const kt_slot *s)
{
    return s->clock->now_ns(s->clock->arg) - s->start >= s->len;
}

int64_t kt_slot_end(const kt_slot *s, int64_t now)
{
    int64_t took = now - s->start;
    int64_t k = took <= s->len ? 1 : (took + s->len - 1) / s->len;
    return s->start + k * s->len;
}

int kt_slot_close(kt_slot *s)
{
    int64_t end = kt_slot_end(s, s->clock->now_ns(s->clock->arg));
    s->clock->wait_until_ns(s->clock->arg, end);
    return (int)((end - s->start) / s->len);
}

int kt_slot_queue_add(kt_slot_queue *q, int64_t id)
{
    assert(id != 0);
    return kt_ivec_push(&q->waiting, id);
}

bool kt_slot_queue_pending(const kt_slot_queue *q)
{
    return q->waiting.n > 0;
}

int kt_slot_queue_run(kt_slot_queue *q, kt_slot *s, size_t max, int (*each)(int64_t id, void *arg),
                      void *arg, size_t *ran)
{
    kt_ivec all = q->waiting;
    memset(&q->waiting, 0, sizeof q->waiting);
    kt_ivec_free(&q->taken);
    kt_imap seen = {0};
    int rc = 0;
    size_t i = 0;
    for (; i < all.n; i++) {
        int64_t id = all.v[i];
        if (kt_imap_get(&seen, id))
            continue; /* came twice: runs once */
        if (rc || q->taken.n >= max || (q->taken.n && s && kt_slot_spent(s)))
            break;
        if (kt_imap_put(&seen, id, (void *)1) || kt_ivec_push(&q->taken, id)) {
            rc = KT_ENOMEM;
            break;
        }
        rc = each(id, arg);
    }
    *ran = q->taken.n;
    /* the rest, each once, in the order they came */
    for (; i < all.n; i++) {
        int64_t id = all.v[i];
        if (kt_imap_get(&seen, id))
            continue;
        if ((kt_imap_put(&seen, id, (void *)1) || kt_ivec_push(&q->waiting, id)) && !rc)
            rc = KT_ENOMEM;
    }
    kt_imap_free(&seen);
    kt_ivec_free(&all);
    return rc;
}

int kt_slot_queue_settle(kt_slot_queue *q, bool committed)
{
    int rc = 0;
    if (!committed && q->taken.n) {
        kt_ivec later = q->waiting;
        q->waiting = q->taken;
        memset(&q->taken, 0, sizeof q->taken);
        for (size_t i = 0; i < later.n && !rc; i++)
            rc = kt_ivec_push(&q->waiting, later.v[i]);
        kt_ivec_free(&later);
    }
    kt_ivec_free(&q->taken);
    return rc;
}

void kt_slot_queue_free(kt_slot_queue *q)
{
    kt_ivec_free(&q->waiting);
    kt_ivec_free(&q->taken);
}
